#include "litefer/ui/main_window.h"
#include "litefer/metrics.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCamera>
#include <QCameraDevice>
#include <QCameraFormat>
#include <QCloseEvent>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontMetrics>
#include <QFormLayout>
#include <QFrame>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QIcon>
#include <QInputDialog>
#include <QKeyEvent>
#include <QKeySequence>
#include <QLabel>
#include <QMediaCaptureSession>
#include <QMediaDevices>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMetaObject>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSize>
#include <QSplitter>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>
#include <QVideoFrame>
#include <QVideoFrameFormat>
#include <QVideoSink>
#include <QtGlobal>

#include <opencv2/core/version.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <tuple>
#include <utility>
#include <vector>

#include "litefer/core/face_detector.h"
#include "litefer/core/model_locator.h"
#include "litefer/json.h"
#include "litefer/manifest.h"
#include "litefer/ui/analysis_worker.h"
#include "litefer/ui/emotion_timeline.h"
#include "litefer/ui/live_view.h"
#include "litefer/ui/push_frame_source.h"
#include "litefer/ui/settings_dialog.h"
#include "litefer/ui/video_frame_convert.h"
#include "litefer/version.h"

#ifdef LITEFER_HAVE_RECORDING_PANEL
#include "litefer/ui/recording_panel.h"
#endif
#ifdef LITEFER_HAVE_SESSION_VIEWER
#include "litefer/ui/session_viewer.h"
#endif
#ifdef LITEFER_HAVE_OFFLINE_ANALYSIS
#include <QProgressDialog>

#include "litefer/ui/offline_analysis.h"
#endif

#ifndef LITEFER_TORCH_VERSION
#define LITEFER_TORCH_VERSION "unknown"
#endif

namespace litefer::ui {

namespace {

constexpr int kStatusTickMs = 1000;   // frame rates, statistics and the REC clock
constexpr int kBoothTickMs = 250;     // booth reset check
constexpr int kPanelWidth = 290;      // px, the side panel
constexpr int kBarSteps = 1000;       // emotion bars resolve 0.1 percentage points
constexpr int kBarHeight = 10;        // px, slim bars
constexpr int kTimelineHeight = 190;  // px, the timeline under the live view
// The followed face is kept through detection misses this long: the tracker's own grace
// (TrackerOptions::maxMissedMs, 500 ms) plus a frame or two.
constexpr double kFollowGraceMs = 600.0;
constexpr QSize kDefaultWindowSize(1180, 720);

// What we ask of a camera by default: 640x480 at 30 frames/s is all the face detector uses (it
// runs on a 320-wide downscale) and keeps conversion cheap; see RUNTIME.md "Video and cameras".
constexpr QSize kDefaultResolution(640, 480);
constexpr int kDefaultFrameRate = 30;
const QList<QSize> kResolutionChoices = {QSize(320, 240), QSize(640, 480), QSize(1280, 720)};
const QList<int> kFrameRateChoices = {15, 30};

// Settings keys (QSettings, organisation "LiteFER", application "LiteFER").
const QString kKeyModel = QStringLiteral("analysis/model");
const QString kKeyDetector = QStringLiteral("analysis/detector");
const QString kKeyYuNet = QStringLiteral("analysis/yunetModel");
const QString kKeyThreshold = QStringLiteral("analysis/scoreThreshold");
const QString kKeyMinFace = QStringLiteral("analysis/minFaceSize");
const QString kKeyTau = QStringLiteral("analysis/smoothingTauMs");
const QString kKeyDwell = QStringLiteral("analysis/dwellMs");
const QString kKeyCamera = QStringLiteral("camera/name");
const QString kKeyCameraWidth = QStringLiteral("camera/width");
const QString kKeyCameraHeight = QStringLiteral("camera/height");
const QString kKeyCameraFps = QStringLiteral("camera/fps");
const QString kKeyMirror = QStringLiteral("view/mirror");
const QString kKeyFirstRun = QStringLiteral("app/firstRunNoticeAccepted");

// Stage order of the statistics panel.
const std::array<const char*, 6> kStageNames = {"detect", "align", "classify",
                                                "track",  "total", "latency"};

QString capitalised(std::string_view name) {
    QString text = QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size()));
    if (!text.isEmpty()) {
        text[0] = text[0].toUpper();
    }
    return text;
}

/// Uncompressed formats first: they need no decoding (MJPEG would cost a JPEG decode per frame).
int pixelFormatRank(QVideoFrameFormat::PixelFormat format) {
    switch (format) {
        case QVideoFrameFormat::Format_YUYV:
        case QVideoFrameFormat::Format_NV12:
            return 0;
        case QVideoFrameFormat::Format_Jpeg:
            return 2;
        default:
            return 1;
    }
}

/// The camera format nearest to `resolution` at `fps`; a null format when the camera lists
/// none (the backend then picks its default).
QCameraFormat preferredFormat(const QList<QCameraFormat>& formats, QSize resolution, int fps) {
    const QCameraFormat* best = nullptr;
    // Lower is better, compared in order: too slow, size distance, pixel format, fewer pixels.
    using Score = std::tuple<bool, qint64, int, qint64>;
    Score bestScore{};
    const qint64 preferredArea = qint64{resolution.width()} * resolution.height();
    for (const QCameraFormat& format : formats) {
        const QSize size = format.resolution();
        const qint64 area = qint64{size.width()} * size.height();
        const Score score{format.maxFrameRate() + 0.5F < static_cast<float>(fps),
                          std::abs(area - preferredArea), pixelFormatRank(format.pixelFormat()),
                          area};
        if (best == nullptr || score < bestScore) {
            best = &format;
            bestScore = score;
        }
    }
    return best != nullptr ? *best : QCameraFormat();
}

QString noCameraMessage() {
    return MainWindow::tr(
        "No camera found.\n"
        "Connect a camera and it starts here by itself \u2014 or open a video, image or stream "
        "(Sources menu), or use litefer-cli for headless analysis of video files.");
}

/// "1.23 M" style counts.
QString humanCount(std::int64_t n) {
    if (n >= 1000000000) {
        return QStringLiteral("%1 G").arg(static_cast<double>(n) / 1e9, 0, 'f', 2);
    }
    if (n >= 1000000) {
        return QStringLiteral("%1 M").arg(static_cast<double>(n) / 1e6, 0, 'f', 2);
    }
    if (n >= 1000) {
        return QStringLiteral("%1 k").arg(static_cast<double>(n) / 1e3, 0, 'f', 1);
    }
    return QString::number(n);
}

double stageOf(const StageTimes& t, std::size_t i) {
    switch (i) {
        case 0:
            return t.detect;
        case 1:
            return t.align;
        case 2:
            return t.classify;
        case 3:
            return t.track;
        case 4:
            return t.total;
        default:
            return t.latency;
    }
}

void setStage(StageTimes& t, std::size_t i, double v) {
    switch (i) {
        case 0:
            t.detect = v;
            break;
        case 1:
            t.align = v;
            break;
        case 2:
            t.classify = v;
            break;
        case 3:
            t.track = v;
            break;
        case 4:
            t.total = v;
            break;
        default:
            t.latency = v;
            break;
    }
}

/// A shipped model's picker entry: "name — 65.8% FER2013 test, 2.2 MB", from its manifest
/// (the .json beside the .lfm, read without loading the weights).
QString modelEntryText(const QString& lfmPath) {
    const QFileInfo file(lfmPath);
    QString name = file.completeBaseName();
    QString accuracy;
    const QString manifestPath =
        file.path() + QLatin1Char('/') + file.completeBaseName() + QStringLiteral(".json");
    try {
        std::ifstream in(manifestPath.toStdString(), std::ios::binary);
        if (in) {
            std::ostringstream text;
            text << in.rdbuf();
            const ModelManifest manifest = ModelManifest::fromJson(json::parse(text.str()));
            name = QString::fromStdString(manifest.architecture);
            if (const json::Value* m = manifest.metrics.find("test_tta_none");
                m != nullptr && m->isObject()) {
                if (const json::Value* a = m->find("accuracy"); a != nullptr && a->isNumber()) {
                    accuracy = MainWindow::tr("%1% test").arg(100.0 * a->asDouble(), 0, 'f', 1);
                }
            }
        }
    } catch (const std::exception&) {
        // A manifest that does not parse: the file name is still a fine label; loading the
        // model will report the problem properly.
    }
    const QString size =
        MainWindow::tr("%1 MB").arg(static_cast<double>(file.size()) / 1e6, 0, 'f', 1);
    return accuracy.isEmpty() ? QStringLiteral("%1 \u2014 %2").arg(name, size)
                              : QStringLiteral("%1 \u2014 %2, %3").arg(name, accuracy, size);
}

}  // namespace

MainWindow::MainWindow(const MainWindowOptions& options, QWidget* parent)
    : QMainWindow(parent), options_(options) {
    setWindowTitle(tr("LiteFER"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/litefer.png")));
    resize(kDefaultWindowSize);

    worker_ = std::make_unique<AnalysisWorker>();

    liveView_ = new LiveView(this);
    liveView_->setMirrored(false);  // until a camera is the source (updateMirror())
    liveView_->setToolTip(tr("Click a face to follow it in the side panel and the timeline"));
    timeline_ = new EmotionTimeline(this);
    timeline_->setMinimumHeight(120);

    splitter_ = new QSplitter(Qt::Vertical, this);
    splitter_->addWidget(liveView_);
    splitter_->addWidget(timeline_);
    splitter_->setStretchFactor(0, 1);
    splitter_->setStretchFactor(1, 0);
    splitter_->setSizes({kDefaultWindowSize.height() - kTimelineHeight, kTimelineHeight});
    splitter_->setChildrenCollapsible(false);

    auto* central = new QWidget(this);
    auto* layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(splitter_, /*stretch=*/1);
    sidePanel_ = createSidePanel();
    layout->addWidget(sidePanel_);
    setCentralWidget(central);

    createActions();
    createMenus();
    createToolBar();
    createStatusBar();
    createRecordingStudio();
    connectWorker();
    connect(liveView_, &LiveView::faceClicked, this, &MainWindow::onFaceClicked);

    mediaDevices_ = new QMediaDevices(this);
    captureSession_ = new QMediaCaptureSession(this);
    videoSink_ = new QVideoSink(this);
    captureSession_->setVideoSink(videoSink_);
    // Direct: the frame is converted on the thread that produced it and only the cv::Mat (a
    // value) travels on, into the worker's newest-wins camera input.
    connect(
        videoSink_, &QVideoSink::videoFrameChanged, this,
        [this](const QVideoFrame& frame) { onVideoFrame(frame); }, Qt::DirectConnection);
    connect(mediaDevices_, &QMediaDevices::videoInputsChanged, this,
            &MainWindow::onVideoInputsChanged);
    rebuildCameraMenu();

    statusTimer_ = new QTimer(this);
    statusTimer_->setInterval(kStatusTickMs);
    connect(statusTimer_, &QTimer::timeout, this, &MainWindow::onStatusTick);
    statusTimer_->start();
    fpsWindow_.start();
    boothTimer_ = new QTimer(this);
    boothTimer_->setInterval(kBoothTickMs);
    connect(boothTimer_, &QTimer::timeout, this, &MainWindow::boothTick);

    // The analysis: configuration first (queued to the worker in order), then the source.
    config_ = configFromSettings();
    applyConfig(config_);
    rebuildModelPicker();

    if (!options_.source.isEmpty()) {
        openSource(options_.source);
    } else if (options_.startCamera) {
        openCamera(setting(kKeyCamera, QString()).toString());
    } else {
        liveView_->setMessage(
            tr("The camera is off.\n"
               "LiteFER was started with --no-camera. Choose a camera or open a video, image "
               "or stream in the Sources menu."));
    }
    updateSourceLabel();
    if (options_.booth) {
        setBoothMode(true);
    } else if (options_.showRecordingStudio && studioDock_ != nullptr) {
        studioDock_->show();
    }
    // Not over booth mode: it shows its own privacy notice, and accepting could not be saved.
    if (options_.firstRunNotice && !options_.booth && !setting(kKeyFirstRun, false).toBool()) {
        QTimer::singleShot(0, this, [this] { showFirstRunNotice(/*force=*/false); });
    }
}

MainWindow::~MainWindow() {
    // Ordered shutdown: no new camera frames (detach the sink, stop the camera), then the
    // worker (run, recording, source, thread), then the widgets.
    disconnect(videoSink_, nullptr, this, nullptr);
    captureSession_->setVideoSink(nullptr);
    if (camera_ != nullptr) {
        captureSession_->setCamera(nullptr);
        camera_->stop();
    }
    worker_->shutdown();
}

void MainWindow::keyPressEvent(QKeyEvent* event) {
    if (booth_ && event->key() == Qt::Key_Escape) {
        setBoothMode(false);
        event->accept();
        return;
    }
    const int digit = event->key() - Qt::Key_0;
    if (recording_ && digit >= 1 && digit <= 9 &&
        (event->modifiers() & ~Qt::KeypadModifier) == Qt::NoModifier) {
        onMarkerKey(digit);
        event->accept();
        return;
    }
    QMainWindow::keyPressEvent(event);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    worker_->stopRecording();  // finish the files before the window goes
    QMainWindow::closeEvent(event);
}

// --- settings ------------------------------------------------------------------------------

QVariant MainWindow::setting(const QString& key, const QVariant& fallback) const {
    return QSettings().value(key, fallback);
}

void MainWindow::saveSetting(const QString& key, const QVariant& value) {
    if (booth_) {
        return;  // booth mode writes nothing to disk
    }
    QSettings().setValue(key, value);
}

AnalysisConfig MainWindow::configFromSettings() const {
    AnalysisConfig config;
    config.modelPath = options_.modelPath.isEmpty() ? setting(kKeyModel, QString()).toString()
                                                    : options_.modelPath;
    if (!options_.modelPath.isEmpty() || !QFileInfo::exists(config.modelPath)) {
        // A remembered model that has gone: fall back to the default (empty = shipped default).
        config.modelPath = options_.modelPath;
    }
    const QString savedDetector = setting(kKeyDetector, QString()).toString();
    config.detectorModel = options_.detectorModel.isEmpty()
                               ? setting(kKeyYuNet, QString()).toString()
                               : options_.detectorModel;
    if (!options_.detector.isEmpty()) {
        config.detector = options_.detector;
    } else if (!savedDetector.isEmpty()) {
        config.detector = savedDetector;
    } else {
        // YuNet when its file can be found (much more accurate, RUNTIME.md), else Haar.
        config.detector = core::findYuNetModel(config.detectorModel.toStdString()).empty()
                              ? QStringLiteral("haar")
                              : QStringLiteral("yunet");
    }
    if (config.detector == QLatin1String("haar") && options_.detectorModel.isEmpty()) {
        config.detectorModel.clear();  // the remembered file is YuNet's
    }
    config.detection.scoreThreshold =
        setting(kKeyThreshold, static_cast<double>(config.detection.scoreThreshold)).value<float>();
    config.detection.minFaceSize = setting(kKeyMinFace, config.detection.minFaceSize).toInt();
    config.tracking.smoothing.tauMs = setting(kKeyTau, config.tracking.smoothing.tauMs).toDouble();
    config.tracking.smoothing.minDwellMs =
        setting(kKeyDwell, config.tracking.smoothing.minDwellMs).toDouble();
    return config;
}

void MainWindow::saveConfig(const AnalysisConfig& config) {
    // Command-line overrides are for this run only.
    if (options_.modelPath.isEmpty()) {
        saveSetting(kKeyModel, config.modelPath);
    }
    if (options_.detector.isEmpty()) {
        saveSetting(kKeyDetector, config.detector);
    }
    if (options_.detectorModel.isEmpty() && config.detector == QLatin1String("yunet")) {
        saveSetting(kKeyYuNet, config.detectorModel);
    }
    saveSetting(kKeyThreshold, static_cast<double>(config.detection.scoreThreshold));
    saveSetting(kKeyMinFace, config.detection.minFaceSize);
    saveSetting(kKeyTau, config.tracking.smoothing.tauMs);
    saveSetting(kKeyDwell, config.tracking.smoothing.minDwellMs);
}

void MainWindow::applyConfig(const AnalysisConfig& config) {
    configPending_ = true;
    pendingConfig_ = config;
    pendingConfigValid_ = true;
    worker_->applyConfig(config);
}

void MainWindow::loadModel(const QString& path) {
    AnalysisConfig next = config_;
    next.modelPath = path;
    applyConfig(next);
}

void MainWindow::setDetector(const QString& kind, const QString& modelFile) {
    AnalysisConfig next = config_;
    next.detector = kind;
    next.detectorModel = modelFile;
    applyConfig(next);
}

// --- construction -------------------------------------------------------------------------

void MainWindow::createActions() {
    openVideoAction_ = new QAction(QIcon::fromTheme(QStringLiteral("video-x-generic")),
                                   tr("Open &video\u2026"), this);
    openVideoAction_->setShortcut(QKeySequence::Open);
    openVideoAction_->setToolTip(tr("Analyse a video file (Ctrl+O)"));
    openVideoAction_->setIconText(tr("Video\u2026"));
    connect(openVideoAction_, &QAction::triggered, this, &MainWindow::openVideoDialog);

    openImageAction_ = new QAction(QIcon::fromTheme(QStringLiteral("image-x-generic")),
                                   tr("Open &image\u2026"), this);
    openImageAction_->setShortcut(QKeySequence(tr("Ctrl+I")));
    openImageAction_->setToolTip(tr("Analyse one image (Ctrl+I)"));
    openImageAction_->setIconText(tr("Image\u2026"));
    connect(openImageAction_, &QAction::triggered, this, &MainWindow::openImageDialog);

    openFolderAction_ =
        new QAction(QIcon::fromTheme(QStringLiteral("folder")), tr("Open &folder\u2026"), this);
    openFolderAction_->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
    openFolderAction_->setToolTip(tr("Analyse every image of a folder, one per second"));
    openFolderAction_->setIconText(tr("Folder\u2026"));
    connect(openFolderAction_, &QAction::triggered, this, &MainWindow::openFolderDialog);

    openStreamAction_ = new QAction(QIcon::fromTheme(QStringLiteral("network-wired")),
                                    tr("Open &stream URL\u2026"), this);
    openStreamAction_->setShortcut(QKeySequence(tr("Ctrl+U")));
    openStreamAction_->setToolTip(tr("Analyse a network stream (rtsp://, http://, ...)"));
    openStreamAction_->setIconText(tr("Stream\u2026"));
    connect(openStreamAction_, &QAction::triggered, this, &MainWindow::openStreamDialog);

    mirrorAction_ = new QAction(tr("&Mirror"), this);
    mirrorAction_->setCheckable(true);
    mirrorAction_->setChecked(options_.mirror && setting(kKeyMirror, true).toBool());
    mirrorAction_->setShortcut(QKeySequence(tr("Ctrl+M")));
    mirrorAction_->setToolTip(
        tr("Show the picture flipped left-right, like a mirror (Ctrl+M). "
           "The analysis is not affected."));
    connect(mirrorAction_, &QAction::toggled, this, [this](bool on) {
        updateMirror();
        saveSetting(kKeyMirror, on);
    });

    boothAction_ =
        new QAction(QIcon::fromTheme(QStringLiteral("view-fullscreen")), tr("&Booth mode"), this);
    boothAction_->setIconText(tr("Booth"));
    boothAction_->setCheckable(true);
    boothAction_->setShortcut(QKeySequence(Qt::Key_F11));
    boothAction_->setToolTip(
        tr("Full-screen demonstration mode: large readout, nothing "
           "recorded or stored (F11; Esc leaves)"));
    connect(boothAction_, &QAction::toggled, this, [this](bool on) { setBoothMode(on); });
    addAction(boothAction_);  // F11 works with the menu bar hidden

    settingsAction_ = new QAction(tr("&Settings\u2026"), this);
    settingsAction_->setIconText(tr("Settings\u2026"));
    settingsAction_->setShortcut(QKeySequence(tr("Ctrl+,")));
    settingsAction_->setToolTip(tr("Detector threshold, smallest face, smoothing and dwell"));
    connect(settingsAction_, &QAction::triggered, this, &MainWindow::showSettingsDialog);

    // Esc (leave booth mode) and 1-9 (markers while recording) are handled in keyPressEvent(),
    // not as shortcuts: they then reach the window only when the focused widget does not want
    // them (a text field keeps its digits), and the recording studio's own key handling
    // (RecordingPanel::keyPressEvent) is not shadowed by an ambiguous shortcut.
}

void MainWindow::createMenus() {
    QMenu* fileMenu = menuBar()->addMenu(tr("&File"));
    fileMenu->addAction(openVideoAction_);
    fileMenu->addAction(openImageAction_);
    fileMenu->addAction(openFolderAction_);
    fileMenu->addAction(openStreamAction_);
    fileMenu->addSeparator();
#ifdef LITEFER_HAVE_SESSION_VIEWER
    QAction* viewSession = fileMenu->addAction(tr("Open recorded &session\u2026"));
    viewSession->setToolTip(tr("Look at a recorded session folder: summary, timeline, markers"));
    connect(viewSession, &QAction::triggered, this, [this] {
        const QString folder = SessionViewer::chooseSessionFolder(this);
        if (!folder.isEmpty()) {
            auto* viewer = new SessionViewer(folder, this);
            viewer->setAttribute(Qt::WA_DeleteOnClose);
            viewer->show();
        }
    });
#endif
#ifdef LITEFER_HAVE_OFFLINE_ANALYSIS
    QAction* offline = fileMenu->addAction(tr("&Analyse a video file to a session\u2026"));
    offline->setToolTip(
        tr("Analyse every frame of a video (faster than real time where the "
           "computer allows) and save it as a session folder"));
    connect(offline, &QAction::triggered, this, [this] {
        const QString video = QFileDialog::getOpenFileName(
            this, tr("Analyse a video file"), QString(),
            tr("Videos (*.mp4 *.mkv *.avi *.mov *.webm *.m4v);;All files (*)"));
        if (video.isEmpty()) {
            return;
        }
        OfflineAnalysisRequest request;
        request.videoPath = video;
        request.folder = offlineSessionFolder(video);
        request.modelPath = model_.path;
        request.detector = config_.detector;
        request.detectorModel = config_.detectorModel;
        request.detectorOptions = config_.detection;
        auto* job = new OfflineAnalysisJob(this);
        connect(job, &OfflineAnalysisJob::finished, this,
                [this, job](const QString& folder, const QString& error) {
                    job->deleteLater();
                    if (!error.isEmpty()) {
                        showProblem(tr("Offline analysis"), error);
                    } else if (!folder.isEmpty()) {
                        statusBar()->showMessage(tr("Session saved in %1").arg(folder), 15000);
                    }
                });
        job->showProgressDialog(this);
        job->start(request);
    });
#endif
    fileMenu->addSeparator();
    QAction* quitAction = fileMenu->addAction(tr("&Quit"));
    quitAction->setShortcut(QKeySequence(tr("Ctrl+Q")));
    quitAction->setMenuRole(QAction::QuitRole);
    connect(quitAction, &QAction::triggered, this, &QWidget::close);

    QMenu* sourcesMenu = menuBar()->addMenu(tr("&Sources"));
    cameraMenu_ = sourcesMenu->addMenu(tr("&Camera"));
    cameraMenu_->setToolTipsVisible(true);
    cameraGroup_ = new QActionGroup(this);
    QMenu* resolutionMenu = sourcesMenu->addMenu(tr("Camera &resolution"));
    resolutionGroup_ = new QActionGroup(this);
    const QSize savedSize(setting(kKeyCameraWidth, kDefaultResolution.width()).toInt(),
                          setting(kKeyCameraHeight, kDefaultResolution.height()).toInt());
    for (const QSize& size : kResolutionChoices) {
        QAction* a = resolutionMenu->addAction(
            QStringLiteral("%1 \u00d7 %2").arg(size.width()).arg(size.height()));
        a->setCheckable(true);
        a->setChecked(size == savedSize);
        a->setData(size);
        resolutionGroup_->addAction(a);
        connect(a, &QAction::triggered, this, [this, size] {
            saveSetting(kKeyCameraWidth, size.width());
            saveSetting(kKeyCameraHeight, size.height());
            if (camera_ != nullptr) {
                openCamera(cameraName_);
            }
        });
    }
    QMenu* fpsMenu = sourcesMenu->addMenu(tr("Camera frame &rate"));
    fpsGroup_ = new QActionGroup(this);
    const int savedFps = setting(kKeyCameraFps, kDefaultFrameRate).toInt();
    for (int fps : kFrameRateChoices) {
        QAction* a = fpsMenu->addAction(tr("%1 frames/s").arg(fps));
        a->setCheckable(true);
        a->setChecked(fps == savedFps);
        fpsGroup_->addAction(a);
        connect(a, &QAction::triggered, this, [this, fps] {
            saveSetting(kKeyCameraFps, fps);
            if (camera_ != nullptr) {
                openCamera(cameraName_);
            }
        });
    }
    sourcesMenu->addSeparator();
    sourcesMenu->addAction(openVideoAction_);
    sourcesMenu->addAction(openImageAction_);
    sourcesMenu->addAction(openFolderAction_);
    sourcesMenu->addAction(openStreamAction_);

    QMenu* analysisMenu = menuBar()->addMenu(tr("&Analysis"));
    QAction* modelFile = analysisMenu->addAction(tr("Open &model file\u2026"));
    modelFile->setToolTip(tr("Use another LiteFER model (.lfm)"));
    connect(modelFile, &QAction::triggered, this, &MainWindow::chooseModelFile);
    QAction* haar = analysisMenu->addAction(tr("Detector: &Haar cascade"));
    connect(haar, &QAction::triggered, this, [this] { setDetector(QStringLiteral("haar")); });
    QAction* yunet = analysisMenu->addAction(tr("Detector: &YuNet"));
    connect(yunet, &QAction::triggered, this,
            [this] { setDetector(QStringLiteral("yunet"), setting(kKeyYuNet, {}).toString()); });
    QAction* yunetFile = analysisMenu->addAction(tr("Choose YuNet &file\u2026"));
    connect(yunetFile, &QAction::triggered, this, &MainWindow::chooseYuNetFile);
    analysisMenu->addSeparator();
    analysisMenu->addAction(settingsAction_);

    QMenu* viewMenu = menuBar()->addMenu(tr("&View"));
    viewMenu_ = viewMenu;
    viewMenu->addAction(mirrorAction_);
    viewMenu->addAction(boothAction_);
    QAction* timelineAction = viewMenu->addAction(tr("&Timeline"));
    timelineAction->setCheckable(true);
    timelineAction->setChecked(true);
    timelineAction->setShortcut(QKeySequence(tr("Ctrl+T")));
    connect(timelineAction, &QAction::toggled, timeline_, &QWidget::setVisible);
    QAction* panelAction = viewMenu->addAction(tr("Side &panel"));
    panelAction->setCheckable(true);
    panelAction->setChecked(true);
    panelAction->setShortcut(QKeySequence(tr("Ctrl+P")));
    connect(panelAction, &QAction::toggled, sidePanel_, &QWidget::setVisible);

    QMenu* helpMenu = menuBar()->addMenu(tr("&Help"));
    QAction* shortcuts = helpMenu->addAction(tr("&Keyboard shortcuts"));
    shortcuts->setShortcut(QKeySequence::HelpContents);
    connect(shortcuts, &QAction::triggered, this, &MainWindow::showShortcuts);
    QAction* notice = helpMenu->addAction(tr("&Intended use and privacy\u2026"));
    connect(notice, &QAction::triggered, this, [this] { showFirstRunNotice(/*force=*/true); });
    helpMenu->addSeparator();
    QAction* aboutAction = helpMenu->addAction(tr("&About LiteFER"));
    aboutAction->setMenuRole(QAction::AboutRole);
    connect(aboutAction, &QAction::triggered, this, &MainWindow::showAbout);
    QAction* aboutQtAction = helpMenu->addAction(tr("About &Qt"));
    aboutQtAction->setMenuRole(QAction::AboutQtRole);
    connect(aboutQtAction, &QAction::triggered, this, [this] { QMessageBox::aboutQt(this); });
}

void MainWindow::createToolBar() {
    toolBar_ = addToolBar(tr("Main"));
    toolBar_->setObjectName(QStringLiteral("mainToolBar"));
    toolBar_->setMovable(false);
    toolBar_->setToolButtonStyle(Qt::ToolButtonTextOnly);

    auto* cameraButton = new QToolButton(toolBar_);
    cameraButton->setText(tr("Camera"));
    cameraButton->setMenu(cameraMenu_);
    cameraButton->setPopupMode(QToolButton::InstantPopup);
    cameraButton->setToolTip(tr("Choose a camera"));
    toolBar_->addWidget(cameraButton);
    toolBar_->addAction(openVideoAction_);
    toolBar_->addAction(openImageAction_);
    toolBar_->addAction(openFolderAction_);
    toolBar_->addAction(openStreamAction_);
    toolBar_->addSeparator();

    toolBar_->addWidget(new QLabel(tr(" Model: "), toolBar_));
    modelPicker_ = new QComboBox(toolBar_);
    modelPicker_->setObjectName(QStringLiteral("modelPicker"));
    modelPicker_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    modelPicker_->setToolTip(
        tr("The emotion model: shipped models with their FER2013 test "
           "accuracy and size, or a model file of your own"));
    connect(modelPicker_, QOverload<int>::of(&QComboBox::activated), this,
            &MainWindow::onModelPicked);
    toolBar_->addWidget(modelPicker_);

    toolBar_->addWidget(new QLabel(tr("  Detector: "), toolBar_));
    detectorPicker_ = new QComboBox(toolBar_);
    detectorPicker_->setObjectName(QStringLiteral("detectorPicker"));
    detectorPicker_->addItem(tr("Haar cascade"), QStringLiteral("haar"));
    detectorPicker_->addItem(tr("YuNet"), QStringLiteral("yunet"));
    detectorPicker_->addItem(tr("Choose YuNet file\u2026"), QString());
    detectorPicker_->setToolTip(
        tr("The face detector: Haar (always available, weaker) or YuNet "
           "(accurate; needs its .onnx file)"));
    connect(detectorPicker_, QOverload<int>::of(&QComboBox::activated), this,
            &MainWindow::onDetectorPicked);
    toolBar_->addWidget(detectorPicker_);
    toolBar_->addSeparator();
    toolBar_->addAction(settingsAction_);
    toolBar_->addAction(mirrorAction_);
    toolBar_->addAction(boothAction_);
}

QWidget* MainWindow::createSidePanel() {
    auto* panel = new QFrame(this);
    panel->setObjectName(QStringLiteral("sidePanel"));
    panel->setFrameShape(QFrame::NoFrame);
    panel->setFixedWidth(kPanelWidth);
    auto* column = new QVBoxLayout(panel);
    column->setContentsMargins(14, 12, 14, 10);
    column->setSpacing(12);
    column->addWidget(createEmotionPanel(panel));
    column->addWidget(createStatsPanel(panel));
    column->addStretch(1);
    auto* privacy = new QLabel(tr("All processing stays on this computer."), panel);
    privacy->setWordWrap(true);
    privacy->setEnabled(false);
    column->addWidget(privacy);
    return panel;
}

QWidget* MainWindow::createEmotionPanel(QWidget* parent) {
    auto* box = new QWidget(parent);
    emotionTitle_ = new QLabel(tr("Expression"), box);
    emotionTitle_->setObjectName(QStringLiteral("emotionTitle"));
    QFont titleFont = emotionTitle_->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    emotionTitle_->setFont(titleFont);

    // One row per emotion in canonical order; the names come from the one table in labels.h.
    auto* grid = new QGridLayout;
    grid->setHorizontalSpacing(8);
    grid->setVerticalSpacing(7);
    const int valueWidth = QFontMetrics(font()).horizontalAdvance(QStringLiteral("100 %"));
    for (std::size_t i = 0; i < kNumEmotions; ++i) {
        auto* name = new QLabel(capitalised(kEmotionNames[i]), box);
        name->setObjectName(QStringLiteral("emotionName"));
        auto* bar = new QProgressBar(box);
        bar->setObjectName(QStringLiteral("emotionBar"));
        bar->setRange(0, kBarSteps);
        bar->setTextVisible(false);
        bar->setFixedHeight(kBarHeight);
        bar->setAccessibleName(name->text());
        // The bar in the emotion's colour, as in the live view and the timeline.
        bar->setStyleSheet(
            QStringLiteral("QProgressBar{border:1px solid palette(mid);border-radius:2px;"
                           "background:palette(base);}QProgressBar::chunk{background:%1;}")
                .arg(emotionColour(static_cast<Emotion>(i)).name()));
        auto* value = new QLabel(box);
        value->setObjectName(QStringLiteral("emotionValue"));
        value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        value->setMinimumWidth(valueWidth);
        name->setBuddy(bar);
        const int row = static_cast<int>(i);
        grid->addWidget(name, row, 0);
        grid->addWidget(bar, row, 1, Qt::AlignVCenter);
        grid->addWidget(value, row, 2);
        emotionBars_[i] = bar;
        emotionValues_[i] = value;
    }
    grid->setColumnStretch(1, 1);

    emotionNote_ = new QLabel(box);
    emotionNote_->setObjectName(QStringLiteral("emotionNote"));
    emotionNote_->setWordWrap(true);
    emotionNote_->setEnabled(false);  // the palette's muted text colour

    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);
    layout->addWidget(emotionTitle_);
    layout->addLayout(grid);
    layout->addWidget(emotionNote_);
    clearEmotionScores();
    return box;
}

QWidget* MainWindow::createStatsPanel(QWidget* parent) {
    auto* group = new QGroupBox(tr("Statistics"), parent);
    group->setObjectName(QStringLiteral("statsPanel"));
    auto* form = new QFormLayout(group);
    form->setContentsMargins(8, 8, 8, 8);
    form->setVerticalSpacing(3);
    form->setLabelAlignment(Qt::AlignLeft);
    auto label = [group](const char* objectName) {
        auto* l = new QLabel(QStringLiteral("\u2013"), group);
        l->setObjectName(QLatin1String(objectName));
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
        return l;
    };
    statCameraFps_ = label("statCameraFps");
    statProcessedFps_ = label("statProcessedFps");
    statDropped_ = label("statDropped");
    form->addRow(tr("Source:"), statCameraFps_);
    form->addRow(tr("Processed:"), statProcessedFps_);
    form->addRow(tr("Dropped:"), statDropped_);
    auto* header = new QLabel(tr("<i>ms, median / p95</i>"), group);
    form->addRow(QString(), header);
    for (std::size_t i = 0; i < kStageNames.size(); ++i) {
        statStage_[i] = label("statStage");
        statStage_[i]->setProperty("stage", QLatin1String(kStageNames[i]));
        form->addRow(capitalised(kStageNames[i]) + QLatin1Char(':'), statStage_[i]);
    }
    statStage_[5]->setToolTip(
        tr("From capture to result: time waiting for processing plus "
           "processing"));
    statModel_ = label("statModel");
    statModel_->setWordWrap(true);
    statParams_ = label("statParams");
    statMacs_ = label("statMacs");
    statDevice_ = label("statDevice");
    statDetector_ = label("statDetector");
    form->addRow(tr("Model:"), statModel_);
    form->addRow(tr("Parameters:"), statParams_);
    form->addRow(tr("Multiply-adds:"), statMacs_);
    form->addRow(tr("Device:"), statDevice_);
    form->addRow(tr("Detector:"), statDetector_);
    return group;
}

void MainWindow::createStatusBar() {
    cameraOnLabel_ = new QLabel(this);
    // Visible whenever the camera is open, so nobody in view is filmed unknowingly.
    cameraOnLabel_->setText(tr("<span style=\"color:#d93025\">\u25cf</span> Camera on"));
    cameraOnLabel_->setToolTip(tr("The camera is in use."));
    cameraOnLabel_->setVisible(false);
    recordingLabel_ = new QLabel(this);
    recordingLabel_->setObjectName(QStringLiteral("statusRecordingIndicator"));
    recordingLabel_->setVisible(false);
    sourceLabel_ = new QLabel(this);
    fpsLabel_ = new QLabel(this);
    fpsLabel_->setText(tr("\u2013 frames/s"));
    statusBar()->addWidget(cameraOnLabel_);
    statusBar()->addWidget(recordingLabel_);
    statusBar()->addWidget(sourceLabel_, /*stretch=*/1);
    statusBar()->addPermanentWidget(fpsLabel_);
}

void MainWindow::createRecordingStudio() {
#ifdef LITEFER_HAVE_RECORDING_PANEL
    // Integration point: the recording studio (recording_panel.h, written separately).
    auto* panel = new RecordingPanel(this);
    studioPanel_ = panel;
    studioDock_ = new QDockWidget(tr("Recording studio"), this);
    studioDock_->setObjectName(QStringLiteral("recordingStudioDock"));
    studioDock_->setWidget(panel);
    addDockWidget(Qt::RightDockWidgetArea, studioDock_);
    connect(panel, &RecordingPanel::startRequested, this,
            [this](const RecordingRequest& request) { worker_->startRecording(request); });
    connect(panel, &RecordingPanel::stopRequested, this, [this] { worker_->stopRecording(); });
    connect(panel, &RecordingPanel::markerRequested, this,
            [this](int, const QString& label, const QString& note) {
                worker_->addMarker(label, note);
            });
    connect(worker_.get(), &AnalysisWorker::recordingStarted, panel,
            &RecordingPanel::onRecordingStarted);
    connect(worker_.get(), &AnalysisWorker::recordingStopped, panel,
            &RecordingPanel::onRecordingStopped);
    connect(worker_.get(), &AnalysisWorker::markerAdded, panel, &RecordingPanel::onMarkerAdded);
    // Hidden until asked for (View > Recording studio, Ctrl+R, or the toolbar's Record
    // button): the live view keeps its room, and nothing about recording shows until wanted.
    studioDock_->hide();
    QAction* toggle = studioDock_->toggleViewAction();
    toggle->setText(tr("&Recording studio"));
    toggle->setIconText(tr("Record\u2026"));
    toggle->setShortcut(QKeySequence(tr("Ctrl+R")));
    toggle->setToolTip(tr("Record a session: participant, consent, markers (Ctrl+R)"));
    viewMenu_->addAction(toggle);
    toolBar_->insertAction(settingsAction_, toggle);
#endif
}

void MainWindow::connectWorker() {
    AnalysisWorker* w = worker_.get();
    connect(w, &AnalysisWorker::frameAvailable, this, &MainWindow::onFrameAvailable);
    connect(w, &AnalysisWorker::modelChanged, this, &MainWindow::onModelChanged);
    connect(w, &AnalysisWorker::configFailed, this, &MainWindow::onConfigFailed);
    connect(w, &AnalysisWorker::sourceOpened, this, &MainWindow::onSourceOpened);
    connect(w, &AnalysisWorker::sourceFailed, this, &MainWindow::onSourceFailed);
    connect(w, &AnalysisWorker::sourceEnded, this, &MainWindow::onSourceEnded);
    connect(w, &AnalysisWorker::recordingStarted, this, &MainWindow::onRecordingStarted);
    connect(w, &AnalysisWorker::recordingStopped, this, &MainWindow::onRecordingStopped);
    connect(w, &AnalysisWorker::markerAdded, this, &MainWindow::addTimelineMarker);
}

// --- sources -------------------------------------------------------------------------------

void MainWindow::openSource(const QString& spec) {
    wantCamera_ = false;
    releaseCamera();
    liveView_->setMessage(tr("Opening %1\u2026").arg(spec));
    source_ = SourceFacts{};
    source_.spec = spec;
    updateSourceLabel();
    worker_->openSource(spec);
}

bool MainWindow::openCamera(const QString& name) {
    wantCamera_ = true;
    releaseCamera();
    worker_->closeSource();  // a file or stream in progress stops now, not at the first frame
    source_ = SourceFacts{};
    return startCamera(name);
}

bool MainWindow::hasCamera() const {
    return camera_ != nullptr;
}

QString MainWindow::cameraName() const {
    return camera_ != nullptr ? cameraName_ : QString();
}

QString MainWindow::statusMessage() const {
    return liveView_->message();
}

bool MainWindow::startCamera(const QString& name) {
    const QList<QCameraDevice> inputs = QMediaDevices::videoInputs();
    if (inputs.isEmpty()) {
        showCameraMessage(noCameraMessage());
        return false;
    }
    QCameraDevice device;
    for (const QCameraDevice& d : inputs) {
        if (!name.isEmpty() && d.description() == name) {
            device = d;
        }
    }
    if (device.isNull()) {
        device = QMediaDevices::defaultVideoInput();
        if (device.isNull() || !inputs.contains(device)) {
            device = inputs.front();
        }
    }
    camera_ = new QCamera(device, this);
    cameraName_ = device.description();
    connect(camera_, &QCamera::errorOccurred, this,
            [this](QCamera::Error, const QString& errorString) { onCameraError(errorString); });
    connect(camera_, &QCamera::activeChanged, this, &MainWindow::onCameraActiveChanged);
    const QSize wanted(setting(kKeyCameraWidth, kDefaultResolution.width()).toInt(),
                       setting(kKeyCameraHeight, kDefaultResolution.height()).toInt());
    const int fps = setting(kKeyCameraFps, kDefaultFrameRate).toInt();
    const QCameraFormat format = preferredFormat(device.videoFormats(), wanted, fps);
    if (!format.isNull()) {
        camera_->setCameraFormat(format);
    }
    {
        std::lock_guard<std::mutex> lock(cameraInputMutex_);
        const QSize size = format.isNull() ? wanted : format.resolution();
        cameraSize_ = cv::Size(size.width(), size.height());
        cameraFps_ = format.isNull() ? fps : static_cast<double>(format.maxFrameRate());
        cameraInput_ =
            std::make_shared<PushFrameSource>(cameraName_.toStdString(), cameraSize_, cameraFps_);
        cameraInputHandedOver_ = false;  // handed to the worker with the first frame
    }
    captureSession_->setCamera(camera_);
    liveView_->setMessage(tr("Starting the camera\u2026\n%1").arg(cameraName_));
    for (QAction* a : cameraGroup_->actions()) {
        a->setChecked(a->data().toString() == cameraName_);
    }
    camera_->start();
    // Some backends report a failure synchronously, before our signal could be delivered.
    if (camera_ != nullptr && camera_->error() != QCamera::NoError) {
        onCameraError(camera_->errorString());
        return true;
    }
    updateSourceLabel();
    return true;
}

void MainWindow::releaseCamera() {
    {
        std::lock_guard<std::mutex> lock(cameraInputMutex_);
        if (cameraInput_) {
            cameraInput_->close();
        }
        cameraInput_.reset();
    }
    if (camera_ == nullptr) {
        return;
    }
    QCamera* camera = std::exchange(camera_, nullptr);
    disconnect(camera, nullptr, this, nullptr);
    captureSession_->setCamera(nullptr);
    camera->stop();
    camera->deleteLater();  // we may be inside one of its signals
    worker_->closeSource();
    updateSourceLabel();
}

void MainWindow::onCameraError(const QString& errorString) {
    const QString name = cameraName_;
    releaseCamera();
    // Qt 6.4 has no camera permission API; on Linux a permission problem or a busy device
    // arrives here as an error opening the device.
    showCameraMessage(
        tr("The camera could not be used.\n"
           "%1: %2\n"
           "Another program may be using it (busy), or this user may lack permission to open "
           "it (on Linux, membership of the 'video' group).")
            .arg(name, errorString.isEmpty() ? tr("unknown error") : errorString));
}

void MainWindow::onCameraActiveChanged(bool) {
    updateSourceLabel();  // the format in use is known once the camera runs
}

void MainWindow::onVideoInputsChanged() {
    rebuildCameraMenu();
    const QList<QCameraDevice> inputs = QMediaDevices::videoInputs();
    if (camera_ != nullptr && !inputs.contains(camera_->cameraDevice())) {
        const QString name = cameraName_;
        worker_->closeSource(tr("the camera %1 was disconnected").arg(name));
        releaseCamera();
        showCameraMessage(tr("The camera was disconnected.\n%1 is gone. Connect it again and "
                             "the analysis resumes by itself.")
                              .arg(name));
        return;
    }
    // Reconnect: a camera is the chosen source and one is (back) there.
    if (camera_ == nullptr && wantCamera_ && !inputs.isEmpty()) {
        startCamera(setting(kKeyCamera, cameraName_).toString());
    }
}

void MainWindow::rebuildCameraMenu() {
    for (QAction* a : cameraGroup_->actions()) {
        cameraGroup_->removeAction(a);
        cameraMenu_->removeAction(a);
        a->deleteLater();
    }
    cameraMenu_->clear();
    const QList<QCameraDevice> inputs = QMediaDevices::videoInputs();
    if (inputs.isEmpty()) {
        QAction* none = cameraMenu_->addAction(tr("No camera found"));
        none->setEnabled(false);
        return;
    }
    for (const QCameraDevice& d : inputs) {
        QAction* a = cameraMenu_->addAction(d.description());
        a->setCheckable(true);
        a->setData(d.description());
        a->setChecked(camera_ != nullptr && d.description() == cameraName_);
        cameraGroup_->addAction(a);
        const QString name = d.description();
        connect(a, &QAction::triggered, this, [this, name] {
            saveSetting(kKeyCamera, name);
            openCamera(name);
        });
    }
}

void MainWindow::onVideoFrame(const QVideoFrame& frame) {
    // Video sink thread.
    std::shared_ptr<PushFrameSource> input;
    bool handOver = false;
    {
        std::lock_guard<std::mutex> lock(cameraInputMutex_);
        if (!cameraInput_) {
            return;  // no camera wanted any more
        }
        if (cameraInput_->closed()) {
            // The worker ended the last run (camera stalled, then came back): a fresh input.
            cameraInput_ = std::make_shared<PushFrameSource>(cameraName_.toStdString(), cameraSize_,
                                                             cameraFps_);
            cameraInputHandedOver_ = false;
        }
        input = cameraInput_;
        handOver = !std::exchange(cameraInputHandedOver_, true);
    }
    input->push(videoFrameToBgr(frame));  // the frame's one conversion
    if (handOver) {
        // The first frame: the camera really runs, so the pipeline's watchdog may start now.
        QMetaObject::invokeMethod(
            this, [this, input] { worker_->useCamera(input); }, Qt::QueuedConnection);
    }
}

void MainWindow::showCameraMessage(const QString& message) {
    liveView_->setMessage(message);
    clearEmotionScores();
    updateSourceLabel();
}

void MainWindow::updateSourceLabel() {
    if (camera_ != nullptr) {
        const QSize size = camera_->cameraFormat().resolution();
        sourceLabel_->setText(size.isValid() ? tr("Camera: %1 (%2\u00d7%3)")
                                                   .arg(cameraName_)
                                                   .arg(size.width())
                                                   .arg(size.height())
                                             : tr("Camera: %1").arg(cameraName_));
    } else if (!source_.spec.isEmpty()) {
        const QString name = QFileInfo(source_.spec).fileName().isEmpty()
                                 ? source_.spec
                                 : QFileInfo(source_.spec).fileName();
        sourceLabel_->setText(source_.width > 0
                                  ? tr("%1: %2 (%3\u00d7%4)")
                                        .arg(capitalised(source_.kind.toStdString()), name)
                                        .arg(source_.width)
                                        .arg(source_.height)
                                  : name);
    } else {
        sourceLabel_->setText(wantCamera_ ? tr("Camera: none") : tr("No source"));
    }
    cameraOnLabel_->setVisible(camera_ != nullptr && camera_->isActive());
}

// --- worker results ------------------------------------------------------------------------

void MainWindow::onFrameAvailable() {
    std::optional<AnalysisFrame> frame = worker_->takeLatestFrame();
    if (!frame) {
        return;
    }
    ++analysedFrames_;
    ++framesInWindow_;
    runCaptured_ = frame->captured;
    runProcessed_ = frame->processed;
    runDropped_ = frame->dropped;
    stageWindow_.push_back(frame->timings);
    while (stageWindow_.size() > static_cast<std::size_t>(kStatsWindow)) {
        stageWindow_.pop_front();
    }
    if (stageWindow_.size() == 1) {
        // The first frame of a source (maybe its only one: an image) shows at once; the rest
        // is refreshed once a second by onStatusTick().
        updateLatencyStats();
        updateStatsPanel();
    }

    // Which face the panel and the timeline follow: the one followed so far (clicked, or chosen
    // before) while its track lives, through short detection misses; else the largest face.
    // The timeline starts afresh when the followed face changes: it shows one face's history.
    int index = -1;
    for (int i = 0; i < frame->faces.size(); ++i) {
        if (frame->faces[i].id == selectedFaceId_) {
            index = i;
        }
    }
    if (index < 0) {
        const double missedMs = frame->timestampMs - selectedSeenMs_;
        const bool stillTracked =
            selectedFaceId_ >= 0 && missedMs >= 0.0 && missedMs <= kFollowGraceMs;
        if (!stillTracked) {
            index = pickFace(frame->faces, -1);
            const int next = index >= 0 ? frame->faces[index].id : -1;
            if (next >= 0 && selectedFaceId_ >= 0 && next != selectedFaceId_) {
                timeline_->clear();
            }
            selectedFaceId_ = next;
        }
    }
    if (index >= 0) {
        selectedSeenMs_ = frame->timestampMs;
    }
    liveView_->setSelectedFace(selectedFaceId_);
    liveView_->setFrame(*frame);
    if (index >= 0) {
        sinceLastFace_.start();
        boothResetDone_ = false;
        const FaceState& face = frame->faces[index];
        emotionTitle_->setText(tr("Expression \u2014 face #%1").arg(face.id));
        if (face.hasScores) {
            setEmotionScores(face.smoothed);
            emotionNote_->setText(face.uncertain ? tr("Uncertain: no emotion clearly leads.")
                                                 : QString());
            timeline_->addPoint(frame->timestampMs, face.smoothed);
        }
    } else if (selectedFaceId_ < 0) {
        emotionTitle_->setText(tr("Expression"));
        clearEmotionScores();
        emotionNote_->setText(tr("No face in view."));
    }  // else: a short miss of the followed face; the panel keeps its last reading
    Q_EMIT frameAnalysed(analysedFrames_);
}

void MainWindow::onModelChanged(const ModelFacts& facts) {
    configPending_ = false;
    config_ = pendingConfigValid_ ? pendingConfig_ : config_;
    pendingConfigValid_ = false;
    config_.modelPath = facts.path;
    config_.detector = facts.detector;
    if (facts.detector == QLatin1String("yunet")) {
        config_.detectorModel = facts.detectorModel;
    }
    model_ = facts;
    saveConfig(config_);
    timeline_->clear();
    stageWindow_.clear();
    rebuildModelPicker();
    updateStatsPanel();
    Q_EMIT modelChanged(facts);
}

void MainWindow::onConfigFailed(const QString& message) {
    configPending_ = false;
    const AnalysisConfig failed = pendingConfig_;
    pendingConfigValid_ = false;
    // At start, a remembered model or YuNet file that no longer loads must not leave the app
    // without analysis: fall back once to the shipped default model and the Haar detector
    // (command-line choices are not second-guessed), and say so.
    if (model_.name.isEmpty() && !startupFallbackTried_ &&
        (options_.modelPath.isEmpty() || options_.detector.isEmpty())) {
        startupFallbackTried_ = true;
        AnalysisConfig fallback = failed;
        if (options_.modelPath.isEmpty()) {
            fallback.modelPath.clear();
        }
        if (options_.detector.isEmpty()) {
            fallback.detector = QStringLiteral("haar");
            fallback.detectorModel.clear();
        }
        applyConfig(fallback);
        showProblem(
            tr("Model or detector not loaded"),
            tr("%1\nLiteFER uses the shipped model and the Haar detector instead.").arg(message));
        return;
    }
    rebuildModelPicker();  // the pickers show what runs, not what failed
    if (model_.name.isEmpty()) {
        liveView_->setMessage(tr("The analysis could not start.\n%1").arg(message));
    }
    showProblem(tr("Model or detector not loaded"), message);
    Q_EMIT configFailed(message);
}

void MainWindow::updateMirror() {
    // A selfie view is what people expect of a camera facing them; a video, image or stream is
    // shown as it is (text in it stays readable).
    liveView_->setMirrored(mirrorAction_->isChecked() && source_.kind == QLatin1String("camera"));
}

void MainWindow::onSourceOpened(const SourceFacts& facts) {
    source_ = facts;
    updateMirror();
    if (camera_ != nullptr) {
        source_.spec = cameraName_;
    }
    timeline_->clear();
    stageWindow_.clear();
    lastCaptured_ = 0;
    lastProcessed_ = 0;
    runCaptured_ = runProcessed_ = runDropped_ = 0;
    selectedFaceId_ = -1;
    updateSourceLabel();
}

void MainWindow::onSourceFailed(const QString& message) {
    source_ = SourceFacts{};
    liveView_->setMessage(message);
    clearEmotionScores();
    updateSourceLabel();
    showProblem(tr("Source not opened"), message);
    Q_EMIT sourceFailed(message);
}

void MainWindow::onSourceEnded(const QString& message, bool lost) {
    if (lost && camera_ != nullptr) {
        // The pipeline's watchdog: the camera stopped sending. Keep the QCamera: when frames
        // come again, onVideoFrame() hands a fresh input to the worker.
        showCameraMessage(tr("No picture from the camera.\n%1 has sent nothing for 2 s. Is it "
                             "still connected, or in use by another program? The analysis "
                             "resumes when pictures come again.")
                              .arg(cameraName_));
    } else if (lost) {
        liveView_->setMessage(tr("The source was lost.\n%1").arg(message));
    } else {
        statusBar()->showMessage(tr("Finished: %1").arg(message), 10000);
    }
    Q_EMIT sourceEnded(message, lost);
}

void MainWindow::onStatusTick() {
    const qint64 elapsedMs = fpsWindow_.restart();
    const double seconds = elapsedMs > 0 ? static_cast<double>(elapsedMs) / 1000.0 : 1.0;
    framesPerSecond_ = framesInWindow_ / seconds;
    framesInWindow_ = 0;
    stats_.processedFps = runProcessed_ >= lastProcessed_
                              ? static_cast<double>(runProcessed_ - lastProcessed_) / seconds
                              : 0.0;
    stats_.cameraFps = runCaptured_ >= lastCaptured_
                           ? static_cast<double>(runCaptured_ - lastCaptured_) / seconds
                           : 0.0;
    lastProcessed_ = runProcessed_;
    lastCaptured_ = runCaptured_;
    updateLatencyStats();
    fpsLabel_->setText(framesPerSecond_ > 0.0
                           ? tr("Analysed: %1 frames/s").arg(framesPerSecond_, 0, 'f', 1)
                           : tr("\u2013 frames/s"));
    updateStatsPanel();
    if (recording_) {
        const qint64 s = recordingClock_.elapsed() / 1000;
        recordingLabel_->setText(tr("<b><span style=\"color:#d93025\">\u25cf REC %1:%2</span></b>")
                                     .arg(s / 60, 2, 10, QLatin1Char('0'))
                                     .arg(s % 60, 2, 10, QLatin1Char('0')));
    }
}

void MainWindow::updateLatencyStats() {
    stats_.dropped = runDropped_;
    stats_.samples = static_cast<int>(stageWindow_.size());
    for (std::size_t i = 0; i < kStageNames.size(); ++i) {
        std::vector<double> v;
        v.reserve(stageWindow_.size());
        for (const StageTimes& t : stageWindow_) {
            v.push_back(stageOf(t, i));
        }
        setStage(stats_.median, i, litefer::percentile(v, 0.5));
        setStage(stats_.p95, i, litefer::percentile(v, 0.95));
    }
}

void MainWindow::updateStatsPanel() {
    const bool any = stats_.samples > 0;
    statCameraFps_->setText(any ? tr("%1 frames/s").arg(stats_.cameraFps, 0, 'f', 1)
                                : QStringLiteral("\u2013"));
    statProcessedFps_->setText(any ? tr("%1 frames/s").arg(stats_.processedFps, 0, 'f', 1)
                                   : QStringLiteral("\u2013"));
    statDropped_->setText(QString::number(stats_.dropped));
    for (std::size_t i = 0; i < kStageNames.size(); ++i) {
        statStage_[i]->setText(any ? QStringLiteral("%1 / %2")
                                         .arg(stageOf(stats_.median, i), 0, 'f', 1)
                                         .arg(stageOf(stats_.p95, i), 0, 'f', 1)
                                   : QStringLiteral("\u2013"));
    }
    if (!model_.name.isEmpty()) {
        statModel_->setText(model_.architecture);
        statModel_->setToolTip(QStringLiteral("%1\n%2").arg(model_.name, model_.path));
        statParams_->setText(humanCount(model_.parameters));
        statMacs_->setText(tr("%1 per face").arg(humanCount(model_.macs)));
        statDevice_->setText(model_.device);
        statDetector_->setText(model_.detector == QLatin1String("yunet") ? tr("YuNet")
                                                                         : tr("Haar cascade"));
        statDetector_->setToolTip(model_.detectorModel);
    }
}

void MainWindow::onFaceClicked(int id) {
    if (id < 0) {
        return;
    }
    if (id != selectedFaceId_) {
        timeline_->clear();  // the timeline follows one face
    }
    selectedFaceId_ = id;
    liveView_->setSelectedFace(id);
}

void MainWindow::showFrame(const QImage& frame) {
    if (frame.isNull()) {
        return;
    }
    liveView_->setImage(frame);
    ++framesInWindow_;
}

void MainWindow::setEmotionScores(const EmotionScores& scores) {
    for (std::size_t i = 0; i < kNumEmotions; ++i) {
        const double p = qBound(0.0, static_cast<double>(scores[i]), 1.0);
        emotionBars_[i]->setValue(static_cast<int>(std::lround(p * kBarSteps)));
        emotionValues_[i]->setText(tr("%1 %").arg(p * 100.0, 0, 'f', 0));
    }
    emotionNote_->clear();
}

void MainWindow::clearEmotionScores() {
    for (std::size_t i = 0; i < kNumEmotions; ++i) {
        emotionBars_[i]->setValue(0);
        emotionValues_[i]->setText(QStringLiteral("\u2013"));
    }
    emotionNote_->clear();
}

void MainWindow::addTimelineMarker(double tMs, const QString& label) {
    timeline_->addMarker(tMs, label);
}

// --- booth mode ----------------------------------------------------------------------------

void MainWindow::setBoothMode(bool on) {
    if (booth_ == on) {
        return;
    }
    if (on) {
        worker_->setRecordingAllowed(false);  // stops a running recording too
        booth_ = true;                        // from here on, saveSetting() writes nothing
        wasMaximized_ = isMaximized();
        menuBar()->hide();
        toolBar_->hide();
        statusBar()->hide();
        sidePanel_->hide();
        timeline_->hide();
        if (studioDock_ != nullptr) {
            studioDock_->hide();
        }
        liveView_->setBoothMode(true);
        sinceLastFace_.start();
        boothResetDone_ = false;
        boothTimer_->start();
        showFullScreen();
    } else {
        boothTimer_->stop();
        liveView_->setBoothMode(false);
        menuBar()->show();
        toolBar_->show();
        statusBar()->show();
        sidePanel_->show();
        timeline_->show();
        if (studioDock_ != nullptr) {
            studioDock_->show();
        }
        if (wasMaximized_) {
            showMaximized();
        } else {
            showNormal();
        }
        booth_ = false;
        worker_->setRecordingAllowed(true);
    }
    const QSignalBlocker blocker(boothAction_);
    boothAction_->setChecked(on);
}

void MainWindow::boothTick() {
    // Nobody in view for kBoothResetMs: start afresh for the next visitor. The tracker has
    // already ended the old tracks (TrackerOptions::maxMissedMs = 0.5 s), so the next face gets
    // a new track with a fresh smoother; here the display state goes too.
    if (!boothResetDone_ && sinceLastFace_.isValid() && sinceLastFace_.elapsed() > kBoothResetMs) {
        boothResetDone_ = true;
        timeline_->clear();
        selectedFaceId_ = -1;
        liveView_->setSelectedFace(-1);
        clearEmotionScores();
    }
}

// --- pickers and dialogs -------------------------------------------------------------------

void MainWindow::rebuildModelPicker() {
    const QSignalBlocker blocker(modelPicker_);
    modelPicker_->clear();
    std::vector<std::string> shipped;
    try {
        shipped = core::shippedModels();
    } catch (const std::exception&) {
        // No model folder: only "Open model file..." remains.
    }
    const QString current = QFileInfo(model_.path).canonicalFilePath();
    int currentIndex = -1;
    for (const std::string& path : shipped) {
        const QString p = QString::fromStdString(path);
        modelPicker_->addItem(modelEntryText(p), p);
        modelPicker_->setItemData(modelPicker_->count() - 1, p, Qt::ToolTipRole);
        if (QFileInfo(p).canonicalFilePath() == current) {
            currentIndex = modelPicker_->count() - 1;
        }
    }
    if (currentIndex < 0 && !model_.path.isEmpty()) {
        modelPicker_->addItem(modelEntryText(model_.path), model_.path);
        currentIndex = modelPicker_->count() - 1;
    }
    modelPicker_->addItem(tr("Open model file\u2026"), QString());
    modelPicker_->setCurrentIndex(std::max(0, currentIndex));

    const QSignalBlocker detectorBlocker(detectorPicker_);
    detectorPicker_->setCurrentIndex(model_.detector == QLatin1String("yunet") ? 1 : 0);
}

void MainWindow::onModelPicked(int index) {
    const QString path = modelPicker_->itemData(index).toString();
    if (path.isEmpty()) {
        chooseModelFile();
        rebuildModelPicker();
        return;
    }
    loadModel(path);
}

void MainWindow::onDetectorPicked(int index) {
    const QString kind = detectorPicker_->itemData(index).toString();
    if (kind.isEmpty()) {
        chooseYuNetFile();
    } else if (kind == QLatin1String("yunet")) {
        setDetector(kind, setting(kKeyYuNet, config_.detectorModel).toString());
    } else {
        setDetector(kind);
    }
    rebuildModelPicker();
}

void MainWindow::chooseModelFile() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a LiteFER model"),
                                                      QFileInfo(model_.path).path(),
                                                      tr("LiteFER models (*.lfm);;All files (*)"));
    if (!path.isEmpty()) {
        loadModel(path);
    }
}

void MainWindow::chooseYuNetFile() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Choose the YuNet face detector"), QString(),
        tr("YuNet ONNX model (face_detection_yunet*.onnx);;ONNX models (*.onnx)"));
    if (!path.isEmpty()) {
        setDetector(QStringLiteral("yunet"), path);
    }
}

void MainWindow::openVideoDialog() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open a video"), QString(),
        tr("Videos (*.mp4 *.mkv *.avi *.mov *.webm *.m4v);;All files (*)"));
    if (!path.isEmpty()) {
        openSource(path);
    }
}

void MainWindow::openImageDialog() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open an image"), QString(),
        tr("Images (*.jpg *.jpeg *.png *.bmp *.webp *.tif *.tiff *.pgm *.ppm);;All files (*)"));
    if (!path.isEmpty()) {
        openSource(path);
    }
}

void MainWindow::openFolderDialog() {
    const QString path =
        QFileDialog::getExistingDirectory(this, tr("Open a folder of images"), QString());
    if (!path.isEmpty()) {
        openSource(path);
    }
}

void MainWindow::openStreamDialog() {
    bool ok = false;
    const QString url = QInputDialog::getText(
        this, tr("Open a stream"),
        tr("Stream URL (rtsp://, rtsps://, rtmp://, http(s)://, udp://, tcp://, srt://):"),
        QLineEdit::Normal, QStringLiteral("rtsp://"), &ok);
    if (ok && !url.trimmed().isEmpty()) {
        openSource(url.trimmed());
    }
}

void MainWindow::showSettingsDialog() {
    SettingsDialog dialog(config_, this);
    if (dialog.exec() == QDialog::Accepted) {
        applyConfig(dialog.result(config_));
    }
}

void MainWindow::showProblem(const QString& title, const QString& message) {
    lastError_ = message;
    statusBar()->showMessage(message.section(QLatin1Char('\n'), 0, 0), 15000);
    if (booth_ || !isVisible()) {
        return;  // no dialogs over the booth; the message is in the view or status bar
    }
    // Non-blocking (open(), not exec()): the analysis and the window go on behind it.
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName(QStringLiteral("problemBox"));
    box->open();
}

void MainWindow::showFirstRunNotice(bool force) {
    auto* dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("firstRunNotice"));
    dialog->setWindowTitle(tr("Welcome to LiteFER"));
    auto* text = new QLabel(dialog);
    text->setWordWrap(true);
    text->setTextFormat(Qt::RichText);
    text->setText(
        tr("<h3>What LiteFER does</h3>"
           "<p>LiteFER finds faces in a camera picture, video or image and estimates, for each "
           "face, the probabilities of seven basic expressions (angry, disgust, fear, happy, sad, "
           "surprise, neutral).</p>"
           "<p><b>Everything is processed on this computer.</b> Nothing is sent anywhere, and "
           "nothing is stored unless you start a recording.</p>"
           "<p><b>Intended uses:</b> research, clinical work and demonstrations, with the informed "
           "consent of the people filmed.</p>"
           "<p><b>Not for</b> emotion monitoring of employees or students: emotion recognition in "
           "workplaces and education is prohibited in the EU (AI Act, Regulation 2024/1689, "
           "Art.&nbsp;5(1)(f)), except for medical or safety reasons. People in view must be "
           "informed (Art.&nbsp;50(3)).</p>"
           "<p><b>Limits:</b> the shipped model is right about 66\u201368% of the time on the "
           "FER2013 test set, close to human agreement on that data. A facial expression is not a "
           "feeling: treat every reading as an estimate.</p>"));
    text->setMinimumWidth(520);
    auto* buttons = new QDialogButtonBox(dialog);
    QPushButton* ok = buttons->addButton(tr("I understand"), QDialogButtonBox::AcceptRole);
    ok->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    auto* layout = new QVBoxLayout(dialog);
    layout->addWidget(text);
    layout->addWidget(buttons);
    if (!force) {
        connect(dialog, &QDialog::accepted, this, [this] { saveSetting(kKeyFirstRun, true); });
    }
    dialog->open();
}

void MainWindow::showShortcuts() {
    QMessageBox::information(
        this, tr("Keyboard shortcuts"),
        tr("<table cellspacing=4>"
           "<tr><td><b>Ctrl+O</b></td><td>Open a video</td></tr>"
           "<tr><td><b>Ctrl+I</b></td><td>Open an image</td></tr>"
           "<tr><td><b>Ctrl+Shift+O</b></td><td>Open a folder of images</td></tr>"
           "<tr><td><b>Ctrl+U</b></td><td>Open a stream URL</td></tr>"
           "<tr><td><b>Ctrl+M</b></td><td>Mirror the picture</td></tr>"
           "<tr><td><b>Ctrl+T</b> / <b>Ctrl+P</b></td><td>Show or hide the timeline / side "
           "panel</td></tr>"
           "<tr><td><b>Ctrl+,</b></td><td>Analysis settings</td></tr>"
           "<tr><td><b>F11</b></td><td>Booth mode on/off</td></tr>"
           "<tr><td><b>Esc</b></td><td>Leave booth mode</td></tr>"
           "<tr><td><b>1</b>\u2013<b>9</b></td><td>Add a marker (while recording)</td></tr>"
           "<tr><td><b>Ctrl+R</b></td><td>Show or hide the recording studio</td></tr>"
           "<tr><td><b>Ctrl+Q</b></td><td>Quit</td></tr>"
           "</table><p>Click a face to follow it in the side panel and the timeline.</p>"));
}

void MainWindow::showAbout() {
    const QString accuracy =
        model_.testAccuracy >= 0.0
            ? tr("%1% on the FER2013 test set").arg(100.0 * model_.testAccuracy, 0, 'f', 1)
            : tr("not stated in its manifest");
    QMessageBox about(this);
    about.setWindowTitle(tr("About LiteFER"));
    about.setIconPixmap(QPixmap(QStringLiteral(":/icons/litefer-64.png")));
    about.setText(
        tr("<h3>LiteFER %1</h3>"
           "<p>Real-time facial expression recognition, processed on this computer.</p>"
           "<p>Qt %2 (built with %3), OpenCV %4, LibTorch %5.</p>"
           "<p><b>Model:</b> %6 (%7)<br>%8 parameters, %9 multiply-adds per face, "
           "accuracy %10<br>on %11; face detector: %12</p>"
           "<p><b>Intended use:</b> research, clinical studies and demonstrations, with the "
           "people in view informed and agreeing. Not for monitoring employees or students "
           "(prohibited in the EU by the AI Act, Art.&nbsp;5(1)(f)).</p>")
            .arg(QString::fromLatin1(kVersion), QString::fromLatin1(qVersion()),
                 QStringLiteral(QT_VERSION_STR), QStringLiteral(CV_VERSION),
                 QStringLiteral(LITEFER_TORCH_VERSION), model_.architecture.toHtmlEscaped(),
                 model_.name.toHtmlEscaped(), humanCount(model_.parameters),
                 humanCount(model_.macs))
            .arg(accuracy, model_.device, model_.detector));
    about.exec();
}

// --- recording -----------------------------------------------------------------------------

void MainWindow::onRecordingStarted(const QString& folder) {
    recording_ = true;
    recordingClock_.start();
    recordingLabel_->setText(tr("<b><span style=\"color:#d93025\">\u25cf REC 00:00</span></b>"));
    recordingLabel_->setToolTip(tr("Recording to %1").arg(folder));
    recordingLabel_->setVisible(true);
}

void MainWindow::onRecordingStopped(const QString& folder, const QString& error) {
    recording_ = false;
    recordingLabel_->setVisible(false);
    if (!error.isEmpty()) {
        showProblem(tr("Recording stopped"),
                    tr("The recording in %1 stopped: %2\nEverything recorded until then is "
                       "kept.")
                        .arg(folder, error));
    } else {
        statusBar()->showMessage(tr("Recording saved in %1").arg(folder), 10000);
    }
}

void MainWindow::onMarkerKey(int key) {
    if (!recording_) {
        return;
    }
#ifdef LITEFER_HAVE_RECORDING_PANEL
    // The studio knows the key's label and the typed note; it asks the worker (markerRequested).
    static_cast<RecordingPanel*>(studioPanel_)->triggerMarkerKey(key);
#else
    // Without the recording studio's labels, the key itself names the marker.
    worker_->addMarker(tr("marker %1").arg(key), QString());
#endif
}

}  // namespace litefer::ui
