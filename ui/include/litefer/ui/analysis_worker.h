#pragma once
// AnalysisWorker: the desktop app's analysis engine. A QObject on a QThread of its own that owns
// the core pipeline (detector + classifier + tracker, core::Pipeline), the current frame source
// and the session recorder; the GUI talks to it with asynchronous requests and hears back
// through signals carrying values only.
//
// Threads (STYLE.md 6, pipeline.h "Thread layout"):
// - the worker thread (this object's QThread) loads models, opens sources and recorders, and
//   serves the requests below, so slow work (model load, opening a 10 s stream) never blocks the
//   GUI and requests are served while frames are being analysed;
// - the run thread, started by the worker for each run, calls core::Pipeline::run() (which
//   starts its own capture thread) and handles each FrameResult: converts it to an AnalysisFrame
//   (the frame's pixels shared, not copied), records it when a recording is on, and leaves it in
//   a newest-wins slot for the GUI (frameAvailable(), takeLatestFrame()).
// Video files are played at their own pace (SourceOptions::realtime), like a camera; frames the
// pipeline cannot keep up with are dropped and counted.
//
// Request methods (openSource(), applyConfig(), startRecording(), ...) may be called from any
// thread: each posts its work to the worker thread and returns at once; the outcome arrives as
// a signal. The worker starts its thread in the constructor and stops it in the destructor
// (ordered: stop the run, finish a recording, close the source, end the thread); shutdown() does
// the same earlier and is idempotent.
//
// Failures never end the program: a model or detector that does not load is reported by
// configFailed() (the previous pipeline keeps running), a source that does not open by
// sourceFailed(), a lost camera or stream by sourceEnded(lost = true), a failed recording by
// recordingStopped() with the error (what was written stays).
#include <QObject>
#include <QString>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "litefer/core/session_recorder.h"
#include "litefer/ui/analysis_types.h"
#include "litefer/ui/recording_request.h"

class QThread;

namespace litefer::core {
class Pipeline;
class FrameSource;
class SessionRecorder;
struct FrameResult;
struct RunSummary;
}  // namespace litefer::core

namespace litefer::ui {

class PushFrameSource;
class RunSource;  // analysis_worker.cpp

class AnalysisWorker : public QObject {
    Q_OBJECT

  public:
    /// Creates the worker and starts its thread. No pipeline until applyConfig().
    AnalysisWorker();
    /// shutdown(), then ends the thread. Call from the thread that created the worker.
    ~AnalysisWorker() override;
    AnalysisWorker(const AnalysisWorker&) = delete;
    AnalysisWorker& operator=(const AnalysisWorker&) = delete;

    // --- requests: any thread, asynchronous ----------------------------------------------

    /// Loads the model and detector of `config` and, when both load, replaces the running
    /// pipeline (the current source goes on; tracks start afresh). Emits modelChanged() or
    /// configFailed().
    void applyConfig(const AnalysisConfig& config);
    /// Opens a video file, image, folder of images or stream URL with core::openSource() and
    /// starts analysing it (stopping the current source and recording). Emits sourceOpened() or
    /// sourceFailed().
    void openSource(const QString& spec);
    /// Analyses frames pushed into `input` (the Qt camera path). As openSource().
    void useCamera(std::shared_ptr<PushFrameSource> input);
    /// Stops the run and closes the source. A recording is finished first, reported by
    /// recordingStopped() with `reason` as its error (empty: a normal stop), e.g. "the camera
    /// was disconnected". Emits nothing else.
    void closeSource(const QString& reason = QString());
    /// Starts recording every processed frame of the current source into request.folder.
    /// Emits recordingStarted(), or recordingStopped() with the reason when it cannot start
    /// (no source running, recording not allowed, folder not writable or already used).
    void startRecording(const RecordingRequest& request);
    /// Finishes the recording (summary.json, session.json complete). Emits recordingStopped().
    void stopRecording();
    /// Adds a marker at the latest processed frame's timestamp to the recording. Emits
    /// markerAdded(); ignored when not recording.
    void addMarker(const QString& label, const QString& note = QString());
    /// Booth mode turns recording off: a running recording is stopped and startRecording() is
    /// refused while not allowed. Takes effect at once for new requests.
    void setRecordingAllowed(bool allowed);

    /// Stops everything, synchronously (blocks until the worker thread has finished the run,
    /// the recording and the source). Idempotent. Call from the creating thread.
    void shutdown();

    // --- state: any thread ------------------------------------------------------------------

    /// The newest processed frame not yet taken, if any (each frameAvailable() announces one).
    std::optional<AnalysisFrame> takeLatestFrame();
    bool isRecording() const { return recording_.load(); }
    bool isRunning() const { return running_.load(); }
    /// Processed frames handed to the GUI slot that were replaced before the GUI took them.
    std::uint64_t displayDropped() const { return displayDropped_.load(); }

  Q_SIGNALS:
    /// A processed frame waits in takeLatestFrame(). Not emitted again until it is taken.
    void frameAvailable();
    void modelChanged(const litefer::ui::ModelFacts& facts);
    /// The model or detector of an applyConfig() did not load; `message` names the file.
    void configFailed(const QString& message);
    void sourceOpened(const litefer::ui::SourceFacts& facts);
    void sourceFailed(const QString& message);
    /// The run ended by itself: end of file (`lost` false) or a camera/stream that stopped
    /// delivering or failed (`lost` true). Not emitted for closeSource()/openSource(). A
    /// recording ends with it (recordingStopped(), with `message` as the error when lost).
    void sourceEnded(const QString& message, bool lost);
    void recordingStarted(const QString& folder);
    /// `error` is empty for a normal stop; otherwise the reason (e.g. disk full), and the
    /// files written so far are kept.
    void recordingStopped(const QString& folder, const QString& error);
    void markerAdded(double tMs, const QString& label);

  private:
    // Worker thread only.
    void doApplyConfig(const AnalysisConfig& config);
    void doOpen(std::shared_ptr<core::FrameSource> source, std::shared_ptr<PushFrameSource> push,
                const QString& spec);
    void doClose(const QString& reason);
    void doStartRecording(const RecordingRequest& request);
    /// Finishes the recording; `error` goes to recordingStopped(), `endReason` to session.json
    /// (empty: "stopped", or "recording failed" with an error).
    void doStopRecording(const QString& error, const QString& endReason = QString());
    void doAddMarker(const QString& label, const QString& note);
    void doShutdown();
    void startRun();
    void stopRun();
    void onRunEnded(std::uint64_t generation, const QString& message, bool lost);
    // Run thread.
    void handleResult(const core::FrameResult& result);

    QThread* thread_ = nullptr;
    bool shutDown_ = false;  // creating thread

    // Worker-thread state.
    std::unique_ptr<core::Pipeline> pipeline_;
    AnalysisConfig config_;
    ModelFacts model_;
    core::SessionInfo sessionInfo_;  // the stages' facts (makeAnalysisStages), for recordings
    std::shared_ptr<core::FrameSource> source_;  // the source being analysed
    std::shared_ptr<PushFrameSource> push_;      // == source_ for the camera path
    SourceFacts sourceFacts_;
    /// The source's facts as opened, copied: the run thread may update the source's own
    /// info (an image folder learns its frame size at the first image), so the worker
    /// thread reads this copy instead.
    core::SourceInfo sourceInfo_;
    std::thread runThread_;
    std::shared_ptr<RunSource> currentRun_;  // the running run's source wrapper
    std::uint64_t generation_ = 0;           // which run onRunEnded() is about
    bool stopping_ = false;                  // a stop we asked for: no sourceEnded()

    std::atomic<bool> running_{false};
    std::atomic<bool> recording_{false};
    std::atomic<bool> recordingAllowed_{true};
    std::atomic<double> latestTimestampMs_{0.0};

    std::mutex recorderMutex_;
    std::unique_ptr<core::SessionRecorder> recorder_;  // guarded by recorderMutex_
    QString recordingFolder_;                          // guarded by recorderMutex_
    bool recorderFailed_ = false;                      // guarded by recorderMutex_

    std::mutex latestMutex_;
    std::optional<AnalysisFrame> latest_;  // guarded by latestMutex_
    std::atomic<std::uint64_t> displayDropped_{0};
};

}  // namespace litefer::ui
