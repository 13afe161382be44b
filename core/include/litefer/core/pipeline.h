#pragma once
// The real-time analysis pipeline: frames in, tracked faces with emotions out.
//
//   FrameSource --(capture thread)--> LatestSlot<Frame> --(run() thread)--> detect -> align
//   every face -> classify all faces in one batch -> track + smooth -> FrameResult callback
//
// Two ways to run it:
// - run(): live. A capture thread of its own drains the source continuously into a newest-wins
//   slot (cameras buffer stale frames otherwise, RUNTIME.md), and the calling thread processes
//   the newest frame whenever it is free; frames it cannot keep up with are dropped and
//   counted. A watchdog ends the run when a live source (camera, stream) sends no new frame for
//   PipelineOptions::watchdogMs (unplugged camera, dead stream).
// - runEveryFrame(): offline. The calling thread reads and processes every frame in order,
//   nothing is dropped (files analysed as fast as possible, benchmarks).
// - process(): one frame, synchronously, for callers with their own loop.
//
// Thread layout (decided for the 2-core target, RUNTIME.md "Threads"): the capture thread only
// reads and decodes; detection (OpenCV, DetectorOptions::openCvThreads = 1) and the classifier
// (LibTorch; ClassifierOptions::threads = 1 recommended) run one after the other on the
// processing thread, so at most two cores are busy. LibTorch's OpenMP pool needs
// OMP_NUM_THREADS=1 in the environment before the OpenMP runtime starts, which setting
// threads in code does not replace: litefer-cli re-executes itself with it set when it is
// unset (app/cli/cmd_analyze.cpp), the GUI sets it first thing in main() (app/gui/main.cpp).
//
// Shutdown is ordered and idempotent: stop() only sets an atomic flag (safe from any thread,
// the result callback and a signal handler included); the run() thread then stops the capture
// loop, closes the slot, joins the capture thread and closes the source, in that order, and
// returns. A capture thread blocked in a read returns within the source's read timeout (camera:
// one frame period, or OpenCV's V4L2 select timeout of 10 s for a camera that hangs; streams:
// SourceOptions::streamReadTimeoutMs), so after the watchdog fires run() can take that long to
// return.
#include <opencv2/core.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "litefer/core/face_align.h"
#include "litefer/core/face_detector.h"
#include "litefer/core/frame_source.h"
#include "litefer/core/tracker.h"

namespace litefer::core {

class EmotionClassifier;

/// Milliseconds spent on one frame, steady clock.
struct StageTimings {
    double captureMs = 0.0;   ///< the source's read() for this frame (wait for camera, decode)
    double waitMs = 0.0;      ///< from capture to the start of processing (time in the slot)
    double detectMs = 0.0;    ///< FaceDetector::detect
    double alignMs = 0.0;     ///< alignFace for all faces
    double classifyMs = 0.0;  ///< EmotionClassifier::classify, one batch
    double trackMs = 0.0;     ///< FaceTracker::update (matching + smoothing)
    double totalMs = 0.0;     ///< processing: detect + align + classify + track (+ overhead)
    double latencyMs = 0.0;   ///< capture to result: waitMs + totalMs
};

/// Running counts for a run, as of the frame they travel with.
struct PipelineCounters {
    std::uint64_t captured = 0;   ///< frames the source delivered (live: accepted into the slot)
    std::uint64_t processed = 0;  ///< frames that went through the stages
    std::uint64_t dropped = 0;    ///< frames replaced by a newer one before processing
};

/// One processed frame.
struct FrameResult {
    std::uint64_t frameId = 0;
    double timestampMs = 0.0;  ///< the frame's (see Frame::timestampMs)
    std::string sourceName;    ///< the frame's file name for stills and folders
    /// The frame itself, shared (not copied): read-only, draw on a copy.
    cv::Mat frame;
    /// The frame's faces in detector order, each with its track id and emotion state. Faces
    /// whose crop square lies outside the frame are left out.
    std::vector<TrackedFace> faces;
    StageTimings timings;
    PipelineCounters counters;
};

/// Why a run ended.
enum class EndReason {
    SourceEnded,  ///< end of file / last image
    SourceLost,   ///< live source silent for watchdogMs, or a read error
    Stopped,      ///< stop() was called
};

/// "source ended", "source lost", "stopped".
std::string_view endReasonName(EndReason reason);

struct RunSummary {
    EndReason reason = EndReason::SourceEnded;
    std::string message;  ///< for people: what happened, e.g. "no frame for 2.0 s from camera 0"
    PipelineCounters counters;
    double wallMs = 0.0;  ///< run duration
};

struct PipelineOptions {
    AlignOptions align;
    TrackerOptions tracker;
    /// A live source that delivers no frame for this long is considered lost and the run ends
    /// (RUNTIME.md: unplugged cameras may neither fail nor deliver). 2 s is ~60 missed frames.
    double watchdogMs = 2000.0;
};

using ResultCallback = std::function<void(const FrameResult&)>;

class Pipeline {
  public:
    /// Takes ownership of the stages. `classifier` may be null: faces are then detected and
    /// tracked but not classified (TrackedFace::hasScores stays false). Throws
    /// std::invalid_argument for a null detector.
    Pipeline(std::unique_ptr<FaceDetector> detector, std::unique_ptr<EmotionClassifier> classifier,
             const PipelineOptions& options = {});
    ~Pipeline();
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    /// Live run on the calling thread, capture on a thread of its own, until the source ends,
    /// is lost, or stop() is called. `onResult` runs on the calling thread for every processed
    /// frame; exceptions from it or from a stage stop the run (shut down in order) and are
    /// rethrown. Not re-entrant; the pipeline may run again afterwards (tracks continue).
    RunSummary run(FrameSource& source, const ResultCallback& onResult);

    /// Offline run: reads and processes every frame in order on the calling thread, nothing
    /// dropped, until the source ends or stop() is called. A live source that stops delivering,
    /// or a read() that throws, ends the run as SourceLost (as in run(); there is no watchdog
    /// here: a read() that blocks, blocks the run).
    RunSummary runEveryFrame(FrameSource& source, const ResultCallback& onResult);

    /// One frame through detect, align, classify, track. Counters are left zero.
    FrameResult process(const Frame& frame);

    /// Asks a run to end. Idempotent and async-signal-safe (sets an atomic flag); run() returns
    /// after the frame in progress. A stop() before run() makes run() return at once; the next
    /// run after that one starts unstopped: every run consumes the request as it returns, also
    /// one that ends for another reason while a stop() arrives (the run ended, as asked). A
    /// caller that loops over runs (reconnecting) keeps its own flag to know that the user
    /// wanted out, as litefer-cli analyze does.
    void stop() noexcept;
    bool stopRequested() const noexcept;

    const FaceDetector& detector() const { return *detector_; }
    /// Null when running without a classifier.
    const EmotionClassifier* classifier() const { return classifier_.get(); }
    const PipelineOptions& options() const { return options_; }

  private:
    RunSummary finish(RunSummary summary, FrameSource& source);

    std::unique_ptr<FaceDetector> detector_;
    std::unique_ptr<EmotionClassifier> classifier_;
    PipelineOptions options_;
    FaceTracker tracker_;
    std::atomic<bool> stop_{false};
};

}  // namespace litefer::core
