#include "litefer/core/session_recorder.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <system_error>
#include <utility>

#include "litefer/files.h"
#include "litefer/labels.h"
#include "litefer/timestamp.h"
#include "litefer/version.h"

namespace litefer::core {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr double kVideoFallbackFps = 30.0;
constexpr const char* kDiskFix =
    "; free disk space or record to another folder (--out), and check the file size limit "
    "(ulimit -f)";

double msBetween(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

/// A CSV field: quoted (with doubled quotes) when it holds a comma, quote or line break.
std::string csvField(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) {
        return s;
    }
    std::string out = "\"";
    for (char c : s) {
        out += c;
        if (c == '"') {
            out += '"';
        }
    }
    out += '"';
    return out;
}

/// `value` with `decimals` digits after the point.
std::string fmt(int decimals, double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

/// An append-only text file on a POSIX file descriptor. Each write() hands whole rows to the
/// kernel in one write(2) call (looping only on a short write), with no user-space buffer: a
/// process killed (kill -9, crash) leaves every row it wrote whole, except that a kill landing
/// inside that one write(2) may cut the last row (Linux may stop a write at a page boundary
/// for a fatal signal). A failed write is cut back to the last complete row, so after an error
/// the file ends with a whole row.
class AppendFile {
  public:
    explicit AppendFile(std::string path) : path_(std::move(path)) {
        fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd_ < 0) {
            throw RecordingError("cannot create " + path_ + ": " + std::strerror(errno) +
                                 "; check that the folder is writable");
        }
    }
    ~AppendFile() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    AppendFile(const AppendFile&) = delete;
    AppendFile& operator=(const AppendFile&) = delete;

    /// Writes `text` (whole lines). Throws RecordingError on failure, after truncating the
    /// file to its last good size.
    void write(const std::string& text) {
        if (fd_ < 0) {
            throw RecordingError("cannot write " + path_ + ": the file is closed");
        }
        std::size_t done = 0;
        while (done < text.size()) {
            const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                fail("cannot write", n == 0 ? ENOSPC : errno);
            }
            done += static_cast<std::size_t>(n);
        }
        good_ += static_cast<off_t>(text.size());
    }
    /// fsync: the rows survive a power loss.
    void sync() {
        if (fd_ >= 0 && ::fsync(fd_) != 0) {
            fail("cannot sync", errno);
        }
    }
    void close() {
        if (fd_ >= 0) {
            const int syncResult = ::fsync(fd_);
            const int syncErr = errno;
            ::close(fd_);
            fd_ = -1;
            if (syncResult != 0 && syncErr != EINVAL) {
                throw RecordingError("cannot sync " + path_ + ": " + std::strerror(syncErr) +
                                     kDiskFix);
            }
        }
    }
    const std::string& path() const { return path_; }

  private:
    [[noreturn]] void fail(const char* what, int err) {
        // Drop whatever part of the row reached the file; later rows start at a row boundary.
        if (::ftruncate(fd_, good_) == 0) {
            ::lseek(fd_, good_, SEEK_SET);
        }
        throw RecordingError(std::string(what) + " " + path_ + ": " + std::strerror(err) +
                             kDiskFix);
    }

    std::string path_;
    int fd_ = -1;
    off_t good_ = 0;
};

std::int64_t fileSize(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<std::int64_t>(st.st_size) : -1;
}

json::Value emotionObject(const std::array<double, kNumEmotions>& values) {
    json::Value out = json::Value::object();
    for (std::size_t e = 0; e < kNumEmotions; ++e) {
        out[std::string(kEmotionNames[e])] = values[e];
    }
    return out;
}

/// Per-face accumulation for summaries.
struct FaceStats {
    int frames = 0;
    double weightMs = 0.0;
    double firstMs = 0.0;
    double lastMs = 0.0;
    double uncertainMs = 0.0;
    std::array<double, kNumEmotions> labelMs{};
    std::array<double, kNumEmotions> probSum{};  // weighted
};

json::Value facesJson(const std::map<int, FaceStats>& stats) {
    json::Value faces = json::Value::array();
    for (const auto& [id, s] : stats) {
        json::Value f = json::Value::object();
        f["id"] = id;
        f["frames"] = s.frames;
        f["seconds"] = s.weightMs / 1000.0;
        f["first_ms"] = s.firstMs;
        f["last_ms"] = s.lastMs;
        std::array<double, kNumEmotions> share{};
        std::array<double, kNumEmotions> mean{};
        for (std::size_t e = 0; e < kNumEmotions; ++e) {
            share[e] = s.weightMs > 0.0 ? s.labelMs[e] / s.weightMs : 0.0;
            mean[e] = s.weightMs > 0.0 ? s.probSum[e] / s.weightMs : 0.0;
        }
        f["share"] = emotionObject(share);
        f["uncertain_share"] = s.weightMs > 0.0 ? s.uncertainMs / s.weightMs : 0.0;
        f["mean_probabilities"] = emotionObject(mean);
        faces.push(std::move(f));
    }
    return faces;
}

void accumulate(std::map<int, FaceStats>& stats, const SummaryFrame& frame, double weightMs) {
    for (const auto& face : frame.faces) {
        FaceStats& s = stats[face.id];
        if (s.frames == 0) {
            s.firstMs = frame.timestampMs;
        }
        ++s.frames;
        s.lastMs = frame.timestampMs;
        s.weightMs += weightMs;
        s.labelMs[static_cast<std::size_t>(face.label)] += weightMs;
        if (face.uncertain) {
            s.uncertainMs += weightMs;
        }
        for (std::size_t e = 0; e < kNumEmotions; ++e) {
            s.probSum[e] += weightMs * static_cast<double>(face.raw[e]);
        }
    }
}

json::Value detectorJson(const SessionInfo& info) {
    json::Value d = json::Value::object();
    d["name"] = info.detector;
    d["model"] = info.detectorModel;
    d["score_threshold"] = static_cast<double>(info.detectorOptions.scoreThreshold);
    d["min_face_size"] = info.detectorOptions.minFaceSize;
    d["max_faces"] = info.detectorOptions.maxFaces;
    d["detect_width"] = info.detectorOptions.detectWidth;
    d["opencv_threads"] = info.detectorOptions.openCvThreads;
    return d;
}

json::Value trackingJson(const TrackerOptions& t) {
    json::Value out = json::Value::object();
    out["min_iou"] = static_cast<double>(t.minIou);
    out["max_missed_ms"] = t.maxMissedMs;
    json::Value s = json::Value::object();
    s["tau_ms"] = t.smoothing.tauMs;
    s["min_dwell_ms"] = t.smoothing.minDwellMs;
    s["min_top_probability"] = static_cast<double>(t.smoothing.minTopProbability);
    s["min_margin"] = static_cast<double>(t.smoothing.minMargin);
    out["smoothing"] = std::move(s);
    return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Summary

json::Value summarizeSession(const std::vector<SummaryFrame>& frames,
                             const std::vector<Marker>& markers) {
    const std::size_t n = frames.size();
    std::vector<double> weights(n, 0.0);
    for (std::size_t i = 0; i + 1 < n; ++i) {
        const double dt = frames[i + 1].timestampMs - frames[i].timestampMs;
        weights[i] = std::clamp(dt, 0.0, kMaxFrameSpanMs);
    }
    if (n == 1) {
        weights[0] = 1.0;
    } else if (n > 1) {
        std::vector<double> others(weights.begin(), weights.end() - 1);
        const std::size_t mid = (others.size() - 1) / 2;  // the lower median
        std::nth_element(others.begin(), others.begin() + static_cast<long>(mid), others.end());
        weights[n - 1] = others[mid];
    }

    json::Value out = json::Value::object();
    out["frames"] = n;
    std::size_t withFaces = 0;
    double totalMs = 0.0;
    std::map<int, FaceStats> all;
    for (std::size_t i = 0; i < n; ++i) {
        withFaces += frames[i].faces.empty() ? 0 : 1;
        totalMs += weights[i];
        accumulate(all, frames[i], weights[i]);
    }
    out["frames_with_faces"] = withFaces;
    out["face_found_rate"] = n > 0 ? static_cast<double>(withFaces) / static_cast<double>(n) : 0.0;
    out["seconds"] = totalMs / 1000.0;
    out["frame_span_cap_ms"] = kMaxFrameSpanMs;
    out["faces"] = facesJson(all);

    std::vector<Marker> sorted = markers;
    std::stable_sort(sorted.begin(), sorted.end(), [](const Marker& a, const Marker& b) {
        return a.timestampMs < b.timestampMs;
    });
    json::Value segments = json::Value::array();
    auto addSegment = [&](const std::string& label, const std::string& note, double from,
                          double to) {
        std::map<int, FaceStats> stats;
        std::size_t count = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (frames[i].timestampMs >= from && frames[i].timestampMs < to) {
                accumulate(stats, frames[i], weights[i]);
                ++count;
            }
        }
        json::Value s = json::Value::object();
        s["label"] = label;
        s["note"] = note;
        s["start_ms"] = std::isfinite(from) ? json::Value(from) : json::Value();
        s["end_ms"] = std::isfinite(to) ? json::Value(to) : json::Value();
        s["frames"] = count;
        s["faces"] = facesJson(stats);
        segments.push(std::move(s));
    };
    if (!sorted.empty()) {
        const double inf = std::numeric_limits<double>::infinity();
        if (n > 0 && frames.front().timestampMs < sorted.front().timestampMs) {
            addSegment("before first marker", "", -inf, sorted.front().timestampMs);
        }
        for (std::size_t m = 0; m < sorted.size(); ++m) {
            const double to = m + 1 < sorted.size() ? sorted[m + 1].timestampMs : inf;
            addSegment(sorted[m].label, sorted[m].note, sorted[m].timestampMs, to);
        }
    }
    out["segments"] = std::move(segments);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Drawing

cv::Mat drawAnnotations(const cv::Mat& frame, const std::vector<TrackedFace>& faces,
                        bool blurFaces) {
    cv::Mat out = frame.clone();
    const cv::Rect bounds(0, 0, out.cols, out.rows);
    if (blurFaces) {
        for (const auto& f : faces) {
            const cv::Rect box = cv::Rect(f.face.box) & bounds;
            if (box.area() <= 0) {
                continue;
            }
            cv::Mat roi = out(box);
            // Pixelate, then smooth: irreversible, unlike a light Gaussian blur.
            cv::Mat tiny;
            cv::resize(roi, tiny, cv::Size(8, 8), 0, 0, cv::INTER_AREA);
            cv::resize(tiny, roi, roi.size(), 0, 0, cv::INTER_LINEAR);
        }
    }
    const double scale = std::max(0.4, out.rows / 720.0);
    const int thickness = std::max(1, static_cast<int>(std::lround(2.0 * scale)));
    for (const auto& f : faces) {
        const cv::Rect box(f.face.box);
        const bool known = f.hasScores && !f.uncertain;
        const cv::Scalar colour = known ? cv::Scalar(80, 220, 80) : cv::Scalar(180, 180, 180);
        cv::rectangle(out, box, colour, thickness);
        std::string text = "#" + std::to_string(f.id);
        if (f.hasScores) {
            const auto idx = static_cast<std::size_t>(f.label);
            text += " " + std::string(kEmotionNames[idx]) + " " +
                    fmt(2, static_cast<double>(f.smoothed[idx])) + (f.uncertain ? " ?" : "");
        }
        int baseline = 0;
        const cv::Size size =
            cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, 0.6 * scale, thickness, &baseline);
        const cv::Point origin(std::max(0, box.x), std::max(size.height + 4, box.y - 4));
        cv::rectangle(out, origin + cv::Point(-2, baseline),
                      origin + cv::Point(size.width + 2, -size.height - 2), cv::Scalar(0, 0, 0),
                      cv::FILLED);
        cv::putText(out, text, origin, cv::FONT_HERSHEY_SIMPLEX, 0.6 * scale, colour, thickness,
                    cv::LINE_AA);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Recorder

struct SessionRecorder::Impl {
    std::string folder;
    SessionInfo info;
    RecorderOptions options;
    std::string started;

    mutable std::mutex mutex;
    std::unique_ptr<AppendFile> frames;
    std::unique_ptr<AppendFile> markers;
    cv::VideoWriter video;
    cv::Size videoSize;
    std::string videoPath;
    bool videoOpened = false;

    std::vector<SummaryFrame> summaryFrames;
    std::vector<Marker> markerList;
    std::uint64_t recorded = 0;
    std::uint64_t videoFrames = 0;
    std::string error;
    bool finished = false;

    Clock::time_point lastSync = Clock::now();
    Clock::time_point lastGrowthCheck = Clock::now();
    std::int64_t lastVideoSize = 0;
    std::uint64_t videoFramesAtCheck = 0;

    std::string path(const char* name) const { return (fs::path(folder) / name).string(); }

    json::Value sessionJson(const std::string& status, const std::string& endReason) const {
        json::Value j = json::Value::object();
        j["app"] = "LiteFER";
        j["version"] = kVersion;
        j["status"] = status;
        j["started"] = started;
        j["ended"] = status == "recording" ? json::Value() : json::Value(isoTimestampUtc());
        j["end_reason"] = endReason;
        j["error"] = error;
        j["participant"] = info.participant;
        j["session"] = info.session;
        j["notes"] = info.notes;
        json::Value src = json::Value::object();
        src["spec"] = info.source;
        src["kind"] = info.sourceKind;
        src["width"] = info.resolution.width;
        src["height"] = info.resolution.height;
        src["fps"] = info.fps;
        j["source"] = std::move(src);
        json::Value model = json::Value::object();
        model["path"] = info.modelPath;
        model["name"] = info.modelName;
        model["architecture"] = info.modelArchitecture;
        model["weights_sha256"] = info.modelWeightsSha256;
        model["device"] = info.device;
        j["model"] = std::move(model);
        j["detector"] = detectorJson(info);
        j["tracking"] = trackingJson(info.trackerOptions);
        json::Value vid = json::Value::object();
        vid["written"] = options.writeVideo;
        vid["file"] = options.writeVideo ? kVideoFile : "";
        vid["container"] = "matroska";
        vid["codec"] = "MJPG";
        vid["faces_blurred"] = options.blurFaces;
        vid["frames"] = videoFrames;
        j["video"] = std::move(vid);
        j["frames_recorded"] = recorded;
        j["markers"] = markerList.size();
        return j;
    }

    void writeSessionJson(const std::string& status, const std::string& endReason) {
        try {
            writeFileAtomic(path(kSessionJson), sessionJson(status, endReason).dump(2) + "\n");
        } catch (const std::exception& e) {
            throw RecordingError(std::string(e.what()) + kDiskFix);
        }
    }

    void openVideo(const cv::Size& size) {
        videoOpened = true;
        videoSize = size;
        videoPath = path(kVideoFile);
        const double fps = options.videoFps > 0.0 ? options.videoFps
                           : info.fps > 0.0       ? info.fps
                                                  : kVideoFallbackFps;
        video.open(videoPath, cv::CAP_FFMPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps,
                   size, true);
        if (!video.isOpened()) {
            throw RecordingError("cannot create the video " + videoPath +
                                 " (FFmpeg with MJPG in Matroska); record without video "
                                 "(--no-video)");
        }
    }

    void writeVideoFrame(const FrameResult& r) {
        if (r.frame.empty()) {
            return;
        }
        if (!videoOpened) {
            openVideo(r.frame.size());
        }
        cv::Mat picture = drawAnnotations(r.frame, r.faces, options.blurFaces);
        if (picture.size() != videoSize) {
            cv::resize(picture, picture, videoSize, 0, 0, cv::INTER_AREA);
        }
        video.write(picture);
        ++videoFrames;
    }

    /// Periodic durability and space checks (on the recording thread).
    void periodicChecks(Clock::time_point now) {
        if (msBetween(lastSync, now) >= options.syncIntervalMs) {
            lastSync = now;
            frames->sync();
            markers->sync();
            struct statvfs vfs {};
            if (::statvfs(folder.c_str(), &vfs) == 0) {
                const auto freeBytes = static_cast<std::uint64_t>(vfs.f_bavail) *
                                       static_cast<std::uint64_t>(vfs.f_frsize);
                if (freeBytes < options.minFreeBytes) {
                    throw RecordingError(
                        "disk almost full while writing " + frames->path() +
                        (videoOpened ? " and " + videoPath : std::string()) + ": " +
                        std::to_string(freeBytes >> 20) + " MiB free (minimum " +
                        std::to_string(options.minFreeBytes >> 20) +
                        " MiB); recording stopped with everything so far kept. Free space or "
                        "record to another folder (--out)");
                }
            }
        }
        if (videoOpened && options.growthCheckMs > 0.0 &&
            msBetween(lastGrowthCheck, now) >= options.growthCheckMs) {
            lastGrowthCheck = now;
            const std::int64_t size = fileSize(videoPath);
            if (videoFrames > videoFramesAtCheck && size >= 0 && size <= lastVideoSize) {
                throw RecordingError("the video " + videoPath + " stopped growing although " +
                                     std::to_string(videoFrames - videoFramesAtCheck) +
                                     " frames were written (disk full or file size limit)" +
                                     kDiskFix);
            }
            lastVideoSize = size;
            videoFramesAtCheck = videoFrames;
        }
    }

    void stopOnError(const RecordingError& e) {
        error = e.what();
        if (videoOpened) {
            video.release();
        }
    }
};

SessionRecorder::SessionRecorder(const std::string& folder, const SessionInfo& info,
                                 const RecorderOptions& options)
    : impl_(std::make_unique<Impl>()) {
    impl_->folder = folder;
    impl_->info = info;
    impl_->options = options;
    impl_->started = isoTimestampUtc();
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec || !fs::is_directory(folder)) {
        throw RecordingError("cannot create the session folder " + folder + ": " +
                             (ec ? ec.message() : std::string("not a folder")) +
                             "; choose a writable place with --out");
    }
    if (fs::exists(impl_->path(kFramesCsv)) || fs::exists(impl_->path(kSessionJson))) {
        throw RecordingError("the folder " + folder +
                             " already holds a recorded session; choose a new folder with --out "
                             "(sessions are never overwritten)");
    }
    impl_->writeSessionJson("recording", "");
    impl_->frames = std::make_unique<AppendFile>(impl_->path(kFramesCsv));
    std::string header = "frame_id,timestamp_ms,face_id,x,y,w,h,score";
    for (const char* prefix : {"raw_", "smoothed_"}) {
        for (auto name : kEmotionNames) {
            header += ',' + std::string(prefix) + std::string(name);
        }
    }
    header += ",label,uncertain,source_file\n";
    impl_->frames->write(header);
    impl_->markers = std::make_unique<AppendFile>(impl_->path(kMarkersCsv));
    impl_->markers->write("time_ms,label,note\n");
    impl_->frames->sync();
    impl_->markers->sync();
}

SessionRecorder::~SessionRecorder() {
    try {
        finish();
    } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw
    }
}

void SessionRecorder::record(const FrameResult& r) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    if (impl_->finished || !impl_->error.empty()) {
        return;
    }
    try {
        const std::string head = std::to_string(r.frameId) + ',' + fmt(3, r.timestampMs);
        const std::string tail = ',' + csvField(r.sourceName) + '\n';
        std::string rows;
        SummaryFrame summary;
        summary.timestampMs = r.timestampMs;
        if (r.faces.empty()) {
            rows = head + ",,,,,," + std::string(2 * kNumEmotions, ',') + ",," + tail;
        }
        for (const auto& f : r.faces) {
            rows += head + ',' + std::to_string(f.id) + ',' +
                    fmt(1, static_cast<double>(f.face.box.x)) + ',' +
                    fmt(1, static_cast<double>(f.face.box.y)) + ',' +
                    fmt(1, static_cast<double>(f.face.box.width)) + ',' +
                    fmt(1, static_cast<double>(f.face.box.height)) + ',' +
                    fmt(4, static_cast<double>(f.face.score));
            for (const EmotionScores* s : {&f.raw, &f.smoothed}) {
                for (float p : *s) {
                    rows += ',';
                    if (f.hasScores) {
                        rows += fmt(5, static_cast<double>(p));
                    }
                }
            }
            rows += ',';
            if (f.hasScores) {
                rows += std::string(emotionName(f.label)) + ',' + (f.uncertain ? "1" : "0");
                summary.faces.push_back({f.id, f.label, f.uncertain, f.raw});
            } else {
                rows += ',';
            }
            rows += tail;
        }
        impl_->frames->write(rows);
        impl_->summaryFrames.push_back(std::move(summary));
        ++impl_->recorded;
        if (impl_->options.writeVideo) {
            impl_->writeVideoFrame(r);
        }
        impl_->periodicChecks(Clock::now());
    } catch (const RecordingError& e) {
        impl_->stopOnError(e);
        throw;
    }
}

void SessionRecorder::addMarker(double timestampMs, const std::string& label,
                                const std::string& note) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    if (impl_->finished || !impl_->error.empty()) {
        return;
    }
    try {
        impl_->markers->write(fmt(3, timestampMs) + ',' + csvField(label) + ',' + csvField(note) +
                              '\n');
        impl_->markerList.push_back({timestampMs, label, note});
    } catch (const RecordingError& e) {
        impl_->stopOnError(e);
        throw;
    }
}

void SessionRecorder::finish(const std::string& endReason) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    if (impl_->finished) {
        return;
    }
    impl_->finished = true;
    if (impl_->videoOpened) {
        impl_->video.release();
    }
    std::string firstError;
    for (AppendFile* file : {impl_->frames.get(), impl_->markers.get()}) {
        try {
            file->close();
        } catch (const std::exception& e) {
            if (firstError.empty()) {
                firstError = e.what();
            }
        }
    }
    try {
        const json::Value summary = summarizeSession(impl_->summaryFrames, impl_->markerList);
        writeFileAtomic(impl_->path(kSummaryJson), summary.dump(2) + "\n");
    } catch (const std::exception& e) {
        if (firstError.empty()) {
            firstError = e.what();
        }
    }
    try {
        impl_->writeSessionJson(impl_->error.empty() ? "complete" : "failed", endReason);
    } catch (const std::exception& e) {
        if (firstError.empty()) {
            firstError = e.what();
        }
    }
    if (!firstError.empty()) {
        throw RecordingError(firstError);
    }
}

bool SessionRecorder::failed() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return !impl_->error.empty();
}

std::string SessionRecorder::error() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->error;
}

std::uint64_t SessionRecorder::framesRecorded() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->recorded;
}

const std::string& SessionRecorder::folder() const {
    return impl_->folder;
}

}  // namespace litefer::core
