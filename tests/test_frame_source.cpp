// Frame sources: spec classification, video files, stills, folders with bad files, errors.
#include <catch2/catch.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "litefer/core/frame_source.h"
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
