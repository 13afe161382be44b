#pragma once
// MainWindow: LiteFER's desktop window.
//
//   toolbar:  sources (cameras by name, open video/image/folder/stream), model and detector
//             pickers, mirror, booth mode
//   centre:   the live view (frame, face boxes, ids, emotions, compact bars) above a 60 s
//             timeline of the selected face's smoothed probabilities (Qt Charts)
//   right:    the selected face's seven probabilities as bars, and the statistics (camera and
//             processed frame rates, dropped frames, per-stage latency median/p95, model facts)
//   status:   source, camera-on indicator, recording indicator, processed frames/s
//
// The analysis runs in an AnalysisWorker (its own threads, see analysis_worker.h). The camera
// stays with Qt Multimedia on this thread: its frames are converted once (videoFrameToBgr) on
// the video sink's thread and pushed into a PushFrameSource that the worker analyses. Files,
// images, folders and streams are opened by the worker (core::openSource).
//
// Problems (no camera, camera busy / not permitted / lost, a source that does not open, a model
// that does not load) are shown as sentences — in the live view or a non-blocking message box —
// and never end the program. A lost camera is reconnected when it comes back.
//
// Settings (model, detector, thresholds, smoothing, camera, mirror) persist with QSettings
// (organisation "LiteFER"); in booth mode nothing is written, settings included.
//
// Thread-safety: a QWidget; every public method is for the GUI thread.
#include <QElapsedTimer>
#include <QImage>
#include <QList>
#include <QMainWindow>
#include <QPointer>
#include <QString>
#include <QVariant>

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>

#include "litefer/labels.h"
#include "litefer/ui/analysis_types.h"

class QAction;
class QActionGroup;
class QCamera;
class QCameraDevice;
class QComboBox;
class QDockWidget;
class QLabel;
class QMediaCaptureSession;
class QMediaDevices;
class QMenu;
class QProgressBar;
class QSplitter;
class QTimer;
class QToolBar;
class QVideoFrame;
class QVideoSink;
class QWidget;

namespace litefer::ui {

class AnalysisWorker;
class EmotionTimeline;
class LiveView;
class PushFrameSource;

/// How the window starts. The application maps its command line onto it; settings fill the
/// rest. Empty strings mean "from the settings".
struct MainWindowOptions {
    /// Open a camera at start (the one named in the settings, else the default), and whenever a
    /// camera is connected while none is open. Off for tests and `litefer --no-camera`.
    bool startCamera = true;
    /// Show camera pictures mirrored, as people expect of a camera facing them (View > Mirror;
    /// videos, images and streams are never mirrored). Only the display flips; analysis always
    /// sees the frame as captured.
    bool mirror = true;
    /// A video file, image, folder or stream URL to analyse at start (instead of the camera).
    QString source;
    /// Command-line overrides (not saved): model file, detector ("haar"/"yunet") and its file.
    QString modelPath;
    QString detector;
    QString detectorModel;
    /// Start in booth mode.
    bool booth = false;
    /// Start with the recording studio dock shown (ignored in booth mode).
    bool showRecordingStudio = false;
    /// Show the first-run notice if it has not been accepted yet.
    bool firstRunNotice = false;
};

/// Sliding-window statistics shown in the statistics panel.
struct LiveStats {
    double cameraFps = 0.0;     ///< frames the source delivered per second
    double processedFps = 0.0;  ///< frames analysed per second
    std::uint64_t dropped = 0;  ///< frames skipped to stay current, this source
    StageTimes median;          ///< per stage, over the window
    StageTimes p95;
    int samples = 0;  ///< frames in the window
};

class MainWindow : public QMainWindow {
    Q_OBJECT

  public:
    /// Frames kept for the latency statistics (about 5 s at 30 frames/s).
    static constexpr int kStatsWindow = 150;
    /// Booth mode resets after nobody has been in view this long.
    static constexpr int kBoothResetMs = 3000;

    explicit MainWindow(const MainWindowOptions& options = {}, QWidget* parent = nullptr);
    /// Stops the camera, then the worker (run, recording, source), before the widgets go.
    ~MainWindow() override;

    MainWindow(const MainWindow&) = delete;
    MainWindow& operator=(const MainWindow&) = delete;

    // --- sources ---------------------------------------------------------------------------
    /// Analyses a video file, image, folder or stream URL (the camera is released).
    void openSource(const QString& spec);
    /// Opens the camera called `name` (QCameraDevice::description()); empty: the default one.
    /// Returns false, showing a message, when there is no camera.
    bool openCamera(const QString& name = QString());
    /// True while a camera is open (starting up or delivering frames).
    bool hasCamera() const;
    /// The camera's human-readable name; empty when none is open.
    QString cameraName() const;
    /// The message the live view is showing instead of a picture; empty while a picture shows.
    QString statusMessage() const;

    // --- model and settings ----------------------------------------------------------------
    /// Loads another model file; on failure a message names the file and the previous model
    /// keeps running.
    void loadModel(const QString& path);
    /// Switches the detector ("haar" or "yunet", with its file; empty: searched).
    void setDetector(const QString& kind, const QString& modelFile = QString());
    /// Applies a whole configuration (the settings dialog's result) and saves it.
    void applyConfig(const AnalysisConfig& config);
    const AnalysisConfig& config() const { return config_; }
    /// The running model's facts (empty name before the first model loaded).
    const ModelFacts& modelFacts() const { return model_; }
    /// The last problem shown in a message box (empty if none yet).
    const QString& lastError() const { return lastError_; }

    // --- what is shown ---------------------------------------------------------------------
    /// Shows one picture without analysis (no faces) and counts it for the view's frame rate.
    void showFrame(const QImage& frame);
    /// Analysed frames shown since the window opened.
    std::uint64_t analysedFrames() const { return analysedFrames_; }
    /// The face the side panel and timeline follow (-1: none).
    int selectedFace() const { return selectedFaceId_; }
    const LiveStats& stats() const { return stats_; }
    /// Frames per second the live view showed over the last second (0 before any frame).
    double framesPerSecond() const { return framesPerSecond_; }

    /// Sets the emotion bars: probabilities in [0, 1], canonical order (litefer::kEmotionNames).
    void setEmotionScores(const EmotionScores& scores);
    /// Empties the emotion bars (no face, or no analysis running).
    void clearEmotionScores();

    /// Draws a marker line labelled `label` at `tMs` (frame clock) on the timeline.
    void addTimelineMarker(double tMs, const QString& label);

    // --- booth mode ------------------------------------------------------------------------
    /// Full screen, large readout, privacy notice, no recording, no settings written;
    /// automatic reset when nobody is in view for kBoothResetMs. Esc or F11 leaves.
    void setBoothMode(bool on);
    bool isBoothMode() const { return booth_; }

    LiveView* liveView() { return liveView_; }
    EmotionTimeline* timeline() { return timeline_; }
    AnalysisWorker* worker() { return worker_.get(); }

  Q_SIGNALS:
    /// An analysed frame was shown; `count` is analysedFrames().
    void frameAnalysed(std::uint64_t count);
    /// The source asked for could not be opened (`message` says why).
    void sourceFailed(const QString& message);
    /// The source ended (end of file) or was lost.
    void sourceEnded(const QString& message, bool lost);
    /// The model in use changed (also the first time one loaded).
    void modelChanged(const litefer::ui::ModelFacts& facts);
    /// applyConfig()/loadModel()/setDetector() failed; the previous pipeline goes on.
    void configFailed(const QString& message);

  protected:
    void closeEvent(QCloseEvent* event) override;
    /// Esc leaves booth mode; 1-9 add a marker while recording.
    void keyPressEvent(QKeyEvent* event) override;

  private:
    void createActions();
    void createMenus();
    void createToolBar();
    QWidget* createSidePanel();
    QWidget* createEmotionPanel(QWidget* parent);
    QWidget* createStatsPanel(QWidget* parent);
    void createStatusBar();
    void createRecordingStudio();
    void connectWorker();

    AnalysisConfig configFromSettings() const;
    void saveConfig(const AnalysisConfig& config);
    /// QSettings().setValue unless in booth mode (nothing is written there).
    void saveSetting(const QString& key, const QVariant& value);
    QVariant setting(const QString& key, const QVariant& fallback) const;

    // Camera (GUI thread unless noted).
    bool startCamera(const QString& name);
    void releaseCamera();
    void onCameraError(const QString& errorString);
    void onCameraActiveChanged(bool active);
    void onVideoInputsChanged();
    void rebuildCameraMenu();
    /// Video sink thread: converts the frame once and pushes it to the worker's camera input.
    void onVideoFrame(const QVideoFrame& frame);
    void showCameraMessage(const QString& message);
    void updateSourceLabel();
    /// Mirrors the view when View > Mirror is on and the source is a camera.
    void updateMirror();

    // Worker results.
    void onFrameAvailable();
    void onModelChanged(const ModelFacts& facts);
    void onConfigFailed(const QString& message);
    void onSourceOpened(const SourceFacts& facts);
    void onSourceFailed(const QString& message);
    void onSourceEnded(const QString& message, bool lost);
    void onStatusTick();
    /// Median and p95 per stage over stageWindow_, and the dropped count, into stats_.
    void updateLatencyStats();
    void updateStatsPanel();
    void onFaceClicked(int id);
    void boothTick();

    // Pickers and dialogs.
    void rebuildModelPicker();
    void onModelPicked(int index);
    void onDetectorPicked(int index);
    void chooseModelFile();
    void chooseYuNetFile();
    void openVideoDialog();
    void openImageDialog();
    void openFolderDialog();
    void openStreamDialog();
    void showSettingsDialog();
    void showProblem(const QString& title, const QString& message);
    void showFirstRunNotice(bool force);
    void showShortcuts();
    void showAbout();

    // Recording (worker side is the contract; the studio panel is optional).
    void onRecordingStarted(const QString& folder);
    void onRecordingStopped(const QString& folder, const QString& error);
    void onMarkerKey(int key);

    MainWindowOptions options_;
    std::unique_ptr<AnalysisWorker> worker_;
    AnalysisConfig config_;
    ModelFacts model_;
    SourceFacts source_;
    QString lastError_;
    bool configPending_ = false;         // an applyConfig is on its way to the worker
    AnalysisConfig pendingConfig_;       // what it asked for
    bool pendingConfigValid_ = false;    // pendingConfig_ is set
    bool startupFallbackTried_ = false;  // see onConfigFailed()

    // Widgets.
    LiveView* liveView_ = nullptr;
    EmotionTimeline* timeline_ = nullptr;
    QSplitter* splitter_ = nullptr;
    QWidget* sidePanel_ = nullptr;
    QToolBar* toolBar_ = nullptr;
    QComboBox* modelPicker_ = nullptr;
    QComboBox* detectorPicker_ = nullptr;
    std::array<QProgressBar*, kNumEmotions> emotionBars_{};
    std::array<QLabel*, kNumEmotions> emotionValues_{};
    QLabel* emotionTitle_ = nullptr;
    QLabel* emotionNote_ = nullptr;
    QLabel* statCameraFps_ = nullptr;
    QLabel* statProcessedFps_ = nullptr;
    QLabel* statDropped_ = nullptr;
    std::array<QLabel*, 6> statStage_{};  // detect, align, classify, track, total, latency
    QLabel* statModel_ = nullptr;
    QLabel* statParams_ = nullptr;
    QLabel* statMacs_ = nullptr;
    QLabel* statDevice_ = nullptr;
    QLabel* statDetector_ = nullptr;
    QLabel* sourceLabel_ = nullptr;
    QLabel* cameraOnLabel_ = nullptr;
    QLabel* recordingLabel_ = nullptr;
    QLabel* fpsLabel_ = nullptr;
    QDockWidget* studioDock_ = nullptr;
    QWidget* studioPanel_ = nullptr;

    // Actions.
    QAction* mirrorAction_ = nullptr;
    QAction* boothAction_ = nullptr;
    QAction* openVideoAction_ = nullptr;
    QAction* openImageAction_ = nullptr;
    QAction* openFolderAction_ = nullptr;
    QAction* openStreamAction_ = nullptr;
    QAction* settingsAction_ = nullptr;
    QMenu* cameraMenu_ = nullptr;
    QMenu* viewMenu_ = nullptr;
    QActionGroup* cameraGroup_ = nullptr;
    QActionGroup* resolutionGroup_ = nullptr;
    QActionGroup* fpsGroup_ = nullptr;

    // Camera.
    QMediaDevices* mediaDevices_ = nullptr;
    QMediaCaptureSession* captureSession_ = nullptr;
    QVideoSink* videoSink_ = nullptr;
    QCamera* camera_ = nullptr;
    QString cameraName_;
    bool wantCamera_ = false;  // a camera is the chosen source (reconnect when it comes back)
    std::mutex cameraInputMutex_;
    std::shared_ptr<PushFrameSource> cameraInput_;  // guarded by cameraInputMutex_
    bool cameraInputHandedOver_ = false;            // guarded by cameraInputMutex_
    cv::Size cameraSize_{640, 480};                 // guarded by cameraInputMutex_
    double cameraFps_ = 30.0;                       // guarded by cameraInputMutex_

    // Frames and statistics.
    std::uint64_t analysedFrames_ = 0;
    int selectedFaceId_ = -1;
    double selectedSeenMs_ = 0.0;  // frame time the followed face was last detected
    QTimer* statusTimer_ = nullptr;
    QElapsedTimer fpsWindow_;
    int framesInWindow_ = 0;
    double framesPerSecond_ = 0.0;
    std::deque<StageTimes> stageWindow_;
    std::uint64_t lastCaptured_ = 0;
    std::uint64_t lastProcessed_ = 0;
    std::uint64_t runCaptured_ = 0;
    std::uint64_t runProcessed_ = 0;
    std::uint64_t runDropped_ = 0;
    LiveStats stats_;

    // Booth mode.
    bool booth_ = false;
    bool wasMaximized_ = false;
    QElapsedTimer sinceLastFace_;
    bool boothResetDone_ = true;
    QTimer* boothTimer_ = nullptr;

    // Recording.
    bool recording_ = false;
    QElapsedTimer recordingClock_;
};

}  // namespace litefer::ui
