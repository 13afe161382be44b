#include "litefer/core/frame_source.h"

#include "litefer/core/dataset.h"

#include <unistd.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

namespace litefer::core {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxImageBytes = std::size_t{256} << 20;
/// A source whose first frame cannot be read within this many attempts is reported as not
/// delivering (V4L2 cameras sometimes fail the very first grab while the sensor starts).
constexpr int kFirstFrameAttempts = 20;

double msSince(Clock::time_point start, Clock::time_point now) {
    return std::chrono::duration<double, std::milli>(now - start).count();
}

std::string toLower(std::string s) {
    for (char& c : s) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return s;
}

bool hasImageExtension(const fs::path& p) {
    static const char* const kExtensions[] = {".jpg", ".jpeg", ".png", ".bmp", ".webp",
                                              ".tif", ".tiff", ".pgm", ".ppm"};
    const std::string ext = toLower(p.extension().string());
    return std::any_of(std::begin(kExtensions), std::end(kExtensions),
                       [&ext](const char* e) { return ext == e; });
}

bool isUrl(const std::string& spec) {
    static const char* const kSchemes[] = {"rtsp://",  "rtsps://", "rtmp://", "http://",
                                           "https://", "udp://",   "tcp://",  "srt://"};
    const std::string lower = toLower(spec.substr(0, 10));
    return std::any_of(std::begin(kSchemes), std::end(kSchemes),
                       [&lower](const char* s) { return lower.rfind(s, 0) == 0; });
}

bool isWholeNumber(const std::string& s) {
    return !s.empty() && s.size() < 6 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// Any 8-bit decoded image -> BGR (grey and BGRA are converted; 16-bit images are scaled).
cv::Mat toBgr8(const cv::Mat& img) {
    cv::Mat eight = img;
    if (img.depth() == CV_16U) {
        img.convertTo(eight, CV_8U, 1.0 / 257.0);
    } else if (img.depth() != CV_8U) {
        return {};
    }
    if (eight.channels() == 3) {
        return eight;
    }
    cv::Mat bgr;
    if (eight.channels() == 1) {
        cv::cvtColor(eight, bgr, cv::COLOR_GRAY2BGR);
    } else if (eight.channels() == 4) {
        cv::cvtColor(eight, bgr, cv::COLOR_BGRA2BGR);
    }
    return bgr;
}

/// Fills the bookkeeping fields of a delivered frame.
void stamp(Frame& out, std::uint64_t id, double timestampMs, Clock::time_point readStart) {
    const auto now = Clock::now();
    out.id = id;
    out.timestampMs = timestampMs;
    out.readMs = msSince(readStart, now);
    out.capturedAt = now;
}

/// The first frame of a live source is read while opening (to fail early), and delivered by
/// the first read(), possibly much later (the caller loads its models in between). Its
/// timestamp and capture time are those of the moment it was read, so that it is not stamped
/// as if it were as fresh as the frame that follows it.
void stampFirst(Frame& out, Clock::time_point start, Clock::time_point capturedAt, double readMs) {
    out.timestampMs = msSince(start, capturedAt);
    out.capturedAt = capturedAt;
    out.readMs = readMs;
}

// ---------------------------------------------------------------------------------------------
// Camera

/// Lists /dev/video* for error messages.
std::string listVideoDevices() {
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/dev", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("video", 0) == 0) {
            found.push_back(entry.path().string());
        }
    }
    std::sort(found.begin(), found.end());
    if (found.empty()) {
        return "no /dev/video* devices exist";
    }
    std::string out = "devices present:";
    for (const auto& f : found) {
        out += ' ' + f;
    }
    return out;
}

class CameraSource : public FrameSource {
  public:
    CameraSource(const std::string& spec, const SourceOptions& options) {
        info_.kind = SourceKind::Camera;
        info_.spec = spec;
        info_.live = true;
        std::string device = spec;
        int index = -1;
        if (isWholeNumber(spec)) {
            std::from_chars(spec.data(), spec.data() + spec.size(), index);
            device = "/dev/video" + spec;
        }
        std::error_code ec;
        if (!fs::exists(device, ec)) {
            throw std::runtime_error(
                "no camera " +
                (index >= 0 ? "at index " + spec + " (" + device + ")" : "at " + device) +
                ": the device does not exist (" + listVideoDevices() +
                "); connect a camera, or choose another with --source N or "
                "--source /dev/videoN");
        }
        const bool permitted = ::access(device.c_str(), R_OK | W_OK) == 0;
        if (index >= 0) {
            cap_.open(index, cv::CAP_V4L2);
        } else {
            cap_.open(device, cv::CAP_V4L2);
        }
        if (!cap_.isOpened()) {
            throw std::runtime_error(
                "camera " + device + " exists but could not be opened: " +
                (permitted ? std::string("it is probably in use by another program (close the "
                                         "other video application and try again) or is not a "
                                         "capture device (try another /dev/videoN)")
                           : std::string("permission denied (add your user to the 'video' "
                                         "group and log in again)")));
        }
        cap_.set(cv::CAP_PROP_FRAME_WIDTH, options.width);
        cap_.set(cv::CAP_PROP_FRAME_HEIGHT, options.height);
        cap_.set(cv::CAP_PROP_FPS, options.fps);
        info_.fps = cap_.get(cv::CAP_PROP_FPS);
        start_ = Clock::now();
        // A camera that opens but delivers nothing is busy (another process streams from it)
        // or broken; find out now rather than as a "lost camera" later.
        for (int attempt = 0; attempt < kFirstFrameAttempts && first_.empty(); ++attempt) {
            const auto t0 = Clock::now();
            cap_.read(first_);
            firstAt_ = Clock::now();
            firstReadMs_ = msSince(t0, firstAt_);
        }
        if (first_.empty()) {
            cap_.release();
            throw std::runtime_error("camera " + device +
                                     " opened but delivers no frames: it is probably busy "
                                     "(close other programs using it) or disconnected");
        }
        info_.frameSize = first_.size();
    }

    bool read(Frame& out) override {
        const auto t0 = Clock::now();
        cv::Mat img;
        const bool first = !first_.empty();
        if (first) {
            img = std::move(first_);
            first_ = cv::Mat();
        } else if (!cap_.isOpened() || !cap_.read(img)) {
            return false;
        }
        if (img.empty()) {
            return false;
        }
        out.bgr = toBgr8(img);
        out.sourceName.clear();
        stamp(out, nextId_++, msSince(start_, Clock::now()), t0);
        if (first) {  // read while opening: its capture time, not its delivery time
            stampFirst(out, start_, firstAt_, firstReadMs_);
        }
        return !out.bgr.empty();
    }

    void close() override {
        cap_.release();
        first_ = cv::Mat();
    }
    const SourceInfo& info() const override { return info_; }

  private:
    SourceInfo info_;
    cv::VideoCapture cap_;
    cv::Mat first_;
    Clock::time_point firstAt_;
    double firstReadMs_ = 0.0;
    Clock::time_point start_;
    std::uint64_t nextId_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Video files and streams (FFmpeg)

class FfmpegSource : public FrameSource {
  public:
    /// `stream`: a URL (live, steady-clock timestamps) rather than a file (media time).
    FfmpegSource(const std::string& spec, const SourceOptions& options, bool stream)
        : realtime_(options.realtime && !stream) {
        info_.kind = stream ? SourceKind::Stream : SourceKind::VideoFile;
        info_.spec = spec;
        info_.live = stream;
        if (!stream) {
            std::error_code ec;
            if (!fs::exists(spec, ec)) {
                throw std::runtime_error(spec + ": no such file; check the path given to --source");
            }
            if (!fs::is_regular_file(spec, ec)) {
                throw std::runtime_error(spec +
                                         ": not a regular file; give a video file, an "
                                         "image, a folder of images or a camera");
            }
            if (::access(spec.c_str(), R_OK) != 0) {
                throw std::runtime_error(spec + ": permission denied; make the file readable");
            }
        }
        std::vector<int> params;
        if (stream) {
            params = {cv::CAP_PROP_OPEN_TIMEOUT_MSEC, options.streamOpenTimeoutMs,
                      cv::CAP_PROP_READ_TIMEOUT_MSEC, options.streamReadTimeoutMs};
        }
        try {
            cap_.open(spec, cv::CAP_FFMPEG, params);
        } catch (const cv::Exception& e) {
            throw std::runtime_error(spec + ": FFmpeg failed to open it (" + e.err + ")");
        }
        if (!cap_.isOpened()) {
            throw std::runtime_error(
                stream ? "cannot open stream " + spec +
                             ": check the address and credentials, that the sender is running, "
                             "and that the network reaches it"
                       : spec +
                             ": not a video FFmpeg can read (corrupt, truncated, or an "
                             "unsupported format); re-encode it, e.g. ffmpeg -i '" +
                             spec + "' out.mp4");
        }
        info_.fps = cap_.get(cv::CAP_PROP_FPS);
        if (!std::isfinite(info_.fps) || info_.fps <= 0.0 || info_.fps > 1000.0) {
            info_.fps = 0.0;
        }
        if (!stream) {
            const double n = cap_.get(cv::CAP_PROP_FRAME_COUNT);
            info_.frameCount = n > 0.0 && std::isfinite(n) ? static_cast<std::int64_t>(n) : -1;
        }
        start_ = Clock::now();
        cv::Mat first;
        const auto t0 = Clock::now();
        if (!cap_.read(first) || first.empty()) {
            cap_.release();
            throw std::runtime_error(stream ? "stream " + spec + " opened but sent no frame"
                                            : spec +
                                                  ": no frame could be decoded (corrupt or "
                                                  "truncated video); re-encode or replace "
                                                  "the file");
        }
        info_.frameSize = first.size();
        firstAt_ = Clock::now();
        firstReadMs_ = msSince(t0, firstAt_);
        first_ = std::move(first);
    }

    bool read(Frame& out) override {
        const auto t0 = Clock::now();
        cv::Mat img;
        const bool first = !first_.empty();
        if (first) {
            img = std::move(first_);
            first_ = cv::Mat();
        } else if (!readNext(img)) {
            return false;
        }
        double ts = 0.0;
        if (info_.live) {
            ts = msSince(start_, Clock::now());
        } else {
            // Media time of the frame just read; containers without timestamps (or a first
            // frame at an odd time) fall back to the nominal rate, kept strictly increasing.
            const double step = info_.fps > 0.0 ? 1000.0 / info_.fps : 1000.0 / 30.0;
            const double pos = cap_.get(cv::CAP_PROP_POS_MSEC);
            ts = std::isfinite(pos) && pos >= 0.0 ? pos : static_cast<double>(nextId_) * step;
            if (nextId_ > 0 && ts <= lastTs_) {
                ts = lastTs_ + step;
            }
            lastTs_ = ts;
            if (realtime_) {
                if (nextId_ == 0) {
                    paceStart_ = Clock::now();
                    paceOriginMs_ = ts;
                }
                const auto due =
                    paceStart_ + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double, std::milli>(ts - paceOriginMs_));
                std::this_thread::sleep_until(due);
            }
        }
        out.bgr = toBgr8(img);
        out.sourceName.clear();
        stamp(out, nextId_++, ts, t0);
        if (first) {
            if (info_.live) {  // see stampFirst()
                stampFirst(out, start_, firstAt_, firstReadMs_);
            } else {
                out.readMs = firstReadMs_;
            }
        }
        return !out.bgr.empty();
    }

    void close() override {
        cap_.release();
        first_ = cv::Mat();
    }
    const SourceInfo& info() const override { return info_; }
    std::vector<std::string> problems() const override { return problems_; }

  private:
    /// The next decodable frame. Files: FFmpeg gives up on a frame whose packets are corrupt
    /// and decodes the next one on the following call, so a failed read is retried (up to
    /// kMaxBadReads in a row) before the file counts as ended; what was skipped, and an end
    /// well before the container's frame count, are reported in problems(). Streams: a failed
    /// read is the end (the pipeline's watchdog and the caller's reconnect handle the rest).
    bool readNext(cv::Mat& img) {
        if (!cap_.isOpened()) {
            return false;
        }
        if (info_.live) {
            return cap_.read(img) && !img.empty();
        }
        int bad = 0;
        while (!(cap_.read(img) && !img.empty())) {
            const bool atEnd = info_.frameCount > 0 &&
                               static_cast<std::int64_t>(nextId_ + skipped_) >= info_.frameCount;
            if (atEnd || ++bad >= kMaxBadReads) {
                reportShortEnd();
                return false;
            }
        }
        if (bad > 0) {
            skipped_ += static_cast<std::uint64_t>(bad);
            problems_.push_back(info_.spec + ": corrupt data after frame " +
                                std::to_string(nextId_) + " (" + std::to_string(bad) +
                                " failed read(s)) was skipped; decoding went on");
        }
        return true;
    }

    void reportShortEnd() {
        if (shortEndReported_ || info_.frameCount <= 0) {
            return;
        }
        shortEndReported_ = true;
        const auto delivered = static_cast<std::int64_t>(nextId_);
        // Container frame counts can be estimates (duration x rate): only a clear shortfall
        // is a problem.
        const std::int64_t tolerance = std::max<std::int64_t>(2, info_.frameCount / 100);
        if (delivered + tolerance < info_.frameCount) {
            problems_.push_back(info_.spec + ": only " + std::to_string(delivered) + " of about " +
                                std::to_string(info_.frameCount) +
                                " frames could be decoded (the others are corrupt or missing); "
                                "the file is damaged or truncated");
        }
    }

    /// Consecutive failed reads after which a file counts as ended (each costs one packet).
    static constexpr int kMaxBadReads = 16;

    SourceInfo info_;
    cv::VideoCapture cap_;
    bool realtime_ = false;
    cv::Mat first_;
    Clock::time_point firstAt_;
    double firstReadMs_ = 0.0;
    Clock::time_point start_;
    Clock::time_point paceStart_;
    double paceOriginMs_ = 0.0;
    double lastTs_ = 0.0;
    std::uint64_t nextId_ = 0;
    std::uint64_t skipped_ = 0;
    bool shortEndReported_ = false;
    std::vector<std::string> problems_;
};

// ---------------------------------------------------------------------------------------------
// Images

class ImageListSource : public FrameSource {
  public:
    /// `still`: a single image that must be readable (errors throw) rather than a folder
    /// (bad images are skipped).
    ImageListSource(const std::string& spec, std::vector<fs::path> files,
                    const SourceOptions& options, bool still)
        : files_(std::move(files)), intervalMs_(options.imageIntervalMs) {
        info_.kind = still ? SourceKind::StillImage : SourceKind::ImageFolder;
        info_.spec = spec;
        info_.frameCount = static_cast<std::int64_t>(files_.size());
        if (still) {
            std::string problem;
            first_ = readImageChecked(files_.front().string(), problem);
            if (first_.empty()) {
                throw std::runtime_error(files_.front().string() + ": " + problem +
                                         "; replace or re-export the image");
            }
            info_.frameSize = first_.size();
            next_ = 1;
        }
    }

    bool read(Frame& out) override {
        const auto t0 = Clock::now();
        cv::Mat img;
        std::string name;
        if (!first_.empty()) {
            img = std::move(first_);
            first_ = cv::Mat();
            name = files_.front().filename().string();
        }
        while (img.empty() && !closed_ && next_ < files_.size()) {
            const fs::path& file = files_[next_++];
            std::string problem;
            img = readImageChecked(file.string(), problem);
            if (img.empty()) {
                problems_.push_back(file.string() + ": " + problem);
            } else {
                name = file.filename().string();
            }
        }
        if (img.empty()) {
            return false;
        }
        if (info_.frameSize.empty()) {
            info_.frameSize = img.size();
        }
        out.bgr = std::move(img);
        out.sourceName = std::move(name);
        stamp(out, nextId_, static_cast<double>(nextId_) * intervalMs_, t0);
        ++nextId_;
        return true;
    }

    void close() override { closed_ = true; }
    const SourceInfo& info() const override { return info_; }
    std::vector<std::string> problems() const override { return problems_; }

  private:
    SourceInfo info_;
    std::vector<fs::path> files_;
    double intervalMs_;
    bool closed_ = false;
    cv::Mat first_;
    std::size_t next_ = 0;
    std::uint64_t nextId_ = 0;
    std::vector<std::string> problems_;
};

}  // namespace

std::string_view sourceKindName(SourceKind kind) {
    switch (kind) {
        case SourceKind::Camera:
            return "camera";
        case SourceKind::Stream:
            return "stream";
        case SourceKind::VideoFile:
            return "video";
        case SourceKind::StillImage:
            return "image";
        case SourceKind::ImageFolder:
            return "folder";
    }
    return "unknown";
}

cv::Mat readImageChecked(const std::string& path, std::string& problem) {
    problem.clear();
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) {
        problem = "cannot open the file (missing or not readable)";
        return {};
    }
    const std::streamoff end = in.tellg();
    if (end < 0) {
        problem = "cannot read the file size";
        return {};
    }
    const auto size = static_cast<std::size_t>(end);
    if (size == 0) {
        problem = "empty file";
        return {};
    }
    if (size > kMaxImageBytes) {
        problem = "file too large for an image (" + std::to_string(size) + " bytes)";
        return {};
    }
    std::vector<std::uint8_t> buf(size);
    in.seekg(0);
    if (!in.read(reinterpret_cast<char*>(buf.data()), end)) {
        problem = "read error";
        return {};
    }
    if (size >= 3 && buf[0] == 0xFF && buf[1] == 0xD8 && buf[2] == 0xFF &&
        !jpegHasEndMarker(buf.data(), size)) {
        problem = "truncated JPEG (no end-of-image marker)";
        return {};
    }
    cv::Mat img;
    try {
        img = cv::imdecode(cv::Mat(1, static_cast<int>(size), CV_8UC1, buf.data()),
                           cv::IMREAD_ANYDEPTH | cv::IMREAD_COLOR);
    } catch (const cv::Exception& e) {
        problem = "decoder error: " + e.err;
        return {};
    }
    if (img.empty()) {
        problem = "unreadable image (corrupt, truncated, or not an image format OpenCV reads)";
        return {};
    }
    cv::Mat bgr = toBgr8(img);
    if (bgr.empty()) {
        problem = "unsupported pixel format";
    }
    return bgr;
}

SourceKind classifySource(const std::string& spec) {
    if (isWholeNumber(spec) || spec.rfind("/dev/video", 0) == 0) {
        return SourceKind::Camera;
    }
    if (isUrl(spec)) {
        return SourceKind::Stream;
    }
    std::error_code ec;
    if (fs::is_directory(spec, ec)) {
        return SourceKind::ImageFolder;
    }
    if (hasImageExtension(spec)) {
        return SourceKind::StillImage;
    }
    return SourceKind::VideoFile;
}

std::unique_ptr<FrameSource> openCamera(const std::string& indexOrDevice,
                                        const SourceOptions& options) {
    return std::make_unique<CameraSource>(indexOrDevice, options);
}

std::unique_ptr<FrameSource> openVideoFile(const std::string& path, const SourceOptions& options) {
    return std::make_unique<FfmpegSource>(path, options, /*stream=*/false);
}

std::unique_ptr<FrameSource> openStream(const std::string& url, const SourceOptions& options) {
    return std::make_unique<FfmpegSource>(url, options, /*stream=*/true);
}

std::unique_ptr<FrameSource> openStillImage(const std::string& path, const SourceOptions& options) {
    return std::make_unique<ImageListSource>(path, std::vector<fs::path>{path}, options,
                                             /*still=*/true);
}

std::unique_ptr<FrameSource> openImageFolder(const std::string& folder,
                                             const SourceOptions& options) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) {
        throw std::runtime_error(folder + ": not a folder; check the path given to --source");
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
        const std::string name = entry.path().filename().string();
        if (!name.empty() && name[0] != '.' && entry.is_regular_file(ec) &&
            hasImageExtension(entry.path())) {
            files.push_back(entry.path());
        }
    }
    if (ec) {
        throw std::runtime_error(folder + ": cannot list the folder (" + ec.message() +
                                 "); check its permissions");
    }
    if (files.empty()) {
        throw std::runtime_error(folder +
                                 ": no images in this folder (looked for jpg, jpeg, png, bmp, "
                                 "webp, tif, pgm, ppm; subfolders are not searched)");
    }
    std::sort(files.begin(), files.end());
    return std::make_unique<ImageListSource>(folder, std::move(files), options, /*still=*/false);
}

std::unique_ptr<FrameSource> openSource(const std::string& spec, const SourceOptions& options) {
    if (spec.empty()) {
        throw std::runtime_error(
            "no source given; use a camera index (0), /dev/videoN, a video or image file, a "
            "folder of images or a stream URL");
    }
    switch (classifySource(spec)) {
        case SourceKind::Camera:
            return openCamera(spec, options);
        case SourceKind::Stream:
            return openStream(spec, options);
        case SourceKind::ImageFolder:
            return openImageFolder(spec, options);
        case SourceKind::StillImage:
            return openStillImage(spec, options);
        case SourceKind::VideoFile:
            break;
    }
    return openVideoFile(spec, options);
}

}  // namespace litefer::core
