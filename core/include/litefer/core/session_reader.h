#pragma once
// Reading a recorded session folder back (the files SessionRecorder writes, see
// session_recorder.h), editing its markers afterwards, and deleting it.
//
// The reader is a parser of outside input (folders people copy, edit, truncate or damage):
// - It never crashes, throws something other than SessionFileError, or loops on any bytes.
//   Every pass over a text is linear in its size.
// - A bad row is reported as a SessionProblem (file name, 1-based line, what is wrong) and
//   skipped; reading goes on with the next row. At most kMaxProblems problems are kept (then one
//   "... more problems" entry), so a garbage file cannot fill the memory with messages.
// - A last row without its line break is the row a crash cut off (the recorder writes and
//   flushes whole lines only): it is reported and left out, even when its fields look whole,
//   because its last number may be cut short. Every whole row before it is read.
// - CRLF line ends are accepted. Fields follow RFC 4180 as the recorder writes them: a field
//   holding a comma, quote or line break is quoted, with quotes doubled; such a field may span
//   lines (the problem's line is the row's first line).
// - Columns are found by their header name, so extra columns (a later version) are ignored;
//   a missing required column makes the whole file unreadable (one problem, no rows).
// - Text is kept as the bytes found (normally UTF-8); nothing is interpreted.
#include <opencv2/core.hpp>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "litefer/core/session_recorder.h"
#include "litefer/json.h"
#include "litefer/labels.h"

namespace litefer::core {

/// A session folder that cannot be read, written or deleted. what() names the file or folder,
/// the problem and the fix.
class SessionFileError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Most problems kept per read (per file for the parse functions); the rest are counted.
inline constexpr std::size_t kMaxProblems = 200;

/// Something wrong found while reading; the rest of the file was still read.
struct SessionProblem {
    std::string file;      ///< file name inside the folder, e.g. "frames.csv"
    std::size_t line = 0;  ///< 1-based; 0 = the file as a whole
    std::string message;   ///< what is wrong (and what was done about it)

    /// "frames.csv line 12: <message>" (or "frames.csv: <message>" for line 0).
    std::string text() const;
};

/// One row of frames.csv: one face in one processed frame, or a frame without faces.
struct FrameRow {
    std::size_t line = 0;  ///< where the row starts in frames.csv (1-based)
    std::uint64_t frameId = 0;
    double timestampMs = 0.0;  ///< the frames' clock (Frame::timestampMs)
    bool hasFace = false;      ///< false: the frame had no face (the fields below are unset)
    int faceId = 0;            ///< track id, stable within the session
    cv::Rect2f box;            ///< pixels of the source frame
    float score = 0.0f;        ///< detector confidence
    bool hasScores = false;    ///< false: the face was not classified yet
    EmotionScores raw{};       ///< classifier probabilities, canonical order
    EmotionScores smoothed{};  ///< after the tracker's smoothing
    Emotion label = Emotion::Neutral;
    bool uncertain = false;
    std::string sourceFile;  ///< image file name for folders of stills; else empty
};

/// session.json in typed form. Missing or mistyped members keep these defaults (and are
/// reported as problems); `json` holds the whole document as read (null when unreadable).
struct SessionMeta {
    std::string app;
    std::string version;
    /// "recording" (still running, or the program stopped before finishing), "complete",
    /// "failed" (error says why), or "" when session.json could not be read.
    std::string status;
    std::string started;  ///< ISO 8601 UTC
    std::string ended;    ///< empty while recording / after a crash
    std::string endReason;
    std::string error;
    std::string participant;
    std::string session;
    std::string notes;
    std::string sourceSpec;
    std::string sourceKind;
    int width = 0;
    int height = 0;
    double fps = 0.0;
    std::string modelPath;
    std::string modelName;
    std::string modelArchitecture;
    std::string modelWeightsSha256;
    std::string device;
    std::string detector;
    std::string detectorModel;
    bool videoWritten = false;
    bool facesBlurred = false;
    std::string videoFile;  ///< file name inside the folder, empty when no video
    std::uint64_t framesRecorded = 0;
    json::Value json;
};

/// Everything read from one session folder.
struct SessionData {
    std::string folder;
    SessionMeta meta;
    std::vector<FrameRow> frames;  ///< in file order
    std::vector<Marker> markers;   ///< in file order
    /// summary.json (a JSON object; its members are as written, not checked: read them with
    /// find() or catch json::Error); when it is missing or unreadable (a crash before finish),
    /// the summary is recomputed from frames.csv and markers.csv with summarizeSession() and
    /// summaryRecomputed is set.
    json::Value summary;
    bool summaryRecomputed = false;
    bool framesCutOff = false;  ///< frames.csv ended in the middle of a row
    bool hasVideo = false;      ///< the video file exists
    std::vector<SessionProblem> problems;
};

/// Reads a session folder. Throws SessionFileError (naming the folder or file and the fix)
/// when the folder does not exist, or session.json or frames.csv is missing or unreadable as a
/// file; everything else wrong becomes a problem in the result.
SessionData readSession(const std::string& folder);

/// Parses the text of a frames.csv. Appends problems (naming `fileName`) to `problems`; sets
/// `*cutOff` (when given) if the text ends inside a row. Never throws for any text.
std::vector<FrameRow> parseFramesCsv(std::string_view text, std::vector<SessionProblem>& problems,
                                     std::string_view fileName = kFramesCsv,
                                     bool* cutOff = nullptr);

/// Parses the text of a markers.csv (time_ms,label,note). As parseFramesCsv.
std::vector<Marker> parseMarkersCsv(std::string_view text, std::vector<SessionProblem>& problems,
                                    std::string_view fileName = kMarkersCsv,
                                    bool* cutOff = nullptr);

/// Parses session.json's text into typed fields; problems as above. Never throws.
SessionMeta parseSessionJson(std::string_view text, std::vector<SessionProblem>& problems,
                             std::string_view fileName = kSessionJson);

/// The markers.csv text for `markers`, exactly as SessionRecorder writes it.
std::string formatMarkersCsv(const std::vector<Marker>& markers);

/// The frames summarizeSession() expects, from parsed rows (rows grouped by frame id in order;
/// only classified faces count).
std::vector<SummaryFrame> summaryFramesFromRows(const std::vector<FrameRow>& rows);

/// Replaces markers.csv of a finished session with `markers` (atomically: readers see the old
/// or the new file), then rewrites summary.json from frames.csv and the new markers so that its
/// per-marker segments follow the edit (probabilities come from the CSV's 5 decimals, so the
/// per-face figures may differ from the recorder's in the 5th decimal). Throws
/// SessionFileError when the folder holds no session.json, frames.csv cannot be read, or a file
/// cannot be written. Not for a session that is still recording.
void writeMarkersCsv(const std::string& folder, const std::vector<Marker>& markers);

/// What deleteSession() did.
struct DeleteResult {
    std::vector<std::string> removed;  ///< file names removed
    bool folderRemoved = false;        ///< the folder was empty afterwards and is gone
    std::vector<std::string> kept;     ///< other entries left in the folder (not ours)
};

/// Deletes a session: exactly the files a session consists of (session.json, frames.csv,
/// markers.csv, summary.json, video.mkv, and temporary files the atomic writes may have left,
/// "<one of these>.tmp-*"), then the folder when it is empty. Refuses (SessionFileError) a
/// folder that does not look like a session: it must hold session.json, and either that file
/// says "app": "LiteFER" or frames.csv starts with the recorder's header. Other files are left
/// alone and listed in `kept`. Files are unlinked (the file system may keep the blocks until
/// they are reused; this is not a secure erase).
DeleteResult deleteSession(const std::string& folder);

}  // namespace litefer::core
