#include "litefer/ui/analysis_worker.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QMetaObject>
#include <QThread>

#include <chrono>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "litefer/core/analysis_setup.h"
#include "litefer/core/emotion_classifier.h"
#include "litefer/core/frame_source.h"
#include "litefer/core/pipeline.h"
#include "litefer/core/session_recorder.h"
#include "litefer/ui/push_frame_source.h"

namespace litefer::ui {

namespace {

// Folders of images are shown one image per interval (SourceOptions::imageIntervalMs), the pace
// of their timestamps, instead of flashing through as fast as they decode.
constexpr auto kPacingPoll = std::chrono::milliseconds(20);

QString fromStd(const std::string& s) {
    return QString::fromStdString(s);
}

/// The pipeline's frame as a QImage that shares its pixels: the QImage holds a reference to the
/// cv::Mat (released by the cleanup function), so no pixel is copied.
QImage wrapBgr(const cv::Mat& frame) {
    if (frame.empty() || frame.type() != CV_8UC3) {
        return {};
    }
    auto* keep = new cv::Mat(frame);
    return QImage(
        keep->data, keep->cols, keep->rows, static_cast<qsizetype>(keep->step),
        QImage::Format_BGR888, [](void* info) { delete static_cast<cv::Mat*>(info); }, keep);
}

double manifestTestAccuracy(const ModelManifest& manifest) {
    for (const char* key : {"test_tta_none", "test"}) {
        if (const json::Value* m =
                manifest.metrics.isObject() ? manifest.metrics.find(key) : nullptr) {
            if (m->isObject()) {
                if (const json::Value* a = m->find("accuracy"); a != nullptr && a->isNumber()) {
                    return a->asDouble();
                }
            }
        }
    }
    return -1.0;
}

}  // namespace

/// The source as one run sees it. The pipeline closes its source when a run ends; this wrapper
/// ignores that close so the worker can run the same source again with a new pipeline (model
/// or settings changed) and closes the real source itself. It also paces image folders and can
/// be told to stop (read() returns false), so a stop never waits on a paced read.
class RunSource : public core::FrameSource {
  public:
    RunSource(std::shared_ptr<core::FrameSource> inner, double paceMs)
        : inner_(std::move(inner)), paceMs_(paceMs) {}

    bool read(core::Frame& out) override {
        if (stop_.load()) {
            return false;
        }
        if (paceMs_ > 0.0 && lastRead_ != Clock::time_point{}) {
            const auto due = lastRead_ + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double, std::milli>(paceMs_));
            while (Clock::now() < due) {
                if (stop_.load()) {
                    return false;
                }
                std::this_thread::sleep_for(kPacingPoll);
            }
        }
        lastRead_ = Clock::now();
        return !stop_.load() && inner_->read(out);
    }
    void close() override {}  // see the class comment
    const core::SourceInfo& info() const override { return inner_->info(); }
    std::vector<std::string> problems() const override { return inner_->problems(); }

    void stop() { stop_.store(true); }
    bool stopped() const { return stop_.load(); }

  private:
    using Clock = std::chrono::steady_clock;
    std::shared_ptr<core::FrameSource> inner_;
    double paceMs_;
    Clock::time_point lastRead_{};
    std::atomic<bool> stop_{false};
};

AnalysisWorker::AnalysisWorker() {
    qRegisterMetaType<AnalysisFrame>();
    qRegisterMetaType<ModelFacts>();
    qRegisterMetaType<SourceFacts>();
    qRegisterMetaType<AnalysisConfig>();
    thread_ = new QThread;
    thread_->setObjectName(QStringLiteral("litefer-analysis"));
    moveToThread(thread_);
    thread_->start();
}

AnalysisWorker::~AnalysisWorker() {
    shutdown();
}

void AnalysisWorker::shutdown() {
    if (shutDown_) {
        return;
    }
    shutDown_ = true;
    QThread* creator = QThread::currentThread();
    QMetaObject::invokeMethod(
        this,
        [this, creator] {
            doShutdown();
            // Back to the creating thread, so that the destructor runs where the object lives.
            moveToThread(creator);
        },
        Qt::BlockingQueuedConnection);
    thread_->quit();
    thread_->wait();
    delete thread_;
    thread_ = nullptr;
}

// --- requests -------------------------------------------------------------------------------

void AnalysisWorker::applyConfig(const AnalysisConfig& config) {
    QMetaObject::invokeMethod(
        this, [this, config] { doApplyConfig(config); }, Qt::QueuedConnection);
}

void AnalysisWorker::openSource(const QString& spec) {
    QMetaObject::invokeMethod(
        this,
        [this, spec] {
            core::SourceOptions options;
            options.realtime = true;  // files at their own pace, like a camera
            std::shared_ptr<core::FrameSource> source;
            try {
                source = core::openSource(spec.toStdString(), options);
            } catch (const std::exception& e) {
                Q_EMIT sourceFailed(tr("Could not open %1.\n%2").arg(spec, fromStd(e.what())));
                return;
            }
            doOpen(std::move(source), nullptr, spec);
        },
        Qt::QueuedConnection);
}

void AnalysisWorker::useCamera(std::shared_ptr<PushFrameSource> input) {
    QMetaObject::invokeMethod(
        this,
        [this, input] {
            const QString name = fromStd(input->info().spec);
            doOpen(input, input, name);
        },
        Qt::QueuedConnection);
}

void AnalysisWorker::closeSource(const QString& reason) {
    QMetaObject::invokeMethod(
        this, [this, reason] { doClose(reason); }, Qt::QueuedConnection);
}

void AnalysisWorker::startRecording(const RecordingRequest& request) {
    QMetaObject::invokeMethod(
        this, [this, request] { doStartRecording(request); }, Qt::QueuedConnection);
}

void AnalysisWorker::stopRecording() {
    QMetaObject::invokeMethod(
        this, [this] { doStopRecording(QString()); }, Qt::QueuedConnection);
}

void AnalysisWorker::addMarker(const QString& label, const QString& note) {
    QMetaObject::invokeMethod(
        this, [this, label, note] { doAddMarker(label, note); }, Qt::QueuedConnection);
}

void AnalysisWorker::setRecordingAllowed(bool allowed) {
    recordingAllowed_.store(allowed);
    if (!allowed) {
        QMetaObject::invokeMethod(
            this,
            [this] {
                if (recording_.load()) {
                    doStopRecording(QString());
                }
            },
            Qt::QueuedConnection);
    }
}

std::optional<AnalysisFrame> AnalysisWorker::takeLatestFrame() {
    std::lock_guard<std::mutex> lock(latestMutex_);
    std::optional<AnalysisFrame> out = std::move(latest_);
    latest_.reset();
    return out;
}

// --- worker thread --------------------------------------------------------------------------

void AnalysisWorker::doApplyConfig(const AnalysisConfig& config) {
    // Load the new stages first (core::makeAnalysisStages, as litefer-cli does: the same
    // defaults, 1 OpenCV and 1 LibTorch thread, and the SessionInfo of what really loaded): if
    // either fails, the running pipeline is left untouched.
    core::AnalysisSetup setup;
    setup.modelPath = config.modelPath.toStdString();
    setup.detector = config.detector.toStdString();
    setup.detectorModel = config.detectorModel.toStdString();
    setup.detectorOptions = config.detection;
    setup.detectorOptions.openCvThreads = 1;  // pipeline.h "Thread layout"
    setup.pipelineOptions.tracker = config.tracking;
    core::AnalysisStages stages;
    try {
        stages = core::makeAnalysisStages(setup);
    } catch (const core::AnalysisSetupError& e) {
        if (e.stage() == core::AnalysisSetupError::Stage::Model) {
            const QString file = e.file().empty() ? config.modelPath : fromStd(e.file());
            Q_EMIT configFailed(
                tr("The model file %1 could not be loaded; the previous model "
                   "stays in use.\n%2")
                    .arg(file.isEmpty() ? tr("(default)") : file, fromStd(e.what())));
        } else {
            Q_EMIT configFailed(tr("The face detector could not be loaded; the previous "
                                   "settings stay in use.\n%1")
                                    .arg(fromStd(e.what())));
        }
        return;
    } catch (const std::exception& e) {
        Q_EMIT configFailed(tr("The analysis settings could not be applied; the previous "
                               "settings stay in use.\n%1")
                                .arg(fromStd(e.what())));
        return;
    }
    const core::EmotionClassifier& classifier = *stages.classifier;
    ModelFacts facts;
    facts.path = fromStd(stages.info.modelPath);
    facts.name = fromStd(stages.info.modelName);
    facts.architecture = fromStd(stages.info.modelArchitecture);
    facts.parameters = classifier.stats().parameters;
    facts.macs = classifier.stats().macs;
    facts.testAccuracy = manifestTestAccuracy(classifier.manifest());
    facts.device = fromStd(stages.info.device);
    facts.detector = fromStd(stages.info.detector);
    facts.detectorModel = fromStd(stages.info.detectorModel);

    if (recording_.load()) {
        // A session is recorded with one model and one detector.
        doStopRecording(QString(), QStringLiteral("model or detector changed"));
    }
    stopRun();
    pipeline_ = std::make_unique<core::Pipeline>(
        std::move(stages.detector), std::move(stages.classifier), stages.pipelineOptions);
    sessionInfo_ = stages.info;
    config_ = config;
    config_.modelPath = facts.path;
    model_ = facts;
    Q_EMIT modelChanged(facts);
    if (source_) {
        startRun();
    }
}

void AnalysisWorker::doOpen(std::shared_ptr<core::FrameSource> source,
                            std::shared_ptr<PushFrameSource> push, const QString& spec) {
    doClose(QString());
    source_ = std::move(source);
    push_ = std::move(push);
    sourceInfo_ = source_->info();  // before the run starts: no other thread reads it yet
    const core::SourceInfo& info = sourceInfo_;
    sourceFacts_ = SourceFacts{};
    sourceFacts_.spec = spec;
    sourceFacts_.kind = fromStd(std::string(core::sourceKindName(info.kind)));
    sourceFacts_.width = info.frameSize.width;
    sourceFacts_.height = info.frameSize.height;
    sourceFacts_.fps = info.fps;
    sourceFacts_.live = info.live;
    Q_EMIT sourceOpened(sourceFacts_);
    if (pipeline_) {
        startRun();
    }
}

void AnalysisWorker::doClose(const QString& reason) {
    if (recording_.load()) {
        doStopRecording(
            reason, reason.isEmpty() ? QStringLiteral("stopped") : QStringLiteral("source closed"));
    }
    stopRun();
    if (source_) {
        source_->close();
    }
    source_.reset();
    push_.reset();
}

void AnalysisWorker::startRun() {
    if (!pipeline_ || !source_ || runThread_.joinable()) {
        return;
    }
    const double paceMs = source_->info().kind == core::SourceKind::ImageFolder
                              ? core::SourceOptions{}.imageIntervalMs
                              : 0.0;
    auto runSource = std::make_shared<RunSource>(source_, paceMs);
    if (push_) {
        push_->clearInterrupt();
    }
    currentRun_ = runSource;
    stopping_ = false;
    running_.store(true);
    const std::uint64_t generation = ++generation_;
    core::Pipeline* pipeline = pipeline_.get();
    runThread_ = std::thread([this, pipeline, runSource, generation] {
        QString message;
        bool lost = false;
        try {
            core::RunSummary summary;
            // A stop() that reached the pipeline after its previous run had ended would end
            // this run at once; run again unless this run was really asked to stop.
            do {
                summary = pipeline->run(*runSource,
                                        [this](const core::FrameResult& r) { handleResult(r); });
            } while (summary.reason == core::EndReason::Stopped && !runSource->stopped());
            message = fromStd(summary.message);
            lost = summary.reason == core::EndReason::SourceLost;
        } catch (const std::exception& e) {
            message = fromStd(e.what());
            lost = true;
        }
        QMetaObject::invokeMethod(
            this, [this, generation, message, lost] { onRunEnded(generation, message, lost); },
            Qt::QueuedConnection);
    });
}

void AnalysisWorker::stopRun() {
    if (!runThread_.joinable()) {
        return;
    }
    stopping_ = true;
    ++generation_;  // the ending run's onRunEnded() is now stale
    if (currentRun_) {
        currentRun_->stop();
    }
    pipeline_->stop();
    if (push_) {
        push_->interrupt();  // a capture thread waiting for the camera returns at once
    }
    runThread_.join();
    currentRun_.reset();
    running_.store(false);
}

void AnalysisWorker::onRunEnded(std::uint64_t generation, const QString& message, bool lost) {
    if (generation != generation_) {
        return;  // a run we stopped ourselves
    }
    if (runThread_.joinable()) {
        runThread_.join();
    }
    currentRun_.reset();
    running_.store(false);
    // A recording ends with its source: complete at the end of a file, with the reason when the
    // camera or stream was lost (what was recorded is kept either way).
    if (recording_.load()) {
        doStopRecording(lost ? message : QString(),
                        lost ? QStringLiteral("source lost") : QStringLiteral("source ended"));
    }
    // The source has nothing more to give: close it (a lost camera comes back as a new input).
    if (source_) {
        source_->close();
    }
    source_.reset();
    push_.reset();
    Q_EMIT sourceEnded(message, lost);
}

void AnalysisWorker::handleResult(const core::FrameResult& result) {
    AnalysisFrame frame;
    frame.image = wrapBgr(result.frame);
    frame.frameId = result.frameId;
    frame.timestampMs = result.timestampMs;
    frame.sourceName = fromStd(result.sourceName);
    frame.faces.reserve(static_cast<qsizetype>(result.faces.size()));
    for (const core::TrackedFace& f : result.faces) {
        FaceState face;
        face.id = f.id;
        face.box = QRectF(f.face.box.x, f.face.box.y, f.face.box.width, f.face.box.height);
        face.hasScores = f.hasScores;
        face.raw = f.raw;
        face.smoothed = f.smoothed;
        face.label = f.label;
        face.uncertain = f.uncertain;
        frame.faces.push_back(face);
    }
    const core::StageTimings& t = result.timings;
    frame.timings = StageTimes{t.captureMs,  t.waitMs,  t.detectMs, t.alignMs,
                               t.classifyMs, t.trackMs, t.totalMs,  t.latencyMs};
    frame.captured = result.counters.captured;
    frame.processed = result.counters.processed;
    frame.dropped = result.counters.dropped;

    latestTimestampMs_.store(result.timestampMs);
    {
        std::lock_guard<std::mutex> lock(recorderMutex_);
        if (recorder_ && !recorderFailed_) {
            try {
                recorder_->record(result);
            } catch (const core::RecordingError& e) {
                recorderFailed_ = true;
                const QString error = fromStd(e.what());
                QMetaObject::invokeMethod(
                    this, [this, error] { doStopRecording(error); }, Qt::QueuedConnection);
            }
        }
    }
    bool announce = false;
    {
        std::lock_guard<std::mutex> lock(latestMutex_);
        if (latest_) {
            displayDropped_.fetch_add(1);
        } else {
            announce = true;
        }
        latest_ = std::move(frame);
    }
    if (announce) {
        Q_EMIT frameAvailable();
    }
}

void AnalysisWorker::doStartRecording(const RecordingRequest& request) {
    if (!recordingAllowed_.load()) {
        Q_EMIT recordingStopped(request.folder, tr("Recording is off in booth mode."));
        return;
    }
    if (recording_.load()) {
        Q_EMIT recordingStopped(request.folder, tr("A recording is already running."));
        return;
    }
    if (!pipeline_ || !source_) {
        Q_EMIT recordingStopped(request.folder,
                                tr("Nothing to record: open a camera or a video first."));
        return;
    }
    if (request.folder.isEmpty()) {
        Q_EMIT recordingStopped(request.folder, tr("No session folder was chosen."));
        return;
    }
    // What loaded (makeAnalysisStages) and what is being analysed, plus what was typed.
    core::SessionInfo info = sessionInfo_;
    core::describeSource(info, sourceInfo_, sourceFacts_.spec.toStdString());
    info.participant = request.participant.toStdString();
    info.session = request.session.toStdString();
    info.notes = request.notes.toStdString();
    core::RecorderOptions options;
    options.writeVideo = request.writeVideo;
    options.blurFaces = request.blurFaces;
    std::unique_ptr<core::SessionRecorder> recorder;
    try {
        recorder =
            std::make_unique<core::SessionRecorder>(request.folder.toStdString(), info, options);
    } catch (const std::exception& e) {
        Q_EMIT recordingStopped(request.folder, fromStd(e.what()));
        return;
    }
    {
        std::lock_guard<std::mutex> lock(recorderMutex_);
        recorder_ = std::move(recorder);
        recordingFolder_ = request.folder;
        recorderFailed_ = false;
    }
    recording_.store(true);
    Q_EMIT recordingStarted(request.folder);
}

void AnalysisWorker::doStopRecording(const QString& error, const QString& endReason) {
    std::unique_ptr<core::SessionRecorder> recorder;
    QString folder;
    {
        std::lock_guard<std::mutex> lock(recorderMutex_);
        recorder = std::move(recorder_);
        folder = recordingFolder_;
        recordingFolder_.clear();
    }
    if (!recorder) {
        return;  // already stopped (e.g. a failure and a user's stop crossing)
    }
    recording_.store(false);
    QString message = error;
    try {
        // session.json's end reason; its status says "failed" only when writing failed.
        const QString reason = !endReason.isEmpty() ? endReason
                               : error.isEmpty()    ? QStringLiteral("stopped")
                                                    : QStringLiteral("recording failed");
        recorder->finish(reason.toStdString());
    } catch (const std::exception& e) {
        message = message.isEmpty() ? fromStd(e.what()) : message;
    }
    if (message.isEmpty() && recorder->failed()) {
        message = fromStd(recorder->error());
    }
    Q_EMIT recordingStopped(folder, message);
}

void AnalysisWorker::doAddMarker(const QString& label, const QString& note) {
    const double tMs = latestTimestampMs_.load();
    {
        std::lock_guard<std::mutex> lock(recorderMutex_);
        if (!recorder_ || recorderFailed_) {
            return;
        }
        try {
            recorder_->addMarker(tMs, label.toStdString(), note.toStdString());
        } catch (const core::RecordingError& e) {
            recorderFailed_ = true;
            const QString error = fromStd(e.what());
            QMetaObject::invokeMethod(
                this, [this, error] { doStopRecording(error); }, Qt::QueuedConnection);
            return;
        }
    }
    Q_EMIT markerAdded(tMs, label);
}

void AnalysisWorker::doShutdown() {
    doClose(QString());
    pipeline_.reset();
}

}  // namespace litefer::ui
