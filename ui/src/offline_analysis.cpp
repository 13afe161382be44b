#include "litefer/ui/offline_analysis.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QMetaObject>
#include <QPointer>
#include <QProgressDialog>
#include <QThread>
#include <QWidget>

#include <algorithm>
#include <chrono>
#include <exception>
#include <memory>
#include <string>
#include <utility>

#include "litefer/core/analysis_setup.h"
#include "litefer/core/frame_source.h"
#include "litefer/core/pipeline.h"
#include "litefer/ui/recording_panel.h"

namespace litefer::ui {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kPermille = 1000;
constexpr auto kProgressEvery = std::chrono::milliseconds(100);
constexpr const char* kCancelledReason = "cancelled";

}  // namespace

QString offlineSessionFolder(const QString& videoPath, const QString& base) {
    const QString root = base.isEmpty() ? defaultSessionsFolder() : base;
    const QString name = sessionFolderName(QFileInfo(videoPath).completeBaseName(),
                                           QStringLiteral("offline"), QDateTime::currentDateTime());
    return QDir(root).filePath(name);
}

OfflineAnalysisJob::OfflineAnalysisJob(QObject* parent) : QObject(parent) {}

OfflineAnalysisJob::~OfflineAnalysisJob() {
    if (thread_ != nullptr) {
        cancel();
        thread_->wait();  // the queued onThreadDone() dies with this object
        delete thread_;
        thread_ = nullptr;
    }
}

bool OfflineAnalysisJob::start(const OfflineAnalysisRequest& request) {
    if (thread_ != nullptr) {
        return false;
    }
    cancelled_.store(false);
    thread_ = QThread::create([this, request] {
        QString folder;
        const QString error = run(request, folder);
        QMetaObject::invokeMethod(
            this, [this, folder, error] { onThreadDone(folder, error); }, Qt::QueuedConnection);
    });
    thread_->setObjectName(QStringLiteral("litefer-offline-analysis"));
    thread_->start();
    return true;
}

void OfflineAnalysisJob::cancel() {
    cancelled_.store(true);
    const std::lock_guard<std::mutex> lock(pipelineMutex_);
    if (pipeline_ != nullptr) {
        pipeline_->stop();
    }
}

void OfflineAnalysisJob::onThreadDone(const QString& folder, const QString& error) {
    if (thread_ != nullptr) {
        thread_->wait();
        delete thread_;
        thread_ = nullptr;
    }
    Q_EMIT finished(folder, error);
}

void OfflineAnalysisJob::postProgress(int permille) {
    QMetaObject::invokeMethod(
        this, [this, permille] { Q_EMIT progress(permille); }, Qt::QueuedConnection);
}

QString OfflineAnalysisJob::run(const OfflineAnalysisRequest& request, QString& createdFolder) {
    const std::string videoPath = request.videoPath.toStdString();
    try {
        // The same core calls as litefer-cli analyze (app/cli/cmd_analyze.cpp), for a file.
        core::SourceOptions sourceOptions;
        sourceOptions.realtime = false;
        std::unique_ptr<core::FrameSource> source = core::openSource(videoPath, sourceOptions);
        const core::SourceInfo sourceInfo = source->info();
        if (sourceInfo.live) {
            return tr("%1 is a camera or a stream, not a file; record it from the live view "
                      "instead")
                .arg(request.videoPath);
        }
        // The stages and their facts as every other analysis builds them (core/analysis_setup.h).
        core::AnalysisSetup setup;
        setup.modelPath = request.modelPath.toStdString();
        setup.detector = request.detector.toStdString();
        setup.detectorModel = request.detectorModel.toStdString();
        setup.detectorOptions = request.detectorOptions;
        setup.classifierOptions.device = core::Device::Cpu;
        core::AnalysisStages stages = core::makeAnalysisStages(setup);

        core::SessionInfo info = stages.info;
        core::describeSource(info, sourceInfo, videoPath);
        info.participant = request.participant.toStdString();
        info.session = request.session.toStdString();
        info.notes = request.notes.toStdString();

        const std::string folder = request.folder.toStdString();
        core::SessionRecorder recorder(folder, info, request.recorderOptions);
        createdFolder = request.folder;
        core::Pipeline pipeline(std::move(stages.detector), std::move(stages.classifier),
                                stages.pipelineOptions);
        {
            const std::lock_guard<std::mutex> lock(pipelineMutex_);
            pipeline_ = &pipeline;
            if (cancelled_.load()) {
                pipeline.stop();  // cancelled while loading: run() returns at once
            }
        }

        std::string recordingError;
        Clock::time_point lastProgress{};
        int lastPermille = -2;
        auto onResult = [&](const core::FrameResult& r) {
            try {
                recorder.record(r);
            } catch (const core::RecordingError& e) {
                recordingError = e.what();
                pipeline.stop();
            }
            const int permille =
                sourceInfo.frameCount > 0
                    ? static_cast<int>(std::min<std::int64_t>(
                          kPermille, static_cast<std::int64_t>(r.counters.captured) * kPermille /
                                         sourceInfo.frameCount))
                    : -1;
            const auto now = Clock::now();
            if (permille != lastPermille && now - lastProgress >= kProgressEvery) {
                lastProgress = now;
                lastPermille = permille;
                postProgress(permille);
            }
        };
        core::RunSummary summary;
        std::string runError;
        try {
            summary = pipeline.runEveryFrame(*source, onResult);
        } catch (const std::exception& e) {
            runError = e.what();
        }
        {
            const std::lock_guard<std::mutex> lock(pipelineMutex_);
            pipeline_ = nullptr;
        }
        const bool cancelled = cancelled_.load() && recordingError.empty() && runError.empty();
        const std::string endReason = !recordingError.empty() ? "recording failed"
                                      : !runError.empty()     ? "analysis failed"
                                      : cancelled
                                          ? kCancelledReason
                                          : std::string(core::endReasonName(summary.reason));
        recorder.finish(endReason);  // throws RecordingError when the final files fail
        if (!cancelled) {
            postProgress(kPermille);
        }
        if (!recordingError.empty()) {
            return QString::fromStdString(recordingError);
        }
        if (!runError.empty()) {
            return tr("the analysis of %1 stopped: %2 (the frames analysed before are kept)")
                .arg(request.videoPath, QString::fromStdString(runError));
        }
        return QString();
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
}

QProgressDialog* OfflineAnalysisJob::showProgressDialog(QWidget* parent) {
    auto* dialog =
        new QProgressDialog(tr("Analysing the video..."), tr("Cancel"), 0, kPermille, parent);
    dialog->setWindowTitle(tr("Offline analysis"));
    dialog->setWindowModality(Qt::WindowModal);
    dialog->setMinimumDuration(0);
    dialog->setAutoClose(false);
    dialog->setAutoReset(false);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setValue(0);
    const QPointer<QProgressDialog> guard(dialog);
    connect(dialog, &QProgressDialog::canceled, this, [this, guard] {
        cancel();
        if (guard) {
            guard->setLabelText(tr("Stopping after the current frame and saving..."));
        }
    });
    connect(this, &OfflineAnalysisJob::progress, dialog, [dialog](int permille) {
        if (permille < 0) {
            dialog->setRange(0, 0);  // busy indicator: the length is unknown
        } else {
            dialog->setValue(permille);
        }
    });
    connect(this, &OfflineAnalysisJob::finished, dialog, [this, dialog] {
        disconnect(dialog, &QProgressDialog::canceled, this, nullptr);  // close() emits it
        dialog->close();
    });
    dialog->show();
    return dialog;
}

}  // namespace litefer::ui
