#include "litefer/ui/main_window.h"

#include <QAction>
#include <QCamera>
#include <QCameraDevice>
#include <QCameraFormat>
#include <QFontMetrics>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QMediaCaptureSession>
#include <QMediaDevices>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMetaObject>
#include <QProgressBar>
#include <QSize>
#include <QStatusBar>
#include <QTimer>
#include <QVBoxLayout>
#include <QVideoFrame>
#include <QVideoFrameFormat>
#include <QVideoSink>
#include <QtGlobal>

#include <cmath>
#include <cstdlib>
#include <tuple>
#include <utility>

#include "litefer/ui/live_view.h"
#include "litefer/version.h"

namespace litefer::ui {

namespace {

constexpr int kStatusTickMs = 1000;       // frame-rate display and watchdog period
constexpr qint64 kFrameTimeoutMs = 3000;  // no frame for this long = the camera has stalled
constexpr int kPanelWidth = 240;          // px, the emotion panel beside the live view
constexpr int kBarSteps = 1000;           // emotion bars resolve 0.1 percentage points
constexpr int kBarHeight = 10;            // px, slim bars
// A 4:3 picture fills the live view exactly at this size with the panel, menu and status bars.
constexpr QSize kDefaultWindowSize(960, 600);

// What we ask of a camera: 640x480 at 30 frames/s is all the face detector uses (it runs on a
// downscale) and keeps conversion cheap; see RUNTIME.md "Video and cameras".
constexpr QSize kPreferredResolution(640, 480);
constexpr float kPreferredFrameRate = 30.0F;

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

/// The camera format nearest to 640x480 at 30 frames/s; a null format when the camera lists none
/// (the backend then picks its default).
QCameraFormat preferredFormat(const QList<QCameraFormat>& formats) {
    const QCameraFormat* best = nullptr;
    // Lower is better, compared in order: too slow, size distance, pixel format, fewer pixels.
    using Score = std::tuple<bool, qint64, int, qint64>;
    Score bestScore{};
    const qint64 preferredArea =
        qint64{kPreferredResolution.width()} * kPreferredResolution.height();
    for (const QCameraFormat& format : formats) {
        const QSize size = format.resolution();
        const qint64 area = qint64{size.width()} * size.height();
        const Score score{format.maxFrameRate() + 0.5F < kPreferredFrameRate,
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
        "Connect a camera and it starts here by itself \u2014 or use litefer-cli for headless "
        "analysis of video files.");
}

}  // namespace

MainWindow::MainWindow(const MainWindowOptions& options, QWidget* parent)
    : QMainWindow(parent), options_(options) {
    setWindowTitle(tr("LiteFER"));
    resize(kDefaultWindowSize);

    liveView_ = new LiveView(this);
    liveView_->setMirrored(options_.mirror);

    auto* central = new QWidget(this);
    auto* layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(liveView_, /*stretch=*/1);
    layout->addWidget(createEmotionPanel());
    setCentralWidget(central);

    createMenus();
    createStatusBar();

    mediaDevices_ = new QMediaDevices(this);
    captureSession_ = new QMediaCaptureSession(this);
    videoSink_ = new QVideoSink(this);
    captureSession_->setVideoSink(videoSink_);
    // Direct: the frame is converted on the thread that produced it and only the QImage (a
    // value) travels on; onVideoFrame() queues the hand-over to the GUI thread itself.
    connect(
        videoSink_, &QVideoSink::videoFrameChanged, this,
        [this](const QVideoFrame& frame) { onVideoFrame(frame); }, Qt::DirectConnection);
    connect(mediaDevices_, &QMediaDevices::videoInputsChanged, this,
            &MainWindow::onVideoInputsChanged);

    statusTimer_ = new QTimer(this);
    statusTimer_->setInterval(kStatusTickMs);
    connect(statusTimer_, &QTimer::timeout, this, &MainWindow::onStatusTick);
    statusTimer_->start();
    fpsWindow_.start();

    if (options_.startCamera) {
        startCamera();
    } else {
        liveView_->setMessage(
            tr("The camera is off.\n"
               "LiteFER was started with --no-camera. Start it without that option to see the "
               "live picture."));
    }
    updateCameraLabel();
}

MainWindow::~MainWindow() {
    // Ordered shutdown: no new frames (stop the source), then nothing left to deliver. Queued
    // deliveries die with `this`, their context object.
    disconnect(videoSink_, nullptr, this, nullptr);
    captureSession_->setVideoSink(nullptr);
    if (camera_ != nullptr) {
        captureSession_->setCamera(nullptr);
        camera_->stop();
    }
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

void MainWindow::showFrame(const QImage& frame) {
    if (frame.isNull()) {
        return;
    }
    liveView_->setImage(frame);
    ++framesInWindow_;
    sinceLastFrame_.start();
    stalled_ = false;
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
    emotionNote_->setText(tr("Expression analysis arrives in a later version."));
}

// --- construction -------------------------------------------------------------------------

void MainWindow::createMenus() {
    QMenu* fileMenu = menuBar()->addMenu(tr("&File"));
    QAction* quitAction = fileMenu->addAction(tr("&Quit"));
    quitAction->setShortcut(QKeySequence(tr("Ctrl+Q")));
    quitAction->setMenuRole(QAction::QuitRole);
    connect(quitAction, &QAction::triggered, this, &QWidget::close);

    QMenu* viewMenu = menuBar()->addMenu(tr("&View"));
    mirrorAction_ = viewMenu->addAction(tr("&Mirror"));
    mirrorAction_->setCheckable(true);
    mirrorAction_->setChecked(liveView_->isMirrored());
    mirrorAction_->setShortcut(QKeySequence(tr("Ctrl+M")));
    mirrorAction_->setStatusTip(tr("Show the picture flipped left-right, like a mirror"));
    connect(mirrorAction_, &QAction::toggled, liveView_, &LiveView::setMirrored);

    QMenu* helpMenu = menuBar()->addMenu(tr("&Help"));
    QAction* aboutAction = helpMenu->addAction(tr("&About LiteFER"));
    aboutAction->setMenuRole(QAction::AboutRole);
    connect(aboutAction, &QAction::triggered, this, &MainWindow::showAbout);
    QAction* aboutQtAction = helpMenu->addAction(tr("About &Qt"));
    aboutQtAction->setMenuRole(QAction::AboutQtRole);
    connect(aboutQtAction, &QAction::triggered, this, [this] { QMessageBox::aboutQt(this); });
}

QWidget* MainWindow::createEmotionPanel() {
    auto* panel = new QFrame(this);
    panel->setObjectName(QStringLiteral("emotionPanel"));
    panel->setFrameShape(QFrame::NoFrame);
    panel->setFixedWidth(kPanelWidth);

    auto* title = new QLabel(tr("Expression"), panel);
    QFont titleFont = title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    title->setFont(titleFont);

    // One row per emotion in canonical order; the names come from the one table in labels.h.
    auto* grid = new QGridLayout;
    grid->setHorizontalSpacing(10);
    grid->setVerticalSpacing(10);
    const int valueWidth = QFontMetrics(font()).horizontalAdvance(QStringLiteral("100 %"));
    for (std::size_t i = 0; i < kNumEmotions; ++i) {
        auto* name = new QLabel(capitalised(kEmotionNames[i]), panel);
        name->setObjectName(QStringLiteral("emotionName"));
        // A slim bar with the number beside it reads better than text inside the bar.
        auto* bar = new QProgressBar(panel);
        bar->setObjectName(QStringLiteral("emotionBar"));
        bar->setRange(0, kBarSteps);
        bar->setTextVisible(false);
        bar->setFixedHeight(kBarHeight);
        bar->setAccessibleName(name->text());
        auto* value = new QLabel(panel);
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

    emotionNote_ = new QLabel(panel);
    emotionNote_->setWordWrap(true);
    emotionNote_->setEnabled(false);  // the palette's muted text colour

    auto* privacy = new QLabel(tr("All processing stays on this computer."), panel);
    privacy->setWordWrap(true);
    privacy->setEnabled(false);

    auto* column = new QVBoxLayout(panel);
    column->setContentsMargins(16, 16, 16, 12);
    column->setSpacing(12);
    column->addWidget(title);
    column->addLayout(grid);
    column->addWidget(emotionNote_);
    column->addStretch(1);
    column->addWidget(privacy);

    clearEmotionScores();
    return panel;
}

void MainWindow::createStatusBar() {
    cameraOnLabel_ = new QLabel(this);
    // Visible whenever the camera is open, so nobody in view is filmed unknowingly.
    cameraOnLabel_->setText(tr("<span style=\"color:#d93025\">\u25cf</span> Camera on"));
    cameraOnLabel_->setToolTip(tr("The camera is in use. Nothing is recorded."));
    cameraOnLabel_->setVisible(false);
    cameraLabel_ = new QLabel(this);
    fpsLabel_ = new QLabel(this);
    fpsLabel_->setText(tr("Live view: \u2013 frames/s"));
    statusBar()->addWidget(cameraOnLabel_);
    statusBar()->addWidget(cameraLabel_, /*stretch=*/1);
    statusBar()->addPermanentWidget(fpsLabel_);
}

// --- camera -------------------------------------------------------------------------------

bool MainWindow::startCamera() {
    const QList<QCameraDevice> inputs = QMediaDevices::videoInputs();
    if (inputs.isEmpty()) {
        showCameraMessage(noCameraMessage());
        return false;
    }
    QCameraDevice device = QMediaDevices::defaultVideoInput();
    if (device.isNull() || !inputs.contains(device)) {
        device = inputs.front();
    }

    camera_ = new QCamera(device, this);
    cameraName_ = device.description();
    connect(camera_, &QCamera::errorOccurred, this,
            [this](QCamera::Error, const QString& errorString) { onCameraError(errorString); });
    connect(camera_, &QCamera::activeChanged, this, &MainWindow::onCameraActiveChanged);
    const QCameraFormat format = preferredFormat(device.videoFormats());
    if (!format.isNull()) {
        camera_->setCameraFormat(format);
    }
    captureSession_->setCamera(camera_);
    sinceLastFrame_.invalidate();
    stalled_ = false;
    liveView_->setMessage(tr("Starting the camera\u2026\n%1").arg(cameraName_));
    camera_->start();
    // Some backends report a failure synchronously, before our signal could be delivered.
    if (camera_ != nullptr && camera_->error() != QCamera::NoError) {
        onCameraError(camera_->errorString());
    }
    updateCameraLabel();
    return true;
}

void MainWindow::releaseCamera() {
    if (camera_ == nullptr) {
        return;
    }
    QCamera* camera = std::exchange(camera_, nullptr);
    disconnect(camera, nullptr, this, nullptr);
    captureSession_->setCamera(nullptr);
    camera->stop();
    camera->deleteLater();  // we may be inside one of its signals
    {
        std::lock_guard<std::mutex> lock(pendingMutex_);
        pendingFrame_ = QImage();
    }
    sinceLastFrame_.invalidate();
    updateCameraLabel();
}

void MainWindow::onCameraError(const QString& errorString) {
    const QString name = cameraName_;
    releaseCamera();
    // Qt 6.4 has no camera permission API; on Linux a permission problem arrives here as an
    // error opening the device.
    showCameraMessage(
        tr("The camera could not be used.\n"
           "%1: %2\n"
           "Another program may be using it, or this user may lack permission to open it "
           "(on Linux, membership of the 'video' group).")
            .arg(name, errorString.isEmpty() ? tr("unknown error") : errorString));
}

void MainWindow::onCameraActiveChanged(bool active) {
    if (active) {
        sinceLastFrame_.start();  // the watchdog also catches a camera that never sends a frame
        stalled_ = false;
    }
    updateCameraLabel();  // the format in use is known once the camera runs
}

void MainWindow::onVideoInputsChanged() {
    const QList<QCameraDevice> inputs = QMediaDevices::videoInputs();
    if (camera_ != nullptr && !inputs.contains(camera_->cameraDevice())) {
        const QString name = cameraName_;
        releaseCamera();
        if (!options_.startCamera || !startCamera()) {
            showCameraMessage(tr("The camera was disconnected.\n%1 is gone. Connect a camera and "
                                 "it starts here by itself.")
                                  .arg(name));
        }
        return;
    }
    if (camera_ == nullptr && options_.startCamera && !inputs.isEmpty()) {
        startCamera();
    }
}

void MainWindow::onVideoFrame(const QVideoFrame& frame) {
    if (!frame.isValid()) {
        return;
    }
    QImage image = frame.toImage();  // the frame's one conversion
    if (image.isNull()) {
        return;
    }
    {
        std::lock_guard<std::mutex> lock(pendingMutex_);
        if (!pendingFrame_.isNull()) {
            droppedFrames_.fetch_add(1);
        }
        pendingFrame_ = std::move(image);
    }
    if (!deliveryQueued_.exchange(true)) {
        QMetaObject::invokeMethod(this, &MainWindow::deliverPendingFrame, Qt::QueuedConnection);
    }
}

void MainWindow::deliverPendingFrame() {
    QImage image;
    {
        std::lock_guard<std::mutex> lock(pendingMutex_);
        image = std::exchange(pendingFrame_, QImage());
        deliveryQueued_.store(false);
    }
    // A frame that was in flight when the camera went must not cover its message.
    if (camera_ != nullptr && !image.isNull()) {
        showFrame(image);
    }
}

void MainWindow::onStatusTick() {
    const qint64 elapsedMs = fpsWindow_.restart();
    framesPerSecond_ =
        elapsedMs > 0 ? framesInWindow_ * 1000.0 / static_cast<double>(elapsedMs) : 0.0;
    framesInWindow_ = 0;
    if (framesPerSecond_ > 0.0) {
        fpsLabel_->setText(tr("Live view: %1 frames/s").arg(framesPerSecond_, 0, 'f', 1));
    } else {
        fpsLabel_->setText(tr("Live view: \u2013 frames/s"));
    }
    const std::uint64_t dropped = droppedFrames_.load();
    fpsLabel_->setToolTip(dropped > 0 ? tr("%n camera frame(s) skipped to keep the view current",
                                           nullptr, static_cast<int>(dropped))
                                      : QString());

    // Watchdog: some drivers neither fail nor report an unplugged camera; they just stop.
    if (camera_ != nullptr && camera_->isActive() && !stalled_ && sinceLastFrame_.isValid() &&
        sinceLastFrame_.elapsed() > kFrameTimeoutMs) {
        stalled_ = true;
        showCameraMessage(tr("No picture from the camera.\n%1 has sent nothing for %2 s. Is it "
                             "still connected, or in use by another program?")
                              .arg(cameraName_)
                              .arg(kFrameTimeoutMs / 1000));
    }
}

void MainWindow::showCameraMessage(const QString& message) {
    liveView_->setMessage(message);
    updateCameraLabel();
}

void MainWindow::updateCameraLabel() {
    if (camera_ != nullptr) {
        const QSize size = camera_->cameraFormat().resolution();
        cameraLabel_->setText(size.isValid() ? tr("Camera: %1 (%2\u00d7%3)")
                                                   .arg(cameraName_)
                                                   .arg(size.width())
                                                   .arg(size.height())
                                             : tr("Camera: %1").arg(cameraName_));
    } else {
        cameraLabel_->setText(options_.startCamera ? tr("Camera: none") : tr("Camera: off"));
    }
    cameraOnLabel_->setVisible(camera_ != nullptr && camera_->isActive());
}

void MainWindow::showAbout() {
    QMessageBox::about(
        this, tr("About LiteFER"),
        tr("<h3>LiteFER %1</h3>"
           "<p>Real-time facial expression recognition from a camera.</p>"
           "<p>Built with Qt %2, running on Qt %3.</p>"
           "<p><b>Intended use:</b> research, clinical studies and demonstrations, with the "
           "people in view informed and agreeing. Not for monitoring employees or students "
           "(prohibited in the EU by the AI Act, Art.&nbsp;5(1)(f)).</p>"
           "<p>All processing stays on this computer.</p>")
            .arg(QString::fromLatin1(kVersion), QStringLiteral(QT_VERSION_STR),
                 QString::fromLatin1(qVersion())));
}

}  // namespace litefer::ui
