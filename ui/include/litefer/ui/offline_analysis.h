#pragma once
// OfflineAnalysisJob: analyses a video file frame by frame on a thread of its own and saves it
// as a session folder, exactly like a live recording (the same core calls as
// `litefer-cli analyze`: openSource, core::makeAnalysisStages, SessionRecorder,
// Pipeline::runEveryFrame). Progress is the share of the file's frames read; Cancel stops the
// pipeline after the frame in progress and finishes the session with end reason "cancelled"
// (a complete, readable session of the frames analysed so far).
//
// Usage (GUI thread):
//   auto* job = new OfflineAnalysisJob(this);
//   connect(job, &OfflineAnalysisJob::finished, this, [job](const QString& folder,
//           const QString& error) { ...; job->deleteLater(); });
//   job->showProgressDialog(this);   // optional: QProgressDialog with Cancel
//   job->start(request);
//
// Threads: start() returns at once; loading the model and the detector and the analysis run on
// a QThread owned by the job. Only values cross threads. progress() and finished() are emitted
// on the GUI thread (the job's thread). Destroying a running job cancels it and waits for the
// thread (at most one frame plus the final file writes).
// The process should have OMP_NUM_THREADS=1 set before LibTorch starts (the GUI's main() does;
// RUNTIME.md "Threads"); the classifier runs on 1 LibTorch thread, the detector on 1 OpenCV
// thread.
#include <QObject>
#include <QString>

#include <atomic>
#include <mutex>

#include "litefer/core/face_detector.h"
#include "litefer/core/session_recorder.h"

class QProgressDialog;
class QThread;
class QWidget;

namespace litefer::core {
class Pipeline;
}

namespace litefer::ui {

/// What to analyse and where to save it.
struct OfflineAnalysisRequest {
    QString videoPath;  ///< a video file (cameras and streams are refused: use the live view)
    QString folder;     ///< session folder to create (must not hold a session yet)
    QString modelPath;  ///< emotion model (.lfm); empty: core::defaultModelPath()
    /// "auto" (YuNet when its model is found, else Haar), "yunet" or "haar".
    QString detector = QStringLiteral("auto");
    QString detectorModel;  ///< YuNet .onnx / Haar .xml; empty: searched
    core::DetectorOptions detectorOptions;
    core::RecorderOptions recorderOptions;
    QString participant;  ///< pseudonymous id for session.json
    QString session;
    QString notes;
};

/// <base>/<video file name, sanitised>_offline_<yyyyMMdd-hhmmss> (base empty: the default
/// sessions folder).
QString offlineSessionFolder(const QString& videoPath, const QString& base = QString());

class OfflineAnalysisJob : public QObject {
    Q_OBJECT

  public:
    explicit OfflineAnalysisJob(QObject* parent = nullptr);
    /// Cancels a running analysis and waits for its thread.
    ~OfflineAnalysisJob() override;
    OfflineAnalysisJob(const OfflineAnalysisJob&) = delete;
    OfflineAnalysisJob& operator=(const OfflineAnalysisJob&) = delete;

    /// Starts the analysis; false (nothing started) when one is already running. Every
    /// outcome, failures to open the file or the model included, arrives as finished().
    bool start(const OfflineAnalysisRequest& request);
    /// Asks the analysis to stop after the frame in progress; the session is then finished with
    /// end reason "cancelled". Idempotent; harmless when nothing runs.
    void cancel();
    bool isRunning() const { return thread_ != nullptr; }
    bool wasCancelled() const { return cancelled_.load(); }

    /// A QProgressDialog (window-modal on `parent`, "Cancel" calls cancel()) that follows this
    /// job and closes itself when it finishes. Owned by `parent`, deleted when closed.
    QProgressDialog* showProgressDialog(QWidget* parent);

  Q_SIGNALS:
    /// Share of the file analysed, 0-1000; -1 when the file does not say how many frames it
    /// has. Emitted at most every 100 ms.
    void progress(int permille);
    /// The analysis ended. `folder`: the session folder when one was created (also after a
    /// failure part-way: what was analysed is kept), else empty. `error`: empty on success and
    /// on cancel; otherwise the reason, naming the file and the fix.
    void finished(const QString& folder, const QString& error);

  private:
    /// Runs on the job's thread. Returns the error ("" when none); sets `createdFolder`.
    QString run(const OfflineAnalysisRequest& request, QString& createdFolder);
    void postProgress(int permille);
    void onThreadDone(const QString& folder, const QString& error);

    QThread* thread_ = nullptr;
    std::atomic<bool> cancelled_{false};
    std::mutex pipelineMutex_;
    core::Pipeline* pipeline_ = nullptr;  // guarded by pipelineMutex_; set while it runs
};

}  // namespace litefer::ui
