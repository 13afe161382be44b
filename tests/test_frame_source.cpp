// Frame sources: spec classification, video files, stills, folders with bad files, errors,
// corrupt video data, non-ASCII paths, and a network stream served over HTTP.
#include <catch2/catch.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "litefer/core/frame_source.h"
#include "support/http_server.h"
#include "support/temp_dir.h"

using namespace litefer;
namespace fs = std::filesystem;

namespace {

cv::Mat testImage(int w, int h, int seed) {
    cv::Mat img(h, w, CV_8UC3, cv::Scalar(40, 80, 120));
    cv::circle(img, {w / 2, h / 2}, std::min(w, h) / 4, cv::Scalar(200, 150, seed % 255),
               cv::FILLED);
    cv::putText(img, std::to_string(seed), {4, h - 4}, cv::FONT_HERSHEY_SIMPLEX, 0.5,
                cv::Scalar(255, 255, 255));
    return img;
}

/// Writes `frames` frames of w x h at `fps` as MJPG in Matroska.
void writeVideo(const std::string& path, int frames, double fps, int w = 96, int h = 64) {
    cv::VideoWriter writer(path, cv::CAP_FFMPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps,
                           cv::Size(w, h));
    REQUIRE(writer.isOpened());
    for (int i = 0; i < frames; ++i) {
        writer.write(testImage(w, h, i));
    }
}

void writeBytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
}

std::string messageOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "(no exception)";
}

}  // namespace

TEST_CASE("classifies a source spec by its form", "[frame_source]") {
    test::TempDir dir;
    CHECK(core::classifySource("0") == core::SourceKind::Camera);
    CHECK(core::classifySource("12") == core::SourceKind::Camera);
    CHECK(core::classifySource("/dev/video2") == core::SourceKind::Camera);
    CHECK(core::classifySource("rtsp://10.0.0.2:554/live") == core::SourceKind::Stream);
    CHECK(core::classifySource("HTTPS://example.org/cam.mjpg") == core::SourceKind::Stream);
    CHECK(core::classifySource(dir.str()) == core::SourceKind::ImageFolder);
    CHECK(core::classifySource("face.JPG") == core::SourceKind::StillImage);
    CHECK(core::classifySource("scan.png") == core::SourceKind::StillImage);
    CHECK(core::classifySource("talk.mp4") == core::SourceKind::VideoFile);
    CHECK(core::classifySource("talk") == core::SourceKind::VideoFile);
}

TEST_CASE("reads every frame of a video file with increasing media timestamps", "[frame_source]") {
    test::TempDir dir;
    const std::string path = dir.file("clip.mkv");
    writeVideo(path, 12, 10.0);
    auto source = core::openSource(path);
    CHECK(source->info().kind == core::SourceKind::VideoFile);
    CHECK_FALSE(source->info().live);
    CHECK(source->info().frameSize == cv::Size(96, 64));
    CHECK(source->info().fps == Approx(10.0));
    std::vector<core::Frame> frames;
    core::Frame f;
    while (source->read(f)) {
        frames.push_back(f);
    }
    REQUIRE(frames.size() == 12);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        CHECK(frames[i].id == i);
        CHECK(frames[i].bgr.type() == CV_8UC3);
        CHECK(frames[i].bgr.size() == cv::Size(96, 64));
        if (i > 0) {
            CHECK(frames[i].timestampMs - frames[i - 1].timestampMs == Approx(100.0).margin(1.0));
        }
    }
    source->close();
    CHECK_FALSE(source->read(f));
}

TEST_CASE("paces a video file to its media time when asked", "[frame_source]") {
    test::TempDir dir;
    const std::string path = dir.file("clip.mkv");
    writeVideo(path, 8, 20.0);
    core::SourceOptions options;
    options.realtime = true;
    auto source = core::openSource(path, options);
    const auto start = std::chrono::steady_clock::now();
    core::Frame f;
    int n = 0;
    while (source->read(f)) {
        ++n;
    }
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    CHECK(n == 8);
    CHECK(ms >= 300.0);  // 7 intervals of 50 ms
}

TEST_CASE("reads a shared face video through FFmpeg", "[frame_source]") {
    const std::string path = std::string(LITEFER_SHARED_DIR) + "/video/face_d0.mp4";
    if (!fs::exists(path)) {
        WARN("skipped: " << path << " not found");
        return;
    }
    auto source = core::openSource(path);
    CHECK(source->info().frameSize == cv::Size(512, 512));
    CHECK(source->info().fps == Approx(25.0).margin(0.5));
    core::Frame f;
    int n = 0;
    double last = -1.0;
    while (source->read(f)) {
        CHECK(f.timestampMs > last);
        last = f.timestampMs;
        ++n;
    }
    CHECK(n >= 70);
}

TEST_CASE("reads a still image once, named by its file", "[frame_source]") {
    test::TempDir dir;
    const std::string path = dir.file("portrait.png");
    REQUIRE(cv::imwrite(path, testImage(40, 30, 1)));
    auto source = core::openSource(path);
    CHECK(source->info().kind == core::SourceKind::StillImage);
    core::Frame f;
    REQUIRE(source->read(f));
    CHECK(f.id == 0);
    CHECK(f.sourceName == "portrait.png");
    CHECK(f.bgr.size() == cv::Size(40, 30));
    CHECK_FALSE(source->read(f));
}

TEST_CASE("skips and reports unreadable images in a folder, in name order", "[frame_source]") {
    test::TempDir dir;
    REQUIRE(cv::imwrite(dir.file("1.png"), testImage(32, 32, 1)));
    std::vector<std::uint8_t> jpeg;
    REQUIRE(cv::imencode(".jpg", testImage(64, 64, 2), jpeg));
    writeBytes(dir.file("2.jpg"),
               std::string(jpeg.begin(), jpeg.begin() + static_cast<long>(jpeg.size() / 3)));
    REQUIRE(cv::imwrite(dir.file("3.png"), cv::Mat(20, 24, CV_8UC1, cv::Scalar(90))));
    writeBytes(dir.file("4.bmp"), "this is not an image");
    writeBytes(dir.file("notes.txt"), "ignored");

    auto source = core::openSource(dir.str());
    CHECK(source->info().kind == core::SourceKind::ImageFolder);
    std::vector<std::string> names;
    std::vector<double> times;
    core::Frame f;
    while (source->read(f)) {
        names.push_back(f.sourceName);
        times.push_back(f.timestampMs);
        CHECK(f.bgr.type() == CV_8UC3);
    }
    CHECK(names == std::vector<std::string>{"1.png", "3.png"});
    REQUIRE(times.size() == 2);
    CHECK(times[1] > times[0]);
    const auto problems = source->problems();
    REQUIRE(problems.size() == 2);
    CHECK_THAT(problems[0], Catch::Contains("2.jpg") && Catch::Contains("truncated"));
    CHECK_THAT(problems[1], Catch::Contains("4.bmp"));
}

TEST_CASE("a folder without images is an error naming the folder", "[frame_source]") {
    test::TempDir dir;
    writeBytes(dir.file("readme.txt"), "x");
    CHECK_THAT(messageOf([&] { core::openSource(dir.str()); }),
               Catch::Contains(dir.str()) && Catch::Contains("no images"));
}

TEST_CASE("an unreadable file gives an error naming the file and the fix", "[frame_source]") {
    test::TempDir dir;
    const std::string still = dir.file("broken.png");
    writeBytes(still, "garbage, not a PNG");
    CHECK_THAT(messageOf([&] { core::openSource(still); }),
               Catch::Contains(still) && Catch::Contains("replace"));

    const std::string video = dir.file("broken.mp4");
    writeBytes(video, std::string(4096, 'x'));
    CHECK_THAT(messageOf([&] { core::openSource(video); }),
               Catch::Contains(video) && Catch::Contains("ffmpeg"));

    const std::string missing = dir.file("missing.mp4");
    CHECK_THAT(messageOf([&] { core::openSource(missing); }),
               Catch::Contains(missing) && Catch::Contains("no such file"));
}

TEST_CASE("camera index 99 gives a clear no-camera error", "[frame_source]") {
    const std::string message = messageOf([] { core::openSource("99"); });
    CHECK_THAT(message, Catch::Contains("no camera") && Catch::Contains("/dev/video99") &&
                            Catch::Contains("--source"));
}

TEST_CASE("skips corrupt packets in the middle of a video, goes on past them and reports them",
          "[frame_source]") {
    // A 60-frame MJPG clip whose middle 20 KB (of ~145 KB) are overwritten with noise: FFmpeg
    // fails some reads there and decodes later frames again.
    test::TempDir dir;
    const std::string path = dir.file("damaged.mkv");
    {
        cv::VideoWriter writer(path, cv::CAP_FFMPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'),
                               25.0, cv::Size(160, 120));
        REQUIRE(writer.isOpened());
        cv::RNG rng(1);
        for (int i = 0; i < 60; ++i) {
            cv::Mat f(120, 160, CV_8UC3, cv::Scalar(i * 4, 100, 50));
            cv::Mat patch = f(cv::Rect(0, 0, 40, 40));
            rng.fill(patch, cv::RNG::UNIFORM, 0, 255);
            cv::putText(f, std::to_string(i), {50, 60}, cv::FONT_HERSHEY_SIMPLEX, 1.0,
                        cv::Scalar(255, 255, 255));
            writer.write(f);
        }
    }
    const auto size = static_cast<std::streamoff>(fs::file_size(path));
    {
        std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(size / 2);
        std::mt19937 noise(3);
        for (int i = 0; i < 20000; ++i) {
            f.put(static_cast<char>(noise() & 0xFF));
        }
    }
    auto source = core::openSource(path);
    std::vector<core::Frame> frames;
    core::Frame f;
    while (source->read(f)) {  // must neither throw nor stop at the first bad packet
        frames.push_back(f);
    }
    INFO("delivered " << frames.size() << " of 60");
    CHECK(frames.size() > 40);  // well past the damage, which starts around frame 30
    CHECK(frames.size() < 60);  // frames were lost
    for (std::size_t i = 1; i < frames.size(); ++i) {
        CHECK(frames[i].id == frames[i - 1].id + 1);
        CHECK(frames[i].timestampMs > frames[i - 1].timestampMs);
    }
    const auto problems = source->problems();
    REQUIRE_FALSE(problems.empty());
    for (const auto& p : problems) {
        CHECK_THAT(p, Catch::StartsWith(path));
    }
}

TEST_CASE("opens sources whose paths hold spaces and non-ASCII characters", "[frame_source]") {
    test::TempDir dir;
    const fs::path folder = dir.path() / "Sitzung Müller ü" / "Bilder äöß";
    fs::create_directories(folder);
    const std::string video = (folder.parent_path() / "видео 1.mkv").string();
    writeVideo(video, 5, 10.0);
    auto v = core::openSource(video);
    CHECK(v->info().kind == core::SourceKind::VideoFile);
    core::Frame f;
    int n = 0;
    while (v->read(f)) {
        ++n;
    }
    CHECK(n == 5);
    REQUIRE(cv::imwrite((folder / "Gesicht 1 ü.png").string(), testImage(64, 48, 1)));
    auto still = core::openSource((folder / "Gesicht 1 ü.png").string());
    REQUIRE(still->read(f));
    CHECK(f.sourceName == "Gesicht 1 ü.png");
    auto images = core::openSource(folder.string());
    CHECK(images->info().kind == core::SourceKind::ImageFolder);
    REQUIRE(images->read(f));
    CHECK(f.sourceName == "Gesicht 1 ü.png");
    CHECK_THAT(messageOf([&] { core::openSource((folder / "fehlt ü.mp4").string()); }),
               Catch::Contains("fehlt ü.mp4"));
}

TEST_CASE("streams a shared video over HTTP, stamping the first frame when it was captured",
          "[frame_source]") {
    const std::string shared = std::string(LITEFER_SHARED_DIR) + "/video/face_d0.mp4";
    if (!fs::exists(shared)) {
        WARN("skipped: " << shared << " not found");
        return;
    }
    if (const std::string why = test::httpServerUnavailable(); !why.empty()) {
        WARN("skipped: " << why);
        return;
    }
    // MP4 needs Range requests, which python's server lacks: serve the frames as MJPG/MKV.
    test::TempDir dir;
    int frames = 0;
    {
        cv::VideoCapture in(shared, cv::CAP_FFMPEG);
        cv::VideoWriter out(dir.file("face.mkv"), cv::CAP_FFMPEG,
                            cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 25.0, cv::Size(512, 512));
        REQUIRE(out.isOpened());
        for (cv::Mat m; in.read(m) && !m.empty(); ++frames) {
            out.write(m);
        }
    }
    test::HttpServer server(dir.str());
    REQUIRE(server.start());
    auto source = core::openSource(server.url("face.mkv"));
    CHECK(source->info().kind == core::SourceKind::Stream);
    CHECK(source->info().live);
    CHECK(source->info().frameSize == cv::Size(512, 512));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // e.g. models loading
    core::Frame f;
    REQUIRE(source->read(f));
    const double firstMs = f.timestampMs;
    CHECK(firstMs < 200.0);  // read while opening, not 300 ms later
    CHECK(std::chrono::steady_clock::now() - f.capturedAt >= std::chrono::milliseconds(290));
    int n = 1;
    double last = firstMs;
    while (source->read(f)) {
        CHECK(f.timestampMs > last);
        if (n == 1) {
            CHECK(f.timestampMs >= 300.0);
        }
        last = f.timestampMs;
        ++n;
    }
    CHECK(n == frames);
}
