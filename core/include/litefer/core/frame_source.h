#pragma once
// Frame sources: where the pipeline's frames come from. One small interface, five stages:
//
// - CameraSource: a V4L2 camera by index ("0") or device path ("/dev/video2"), opened with
//   cv::CAP_V4L2 at a requested size and rate. Timestamps: steady clock at capture.
// - VideoFileSource: a video file, always through cv::CAP_FFMPEG (OpenCV's default backend
//   tries GStreamer first and fails on a bare path, RUNTIME.md). Timestamps: media time.
//   Delivered as fast as decoding allows, or paced to media time (SourceOptions::realtime).
//   Frames FFmpeg cannot decode (corrupt packets) are skipped and reported (problems()).
// - StreamSource: a network stream URL (rtsp://, http(s)://, rtmp://, udp://, ...) through
//   FFmpeg with open and read timeouts. Timestamps: steady clock at capture.
// - StillImageSource: one image, one frame.
// - ImageFolderSource: every image of a folder (not recursive), in file-name order; files that
//   do not decode are skipped and reported (problems()), never fatal.
//
// Construction opens the source (MediaPipe's Open) and throws std::runtime_error whose message
// names the camera, file or URL, the reason and the fix; read() delivers frames (Process);
// close() releases the device (Close). "The source ended" is read() returning false, not an
// error.
//
// Thread-safety: a source is used by one thread at a time (the pipeline's capture thread);
// info(), problems() and skipped() may be read after that thread is joined.
#include <opencv2/core.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace litefer::core {

/// One frame on its way through the pipeline. A plain value: cheap to move, and its pixels are
/// never written after read() returns (cv::Mat shares them; copy before drawing).
struct Frame {
    /// 0, 1, 2, ... in delivery order, per source. Unique within a run.
    std::uint64_t id = 0;
    /// Milliseconds, monotonic within a source: the steady clock at capture for cameras and
    /// streams (since the source opened; the first frame, read while opening, keeps the time
    /// it was read then), the media time for video files, and id *
    /// SourceOptions::imageIntervalMs for stills and folders.
    double timestampMs = 0.0;
    /// 8-bit BGR (3 channels), never empty for a delivered frame.
    cv::Mat bgr;
    /// The image's file name (no folder) for stills and folders; empty otherwise.
    std::string sourceName;
    /// How long read() took to deliver this frame (waiting for the camera, decoding), ms.
    double readMs = 0.0;
    /// The steady clock when read() returned it: the start of the frame's latency budget. For
    /// the first frame of a camera or stream, read while opening: when it was read then.
    std::chrono::steady_clock::time_point capturedAt{};
};

enum class SourceKind { Camera, Stream, VideoFile, StillImage, ImageFolder };

/// "camera", "stream", "video", "image", "folder".
std::string_view sourceKindName(SourceKind kind);

/// Source settings, one struct for all kinds (each kind uses its part).
struct SourceOptions {
    /// Cameras: requested frame size and rate. Drivers pick the nearest mode they have; the
    /// delivered size is in SourceInfo. 640x480 at 30 fps is what most webcams do well.
    int width = 640;
    int height = 480;
    double fps = 30.0;
    /// Video files: deliver frames at their media pace (as a camera would) instead of as fast
    /// as decoding allows.
    bool realtime = false;
    /// Stills and folders: timestamp step between images, ms (images have no time of their own;
    /// 1000 ms keeps each picture as its own moment for the smoother).
    double imageIntervalMs = 1000.0;
    /// Streams: how long FFmpeg may take to open the URL, and to deliver a frame, ms.
    int streamOpenTimeoutMs = 10000;
    int streamReadTimeoutMs = 5000;
};

/// What was opened.
struct SourceInfo {
    SourceKind kind = SourceKind::VideoFile;
    std::string spec;    ///< as given to openSource() (path, URL, index)
    cv::Size frameSize;  ///< of the first frame (folders: may vary per image); 0x0 if unknown
    double fps = 0.0;    ///< nominal rate; 0 if unknown (stills, folders)
    bool live = false;   ///< cameras and streams: frames come at the sender's pace
    std::int64_t frameCount = -1;  ///< files: frames (containers may be approximate); -1 unknown
};

class FrameSource {
  public:
    virtual ~FrameSource() = default;
    /// Delivers the next frame into `out` (id, timestamp, pixels, name, read time). Returns false
    /// when the source has ended (end of file, last image, camera or stream gone). Throws
    /// std::runtime_error only for failures that are not an end (none of the built-in sources
    /// throw after opening, except a still image that stopped being readable).
    virtual bool read(Frame& out) = 0;
    /// Releases the device or file. Idempotent; read() returns false afterwards.
    virtual void close() = 0;
    virtual const SourceInfo& info() const = 0;
    /// Problems met so far, each "<file>: <reason>": images of a folder that were skipped;
    /// for video files, frames that could not be decoded and were skipped (corrupt packets),
    /// and an end well before the container's frame count (damaged or truncated file).
    /// Empty for other kinds.
    virtual std::vector<std::string> problems() const { return {}; }
};

/// Which kind openSource() opens for `spec`: a whole number or /dev/video* -> Camera; a URL
/// scheme (rtsp, rtsps, rtmp, http, https, udp, tcp, srt) -> Stream; an existing directory ->
/// ImageFolder; an image extension (jpg, jpeg, png, bmp, webp, tif, tiff, pgm, ppm; any case)
/// -> StillImage; anything else -> VideoFile. Pure apart from the directory check.
SourceKind classifySource(const std::string& spec);

/// Opens `spec` as classifySource() decides. Throws std::runtime_error naming the source, the
/// reason and the fix: no camera at that index/path, camera busy or not permitted, missing
/// file, file that is not a readable video or image, folder without images, stream that does
/// not open.
std::unique_ptr<FrameSource> openSource(const std::string& spec, const SourceOptions& options = {});

/// The individual stages, for callers that know what they have.
std::unique_ptr<FrameSource> openCamera(const std::string& indexOrDevice,
                                        const SourceOptions& options = {});
std::unique_ptr<FrameSource> openVideoFile(const std::string& path,
                                           const SourceOptions& options = {});
std::unique_ptr<FrameSource> openStream(const std::string& url, const SourceOptions& options = {});
std::unique_ptr<FrameSource> openStillImage(const std::string& path,
                                            const SourceOptions& options = {});
std::unique_ptr<FrameSource> openImageFolder(const std::string& folder,
                                             const SourceOptions& options = {});

/// Reads one image as 8-bit BGR, refusing what cv::imread would let through half-decoded:
/// returns an empty Mat and sets `problem` (a reason without the path) for a missing, empty,
/// unreadable, undecodable or truncated file (a JPEG without its end-of-image marker, which
/// OpenCV decodes into a full-size image with grey fill), or one OpenCV refuses to decode
/// (e.g. absurd declared dimensions). Never throws. The JPEG check repeats the one in
/// dataset.cpp (not exposed there).
cv::Mat readImageChecked(const std::string& path, std::string& problem);

}  // namespace litefer::core
