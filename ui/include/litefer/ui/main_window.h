#pragma once
// MainWindow: LiteFER's desktop window. A live view of the default camera (Qt Multimedia), a
// side panel with one bar per emotion (fed by the pipeline in a later version), a status bar
// with the camera's name and the live view's frame rate, and the File / View / Help menus.
//
// Camera problems (none connected, unplugged, busy, no permission, no pictures arriving) are
// shown as a sentence in the live view; they never end the program.
//
// Thread-safety: a QWidget; every public method is for the GUI thread. Camera frames may
// arrive on a multimedia thread; they cross to the GUI thread through a one-frame slot where
// the newest frame wins (see onVideoFrame()).
#include <QElapsedTimer>
#include <QImage>
#include <QList>
#include <QMainWindow>
#include <QString>

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>

#include "litefer/labels.h"

class QAction;
class QCamera;
class QLabel;
class QMediaCaptureSession;
class QMediaDevices;
class QProgressBar;
class QTimer;
class QVideoFrame;
class QVideoSink;

namespace litefer::ui {

class LiveView;

/// How the window starts. The application maps its command line (and, later, settings) onto it.
struct MainWindowOptions {
    /// Open the default camera at start, and whenever a camera is connected while none is open.
    /// Off for tests and `litefer --no-camera`: the window then never touches a camera.
    bool startCamera = true;
    /// Show the picture mirrored, as people expect of a camera facing them (View > Mirror).
    /// Only the display flips; analysis always sees the frame as captured.
    bool mirror = true;
};

class MainWindow : public QMainWindow {
    Q_OBJECT

  public:
    explicit MainWindow(const MainWindowOptions& options = {}, QWidget* parent = nullptr);
    /// Stops the camera and detaches the frame path before the widgets go.
    ~MainWindow() override;

    MainWindow(const MainWindow&) = delete;
    MainWindow& operator=(const MainWindow&) = delete;

    /// True while a camera is open (starting up or delivering frames).
    bool hasCamera() const;
    /// The camera's human-readable name; empty when none is open.
    QString cameraName() const;
    /// The message the live view is showing instead of a picture; empty while a picture shows.
    QString statusMessage() const;
    /// Shows one frame in the live view and counts it for the frame rate. The camera path calls
    /// it for every frame that reaches the GUI thread; tests call it directly.
    void showFrame(const QImage& frame);
    /// Frames per second the live view showed over the last second (0 before any frame).
    double framesPerSecond() const { return framesPerSecond_; }
    /// Camera frames replaced by a newer one before the GUI thread could show them.
    std::uint64_t droppedFrames() const { return droppedFrames_.load(); }

    /// Sets the emotion bars: probabilities in [0, 1], canonical order (litefer::kEmotionNames).
    void setEmotionScores(const EmotionScores& scores);
    /// Empties the emotion bars (no face, or no analysis running).
    void clearEmotionScores();

    LiveView* liveView() { return liveView_; }

  private:
    void createMenus();
    QWidget* createEmotionPanel();
    void createStatusBar();

    /// Opens the system's default camera (the first one if none is marked default). Returns
    /// false, showing "no camera" in the live view, when there is none; true when one was found
    /// (a failure to open it is shown as that camera's error).
    bool startCamera();
    /// Detaches and deletes the camera (safe inside the camera's own signals).
    void releaseCamera();
    void onCameraError(const QString& errorString);
    void onCameraActiveChanged(bool active);
    void onVideoInputsChanged();
    /// Called on whatever thread the sink emits from: converts the frame to a QImage (the one
    /// conversion) and leaves it in the slot, replacing an unshown older one.
    void onVideoFrame(const QVideoFrame& frame);
    /// GUI thread: takes the newest frame out of the slot and shows it.
    void deliverPendingFrame();
    /// Once a second: frame rate in the status bar, and the no-pictures watchdog.
    void onStatusTick();
    void showCameraMessage(const QString& message);
    void updateCameraLabel();
    void showAbout();

    MainWindowOptions options_;
    LiveView* liveView_ = nullptr;
    std::array<QProgressBar*, kNumEmotions> emotionBars_{};
    std::array<QLabel*, kNumEmotions> emotionValues_{};
    QLabel* emotionNote_ = nullptr;
    QLabel* cameraLabel_ = nullptr;
    QLabel* cameraOnLabel_ = nullptr;
    QLabel* fpsLabel_ = nullptr;
    QAction* mirrorAction_ = nullptr;

    QMediaDevices* mediaDevices_ = nullptr;
    QMediaCaptureSession* captureSession_ = nullptr;
    QVideoSink* videoSink_ = nullptr;
    QCamera* camera_ = nullptr;
    QString cameraName_;

    QTimer* statusTimer_ = nullptr;
    QElapsedTimer sinceLastFrame_;  // since the last frame, or since the camera became active
    QElapsedTimer fpsWindow_;
    int framesInWindow_ = 0;
    double framesPerSecond_ = 0.0;
    bool stalled_ = false;

    // The newest-frame slot between the sink's thread and the GUI thread.
    std::mutex pendingMutex_;
    QImage pendingFrame_;                      // guarded by pendingMutex_
    std::atomic<bool> deliveryQueued_{false};  // a deliverPendingFrame() call is queued
    std::atomic<std::uint64_t> droppedFrames_{0};
};

}  // namespace litefer::ui
