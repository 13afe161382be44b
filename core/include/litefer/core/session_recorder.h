#pragma once
// SessionRecorder: writes one analysis session to a folder, built to survive crashes and full
// disks with everything written so far intact.
//
//   <folder>/session.json   what, when, with which model/detector/settings, by whom (written
//                           atomically at start and again at finish; "status" tells which)
//   <folder>/frames.csv     one row per face per processed frame (a frame without faces gets
//                           one row with an empty face_id), appended and flushed as results come
//   <folder>/markers.csv    time_ms,label,note rows from addMarker()
//   <folder>/video.mkv      annotated video, MJPG in Matroska (optional): stays readable after
//                           kill -9, which MP4 does not (RUNTIME.md). Overlays are drawn on a copy.
//   <folder>/summary.json   per face id and per marker segment: share of time per emotion and
//                           mean probabilities (written atomically at finish)
//
// frames.csv columns: frame_id, timestamp_ms, face_id, x, y, w, h, score, raw_<emotion> x7,
// smoothed_<emotion> x7 (canonical order: angry, disgust, fear, happy, sad, surprise, neutral),
// label, uncertain (0/1), source_file. Probabilities are empty for a face not yet classified.
//
// Durability: each record() (all rows of one frame) and each marker reaches the kernel at once,
// in one write(2) call, with no user-space buffer. A process killed at any moment (kill -9, a
// crash) therefore leaves in frames.csv and markers.csv every row it wrote, all whole except
// possibly the last line of the file, which is cut (no line break) only when the kill lands
// inside that write(2) (Linux can end a write early at a page boundary for a fatal signal);
// readers drop a last line without its line break. The video stays readable up to about its
// last written frame, and session.json says "recording" (it never finished). The CSV files are
// fsync'ed every RecorderOptions::syncIntervalMs and at finish: a power loss can take the rows of
// the last interval (and may cut the last row). These run on the thread that calls record() (the
// pipeline's processing thread), never on the capture thread.
//
// Failure: a write error (ENOSPC, EFBIG, EIO), free space below minFreeBytes, or a video file
// that stops growing stops the recording: record() throws RecordingError once (later calls
// are ignored), the partial row is cut off so earlier rows stay intact, and finish() still
// writes session.json (status "failed", with the error) and summary.json when it can.
//
// Thread-safety: all methods may be called from any thread (one internal mutex); markers are
// usually added from a UI thread while results arrive on the processing thread.
#include <opencv2/core.hpp>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "litefer/core/face_detector.h"
#include "litefer/core/pipeline.h"
#include "litefer/core/tracker.h"
#include "litefer/json.h"

namespace litefer::core {

/// A recording stopped by a write failure. what() names the file, the reason and the fix.
class RecordingError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Facts for session.json, given by the caller (the recorder does not know the stages).
struct SessionInfo {
    std::string participant;  ///< pseudonymous participant id (never a name), may be empty
    std::string session;      ///< session name, may be empty
    std::string notes;        ///< free text, may be empty
    std::string source;       ///< camera index / file / URL as given
    std::string sourceKind;   ///< sourceKindName()
    cv::Size resolution;      ///< frame size
    double fps = 0.0;         ///< nominal source rate; 0 if unknown
    std::string modelPath;
    std::string modelName;
    std::string modelArchitecture;
    std::string modelWeightsSha256;
    std::string device;    ///< EmotionClassifier::deviceDescription()
    std::string detector;  ///< "yunet" / "haar"
    std::string detectorModel;
    DetectorOptions detectorOptions;
    TrackerOptions trackerOptions;  ///< includes the smoothing settings
};

struct RecorderOptions {
    /// Write the annotated video. Off: scores only (no picture of anyone is stored).
    bool writeVideo = true;
    /// Blur every detected face in the video (the boxes and labels stay).
    bool blurFaces = false;
    /// Video frame rate written into the file; <= 0: SessionInfo::fps, else 30.
    double videoFps = 0.0;
    /// fsync the CSV files at most this often (and at finish), ms. 2 s bounds what a power
    /// loss can take at ~0.2 ms per fsync (RUNTIME.md).
    double syncIntervalMs = 2000.0;
    /// Stop recording when the folder's file system has less free space than this (checked
    /// with statvfs at each sync): stopping early keeps what is written readable.
    std::uint64_t minFreeBytes = std::uint64_t{100} << 20;
    /// The video must grow between checks this far apart while frames are written, else the
    /// recording stops (cv::VideoWriter fails silently on a full disk, RUNTIME.md). <= 0: off.
    double growthCheckMs = 5000.0;
};

/// File names inside the session folder.
inline constexpr const char* kSessionJson = "session.json";
inline constexpr const char* kFramesCsv = "frames.csv";
inline constexpr const char* kMarkersCsv = "markers.csv";
inline constexpr const char* kSummaryJson = "summary.json";
inline constexpr const char* kVideoFile = "video.mkv";

/// Each processed frame stands for the time until the next one in summaries, at most this long
/// (a longer gap, e.g. a paused source, counts as this much).
inline constexpr double kMaxFrameSpanMs = 1000.0;

/// A marker: a moment on the frames' clock (Frame::timestampMs) with a label.
struct Marker {
    double timestampMs = 0.0;
    std::string label;
    std::string note;
};

/// What summary.json is computed from: per processed frame, its time and its classified faces.
struct SummaryFace {
    int id = 0;
    Emotion label = Emotion::Neutral;
    bool uncertain = false;
    EmotionScores raw{};
};
struct SummaryFrame {
    double timestampMs = 0.0;
    std::vector<SummaryFace> faces;
};

/// The summary.json document. Frame weights: the time to the next frame, capped at
/// kMaxFrameSpanMs; the last frame gets the lower median of the others (1 ms when alone). Per face
/// id over the frames where it has scores: "seconds" (sum of weights), "frames", "first_ms",
/// "last_ms", "share" (per emotion: weight with that shown label / seconds), "uncertain_share",
/// "mean_probabilities" (weighted mean of the raw probabilities). Segments: one per marker,
/// from its time to the next marker's (the last to the end), plus "before first marker" when
/// frames precede it; each with the same per-face statistics. Pure.
json::Value summarizeSession(const std::vector<SummaryFrame>& frames,
                             const std::vector<Marker>& markers);

class SessionRecorder {
  public:
    /// Creates `folder` (and parents) and starts the session: session.json (status
    /// "recording"), frames.csv and markers.csv with their headers. The video is created at the
    /// first frame (its size is the first frame's). Throws RecordingError naming the folder
    /// when it cannot be created, already holds a recording, or a file cannot be written.
    SessionRecorder(const std::string& folder, const SessionInfo& info,
                    const RecorderOptions& options = {});
    /// Calls finish(), swallowing errors (call finish() yourself to see them).
    ~SessionRecorder();
    SessionRecorder(const SessionRecorder&) = delete;
    SessionRecorder& operator=(const SessionRecorder&) = delete;

    /// Appends the result's rows and its annotated frame. Throws RecordingError the first time
    /// writing fails (see the top of this file); afterwards, and after finish(), does nothing.
    void record(const FrameResult& result);

    /// Adds a marker row (flushed at once). `timestampMs` on the frames' clock. Throws
    /// RecordingError like record().
    void addMarker(double timestampMs, const std::string& label, const std::string& note = "");

    /// Closes the video, syncs the CSV files, writes summary.json and session.json (end time,
    /// status "complete", or "failed" with the error). `endReason` goes into session.json.
    /// Idempotent. Throws RecordingError when the final files cannot be written.
    void finish(const std::string& endReason = "");

    /// The recording stopped on an error (the message is error()).
    bool failed() const;
    std::string error() const;
    std::uint64_t framesRecorded() const;
    const std::string& folder() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// The annotated picture the recorder writes: a copy of `frame` with each face's box, id,
/// label and confidence (the faces blurred first when `blurFaces`). Uncertain faces are drawn
/// grey with a '?'. `frame` is not modified.
cv::Mat drawAnnotations(const cv::Mat& frame, const std::vector<TrackedFace>& faces,
                        bool blurFaces);

}  // namespace litefer::core
