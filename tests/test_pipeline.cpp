// Pipeline: shared videos flow through to tracked, classified faces; live runs drop stale
// frames and count them; every-frame runs drop nothing; stop() is idempotent; a
// live source that goes silent, ends, fails or dies mid-stream (HTTP) stops the run cleanly
// with everything processed so far reported and recorded.
#include "support/torch_helpers.h"  // first (see the note in it): makes a model if needed

#include <catch2/catch.hpp>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "litefer/core/emotion_classifier.h"
#include "litefer/core/model_locator.h"
#include "litefer/core/pipeline.h"
#include "litefer/core/session_recorder.h"
#include "litefer/files.h"
#include "litefer/json.h"
#include "litefer/nn/model_file.h"
#include "litefer/nn/registry.h"
#include "support/http_server.h"
#include "support/shared_data.h"
#include "support/temp_dir.h"
#include "support/text_files.h"

using namespace litefer;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const std::string kSharedDir = test::sharedDir();
const std::string kYuNet = test::sharedPath(test::kYuNetModel);

/// The shipped model when present, else a randomly initialised vgg-lite (saved once).
std::string modelPath() {
    static test::TempDir dir("litefer-pipeline");
    static const std::string path = [] {
        try {
            return core::defaultModelPath();
        } catch (const std::exception&) {
            const std::string p = dir.file("random-vgg-lite.lfm");
            torch::manual_seed(7);
            nn::Network net = nn::createNetwork("vgg-lite");
            ModelManifest m;
            m.name = "random vgg-lite (pipeline test)";
            m.trainingData = "none";
            m.trainingSplit = "none";
            nn::saveModel(p, *net, m);
            return p;
        }
    }();
    return path;
}

std::unique_ptr<core::EmotionClassifier> classifier() {
    core::ClassifierOptions o;
    o.device = core::Device::Cpu;
    o.threads = 1;
    return std::make_unique<core::EmotionClassifier>(modelPath(), o);
}

/// Finds the faces it is told to, optionally slowly: pipeline logic without a detector model.
class FakeDetector : public core::FaceDetector {
  public:
    FakeDetector(int faces, std::chrono::milliseconds delay) : faces_(faces), delay_(delay) {}
    core::Faces detect(const cv::Mat& frame) override {
        std::this_thread::sleep_for(delay_);
        core::Faces out;
        for (int i = 0; i < faces_; ++i) {
            core::Face f;
            f.box = cv::Rect2f(10.0f + 70.0f * static_cast<float>(i), 20.0f, 60.0f, 60.0f);
            f.score = 1.0f;
            if (f.box.br().x <= static_cast<float>(frame.cols)) {
                out.push_back(f);
            }
        }
        return out;
    }
    std::string name() const override { return "fake"; }

  private:
    int faces_;
    std::chrono::milliseconds delay_;
};

/// A scripted source: `frames` frames `interval` apart, then either ends (read() false) or
/// goes silent for `silence` before ending.
class ScriptedSource : public core::FrameSource {
  public:
    ScriptedSource(bool live, int frames, std::chrono::milliseconds interval,
                   std::chrono::milliseconds silence = 0ms)
        : frames_(frames), interval_(interval), silence_(silence) {
        info_.kind = live ? core::SourceKind::Camera : core::SourceKind::VideoFile;
        info_.spec = "scripted";
        info_.live = live;
        info_.frameSize = cv::Size(240, 120);
    }
    bool read(core::Frame& out) override {
        if (closed_) {
            return false;
        }
        if (next_ >= frames_) {
            std::this_thread::sleep_for(silence_);
            return false;
        }
        std::this_thread::sleep_for(interval_);
        out.id = static_cast<std::uint64_t>(next_);
        out.timestampMs = 33.0 * next_;
        out.bgr = cv::Mat(120, 240, CV_8UC3, cv::Scalar(next_ % 200, 100, 50));
        out.capturedAt = std::chrono::steady_clock::now();
        ++next_;
        return true;
    }
    void close() override {
        closed_ = true;
        ++closes_;
    }
    const core::SourceInfo& info() const override { return info_; }
    int closes() const { return closes_; }

  private:
    core::SourceInfo info_;
    int frames_;
    std::chrono::milliseconds interval_;
    std::chrono::milliseconds silence_;
    int next_ = 0;
    std::atomic<bool> closed_{false};
    std::atomic<int> closes_{0};
};

/// A live source whose read() throws after `frames` frames (a driver error).
class FailingSource : public ScriptedSource {
  public:
    explicit FailingSource(int frames) : ScriptedSource(/*live=*/true, 1000, 1ms), left_(frames) {}
    bool read(core::Frame& out) override {
        if (left_-- <= 0) {
            throw std::runtime_error("VIDIOC_DQBUF: No such device");
        }
        return ScriptedSource::read(out);
    }

  private:
    int left_;
};

/// Writes the frames of the shared face_d0.mp4 as MJPG in Matroska (streamable front to back
/// from python's HTTP server, which ignores Range requests that MP4 would need). Returns the
/// frame count, 0 when the shared video is missing.
int writeStreamableFaceVideo(const std::string& out) {
    cv::VideoCapture in(kSharedDir + "/video/face_d0.mp4", cv::CAP_FFMPEG);
    if (!in.isOpened()) {
        return 0;
    }
    cv::VideoWriter writer(out, cv::CAP_FFMPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 25.0,
                           cv::Size(512, 512));
    int n = 0;
    for (cv::Mat m; in.read(m) && !m.empty(); ++n) {
        writer.write(m);
    }
    return n;
}

/// Why a stream test cannot run here (no python3 to serve the stream, no shared face video),
/// or empty; else `video` is the streamable face video (writeStreamableFaceVideo) of
/// `frames` frames.
std::string streamTestUnavailable(const std::string& video, int& frames) {
    if (std::string why = test::httpServerUnavailable(); !why.empty()) {
        return why;
    }
    frames = writeStreamableFaceVideo(video);
    return frames == 0 ? kSharedDir + "/video/face_d0.mp4 not found" : "";
}

}  // namespace

TEST_CASE("a shared face video flows through to one stable, classified track", "[pipeline]") {
    const std::string video = kSharedDir + "/video/face_d0.mp4";
    if (!fs::exists(video) || !fs::exists(kYuNet)) {
        WARN("skipped: " << video << " or the YuNet model not found");
        return;
    }
    core::Pipeline pipeline(std::make_unique<core::YuNetDetector>(kYuNet), classifier());
    auto source = core::openSource(video);
    std::vector<core::FrameResult> results;
    const core::RunSummary summary =
        pipeline.runEveryFrame(*source, [&](const core::FrameResult& r) { results.push_back(r); });
    CHECK(summary.reason == core::EndReason::SourceEnded);
    REQUIRE(results.size() >= 70);
    CHECK(summary.counters.processed == results.size());
    CHECK(summary.counters.captured == results.size());
    CHECK(summary.counters.dropped == 0);
    std::set<int> ids;
    std::size_t withFace = 0;
    for (std::size_t i = 0; i < results.size(); ++i) {
        const auto& r = results[i];
        CHECK(r.frameId == i);
        CHECK(r.counters.processed == i + 1);
        CHECK(r.timings.detectMs > 0.0);
        CHECK(r.timings.totalMs >= r.timings.detectMs);
        withFace += r.faces.empty() ? 0 : 1;
        for (const auto& f : r.faces) {
            ids.insert(f.id);
            REQUIRE(f.hasScores);
            float sum = 0.0f;
            for (float p : f.raw) {
                sum += p;
            }
            CHECK(sum == Approx(1.0f).margin(1e-3));
        }
    }
    CHECK(static_cast<double>(withFace) >= 0.95 * static_cast<double>(results.size()));
    CHECK(ids.size() == 1);
}

TEST_CASE("classifies every face of a frame in one batch with distinct ids", "[pipeline]") {
    core::Pipeline pipeline(std::make_unique<FakeDetector>(3, 0ms), classifier());
    core::Frame frame;
    frame.id = 5;
    frame.timestampMs = 1000.0;
    frame.bgr = cv::Mat(120, 240, CV_8UC3, cv::Scalar(90, 120, 150));
    const core::FrameResult r = pipeline.process(frame);
    CHECK(r.frameId == 5);
    CHECK(r.timestampMs == 1000.0);
    REQUIRE(r.faces.size() == 3);
    std::set<int> ids;
    for (const auto& f : r.faces) {
        CHECK(f.hasScores);
        ids.insert(f.id);
    }
    CHECK(ids.size() == 3);
    CHECK(r.timings.classifyMs > 0.0);
}

TEST_CASE("every-frame mode processes every frame of a file", "[pipeline]") {
    core::Pipeline pipeline(std::make_unique<FakeDetector>(1, 2ms), nullptr);
    ScriptedSource source(/*live=*/false, 25, 0ms);
    std::uint64_t last = 0;
    int n = 0;
    const auto summary = pipeline.runEveryFrame(source, [&](const core::FrameResult& r) {
        CHECK((n == 0 || r.frameId == last + 1));
        last = r.frameId;
        ++n;
    });
    CHECK(n == 25);
    CHECK(summary.counters.processed == 25);
    CHECK(summary.counters.dropped == 0);
    CHECK(summary.reason == core::EndReason::SourceEnded);
    CHECK(source.closes() == 1);
}

TEST_CASE("a live run keeps the newest frame and counts the dropped ones", "[pipeline]") {
    // The source delivers every 2 ms, processing takes 20 ms: most frames must be dropped.
    core::Pipeline pipeline(std::make_unique<FakeDetector>(1, 20ms), nullptr);
    ScriptedSource source(/*live=*/true, 150, 2ms);
    std::vector<std::uint64_t> ids;
    const auto summary =
        pipeline.run(source, [&](const core::FrameResult& r) { ids.push_back(r.frameId); });
    CHECK(summary.counters.captured == 150);
    CHECK(summary.counters.processed == ids.size());
    CHECK(summary.counters.dropped > 50);
    CHECK(summary.counters.captured == summary.counters.processed + summary.counters.dropped);
    for (std::size_t i = 1; i < ids.size(); ++i) {
        CHECK(ids[i] > ids[i - 1]);
    }
    // A live source that ends is a lost source, reported as such.
    CHECK(summary.reason == core::EndReason::SourceLost);
}

TEST_CASE("a live source that goes silent ends the run cleanly through the watchdog",
          "[pipeline]") {
    core::PipelineOptions options;
    options.watchdogMs = 300.0;
    core::Pipeline pipeline(std::make_unique<FakeDetector>(1, 0ms), nullptr, options);
    ScriptedSource source(/*live=*/true, 10, 5ms, /*silence=*/1500ms);
    int results = 0;
    const auto start = std::chrono::steady_clock::now();
    const auto summary = pipeline.run(source, [&](const core::FrameResult&) { ++results; });
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(summary.reason == core::EndReason::SourceLost);
    CHECK_THAT(summary.message, Catch::Contains("no frame for"));
    CHECK(results >= 1);
    CHECK(summary.counters.captured == 10);
    CHECK(seconds < 3.0);
    CHECK(source.closes() == 1);
}

TEST_CASE("stop is idempotent, ends a live run, and a later run starts unstopped", "[pipeline]") {
    core::Pipeline pipeline(std::make_unique<FakeDetector>(1, 1ms), nullptr);
    {
        ScriptedSource source(/*live=*/true, 100000, 3ms);
        int results = 0;
        const auto summary = pipeline.run(source, [&](const core::FrameResult&) {
            if (++results == 5) {
                pipeline.stop();
                pipeline.stop();
            }
        });
        CHECK(summary.reason == core::EndReason::Stopped);
        CHECK(results == 5);
        CHECK(summary.counters.captured >= summary.counters.processed);
        CHECK(summary.counters.captured == summary.counters.processed + summary.counters.dropped);
        CHECK(source.closes() == 1);
    }
    pipeline.stop();
    pipeline.stop();
    {
        ScriptedSource source(/*live=*/false, 5, 0ms);
        const auto summary = pipeline.runEveryFrame(source, {});
        CHECK(summary.reason == core::EndReason::Stopped);
        CHECK(summary.counters.processed == 0);
    }
    {
        ScriptedSource source(/*live=*/false, 5, 0ms);
        const auto summary = pipeline.runEveryFrame(source, {});
        CHECK(summary.reason == core::EndReason::SourceEnded);
        CHECK(summary.counters.processed == 5);
    }
}

TEST_CASE("an exception in the result callback shuts the run down and propagates", "[pipeline]") {
    core::Pipeline pipeline(std::make_unique<FakeDetector>(1, 0ms), nullptr);
    ScriptedSource source(/*live=*/true, 100000, 2ms);
    CHECK_THROWS_WITH(pipeline.run(source,
                                   [](const core::FrameResult& r) {
                                       if (r.counters.processed == 3) {
                                           throw std::runtime_error("callback failed");
                                       }
                                   }),
                      "callback failed");
    CHECK(source.closes() == 1);
}

TEST_CASE("every-frame mode reports a live source that stops or fails as lost", "[pipeline]") {
    core::Pipeline pipeline(std::make_unique<FakeDetector>(1, 0ms), nullptr);
    {
        ScriptedSource source(/*live=*/true, 4, 0ms);
        const auto summary = pipeline.runEveryFrame(source, {});
        CHECK(summary.reason == core::EndReason::SourceLost);
        CHECK_THAT(summary.message, Catch::Contains("stopped delivering"));
        CHECK(summary.counters.processed == 4);
    }
    for (const bool everyFrame : {true, false}) {
        FailingSource source(3);
        int results = 0;
        auto count = [&](const core::FrameResult&) { ++results; };
        const auto summary =
            everyFrame ? pipeline.runEveryFrame(source, count) : pipeline.run(source, count);
        INFO((everyFrame ? "every frame" : "live"));
        CHECK(summary.reason == core::EndReason::SourceLost);
        CHECK_THAT(summary.message,
                   Catch::Contains("scripted") && Catch::Contains("No such device"));
        CHECK(summary.counters.processed == static_cast<std::uint64_t>(results));
        CHECK(summary.counters.captured == 3);
        CHECK(source.closes() == 1);
    }
}

TEST_CASE("a live source that goes silent mid-session keeps every recorded row intact",
          "[pipeline]") {
    test::TempDir dir;
    const std::string folder = dir.file("session");
    core::PipelineOptions options;
    options.watchdogMs = 300.0;
    core::Pipeline pipeline(std::make_unique<FakeDetector>(2, 1ms), nullptr, options);
    ScriptedSource source(/*live=*/true, 40, 5ms, /*silence=*/800ms);  // camera frozen
    core::SessionInfo info;
    info.source = "scripted";
    info.sourceKind = "camera";
    core::RecorderOptions recorderOptions;
    recorderOptions.syncIntervalMs = 50.0;
    core::SessionRecorder recorder(folder, info, recorderOptions);
    const auto summary =
        pipeline.run(source, [&](const core::FrameResult& r) { recorder.record(r); });
    recorder.finish(std::string(core::endReasonName(summary.reason)));
    CHECK(summary.reason == core::EndReason::SourceLost);
    CHECK_THAT(summary.message, Catch::Contains("no frame for"));
    CHECK(recorder.framesRecorded() == summary.counters.processed);
    const auto rows = test::fileLines(folder + "/" + core::kFramesCsv);
    REQUIRE(rows.size() == 1 + 2 * summary.counters.processed);  // header + 2 faces per frame
    for (std::size_t i = 1; i < rows.size(); ++i) {
        CHECK(std::count(rows[i].begin(), rows[i].end(), ',') == 24);
    }
    const json::Value s = json::parse(readFileBytes(folder + "/" + core::kSessionJson));
    CHECK(s.at("status").asString() == "complete");
    CHECK(s.at("end_reason").asString() == "source lost");
    CHECK(s.at("frames_recorded").asInt() == static_cast<std::int64_t>(summary.counters.processed));
}

TEST_CASE("a video stream served over HTTP runs through the pipeline frame by frame",
          "[pipeline]") {
    if (!fs::exists(kYuNet)) {
        WARN("skipped: the YuNet model " << kYuNet << " not found");
        return;
    }
    test::TempDir dir;
    int frames = 0;
    if (const std::string why = streamTestUnavailable(dir.file("face.mkv"), frames); !why.empty()) {
        WARN("skipped: " << why);
        return;
    }
    test::HttpServer server(dir.str());  // python3 -m http.server
    REQUIRE(server.start());
    core::Pipeline pipeline(std::make_unique<core::YuNetDetector>(kYuNet), classifier());
    auto source = core::openSource(server.url("face.mkv"));
    REQUIRE(source->info().live);
    std::size_t withFace = 0;
    std::set<int> ids;
    const auto summary = pipeline.runEveryFrame(*source, [&](const core::FrameResult& r) {
        withFace += r.faces.empty() ? 0 : 1;
        for (const auto& f : r.faces) {
            ids.insert(f.id);
        }
    });
    // The sender finished the file: for a live source that is a lost source.
    CHECK(summary.reason == core::EndReason::SourceLost);
    CHECK(summary.counters.processed == static_cast<std::uint64_t>(frames));
    CHECK(static_cast<double>(withFace) >= 0.95 * frames);
    CHECK(ids.size() == 1);
}

TEST_CASE("a stream that dies mid-run ends as source lost with what was processed reported",
          "[pipeline]") {
    test::TempDir dir;
    int frames = 0;
    if (const std::string why = streamTestUnavailable(dir.file("face.mkv"), frames); !why.empty()) {
        WARN("skipped: " << why);
        return;
    }
    // Sent at about its own pace (~3 s), like a live sender; killed after 10 processed frames.
    const auto bytes = static_cast<int>(fs::file_size(dir.file("face.mkv")));
    test::HttpServer server(dir.str(), /*bytesPerSecond=*/bytes / 3);
    REQUIRE(server.start());
    core::Pipeline pipeline(std::make_unique<FakeDetector>(1, 2ms), nullptr);
    auto source = core::openSource(server.url("face.mkv"));
    std::uint64_t results = 0;
    const auto start = std::chrono::steady_clock::now();
    const auto summary = pipeline.run(*source, [&](const core::FrameResult&) {
        if (++results == 10) {
            server.stop();  // SIGKILL: the connection is cut
        }
    });
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(summary.reason == core::EndReason::SourceLost);
    CHECK_THAT(summary.message, Catch::Contains(server.url("face.mkv")));
    CHECK(summary.counters.processed == results);
    CHECK(results >= 10);
    CHECK(summary.counters.captured < static_cast<std::uint64_t>(frames));  // cut mid-way
    CHECK(summary.counters.captured == summary.counters.processed + summary.counters.dropped);
    CHECK(seconds < 8.0);
}
