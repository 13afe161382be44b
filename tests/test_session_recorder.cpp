// SessionRecorder: the session folder, CSV layout, markers, summary math, scores-only mode,
// a full disk (file size limit, low free space, a video that stops growing), a kill -9 in the
// middle of a recording, and folders with spaces and non-ASCII characters.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "litefer/core/session_recorder.h"
#include "litefer/files.h"
#include "litefer/json.h"
#include "support/session_data.h"
#include "support/temp_dir.h"
#include "support/text_files.h"

using namespace litefer;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kCsvColumns = 25;

using test::csvFields;
using test::fileLines;
using test::oneHot;

core::TrackedFace trackedFace(int id, Emotion label, float p = 0.8f, bool uncertain = false) {
    const cv::Rect2f box(10.0f + static_cast<float>(id) * 5.0f, 12.0f, 30.0f, 34.0f);
    return test::classifiedFace(id, box, label, p, p, uncertain);
}

/// A result of `faces` on `frame`, or on a plain 80x64 picture when `frame` is empty.
core::FrameResult result(std::uint64_t id, double ms, std::vector<core::TrackedFace> faces,
                         const cv::Mat& frame = cv::Mat(), const std::string& name = "") {
    return test::frameResult(
        id, ms, std::move(faces),
        frame.empty() ? cv::Mat(64, 80, CV_8UC3, cv::Scalar(30, 60, 90)) : frame, name);
}

core::SessionInfo info() {
    core::SessionInfo i;
    i.participant = "P07";
    i.session = "pilot";
    i.source = "face.mp4";
    i.sourceKind = "video";
    i.resolution = cv::Size(80, 64);
    i.fps = 10.0;
    i.modelName = "test model";
    i.modelArchitecture = "vgg-lite";
    i.modelWeightsSha256 = std::string(64, 'a');
    i.detector = "yunet";
    return i;
}

json::Value readJson(const std::string& path) {
    return json::parse(readFileBytes(path));
}

int countDecodedFrames(const std::string& path) {
    cv::VideoCapture cap(path, cv::CAP_FFMPEG);
    if (!cap.isOpened()) {
        return -1;
    }
    int n = 0;
    cv::Mat f;
    while (cap.read(f) && !f.empty()) {
        ++n;
    }
    return n;
}

/// Runs `child` in a forked process in which every file may grow to `maxFileBytes` at most
/// (past it write() fails with EFBIG; SIGXFSZ is ignored) and returns the process's exit code:
/// what `child` returned, 5 when it threw.
int exitCodeWithFileSizeLimit(rlim_t maxFileBytes, const std::function<int()>& child) {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit limit {};
        limit.rlim_cur = limit.rlim_max = maxFileBytes;
        setrlimit(RLIMIT_FSIZE, &limit);
        int code = 5;
        try {
            code = child();
        } catch (...) {
        }
        _exit(code);
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
}

const json::Value& faceById(const json::Value& faces, int id) {
    for (const auto& f : faces.asArray()) {
        if (f.at("id").asInt() == id) {
            return f;
        }
    }
    FAIL("face " << id << " missing from summary");
    return faces;
}

}  // namespace

TEST_CASE("writes a complete session folder", "[session_recorder]") {
    test::TempDir dir;
    const std::string folder = dir.file("session");
    {
        core::SessionRecorder rec(folder, info());
        const json::Value started = readJson(folder + "/session.json");
        CHECK(started.at("status").asString() == "recording");
        for (int i = 0; i < 5; ++i) {
            rec.record(
                result(static_cast<std::uint64_t>(i), i * 100.0, {trackedFace(1, Emotion::Happy)}));
        }
        rec.addMarker(250.0, "task", "reading, aloud");
        rec.finish("source ended");
        CHECK(rec.framesRecorded() == 5);
        CHECK_FALSE(rec.failed());
    }
    for (const char* f :
         {"session.json", "frames.csv", "markers.csv", "summary.json", "video.mkv"}) {
        CHECK(fs::exists(folder + "/" + f));
    }
    const json::Value s = readJson(folder + "/session.json");
    CHECK(s.at("status").asString() == "complete");
    CHECK(s.at("end_reason").asString() == "source ended");
    CHECK(s.at("participant").asString() == "P07");
    CHECK(s.at("model").at("architecture").asString() == "vgg-lite");
    CHECK(s.at("model").at("weights_sha256").asString() == std::string(64, 'a'));
    CHECK(s.at("detector").at("name").asString() == "yunet");
    CHECK(s.at("tracking").at("smoothing").at("tau_ms").asDouble() > 0.0);
    CHECK(s.at("source").at("width").asInt() == 80);
    CHECK_FALSE(s.at("version").asString().empty());
    CHECK(s.at("ended").isString());
    CHECK(s.at("frames_recorded").asInt() == 5);
    CHECK(countDecodedFrames(folder + "/video.mkv") == 5);

    const auto markers = fileLines(folder + "/markers.csv");
    REQUIRE(markers.size() == 2);
    CHECK(markers[0] == "time_ms,label,note");
    CHECK(markers[1] == "250.000,task,\"reading, aloud\"");
}

TEST_CASE("frames.csv has the documented columns and one row per face", "[session_recorder]") {
    test::TempDir dir;
    const std::string folder = dir.file("s");
    {
        core::SessionRecorder rec(folder, info());
        rec.record(result(0, 0.0, {trackedFace(1, Emotion::Sad), trackedFace(2, Emotion::Angry)},
                          cv::Mat(), "img1.png"));
        rec.record(result(1, 40.0, {}, cv::Mat(), "img2.png"));
        core::TrackedFace unscored = trackedFace(3, Emotion::Neutral);
        unscored.hasScores = false;
        rec.record(result(2, 80.0, {unscored}));
        rec.finish();
    }
    const auto rows = fileLines(folder + "/frames.csv");
    REQUIRE(rows.size() == 5);
    std::vector<std::string> expected = {"frame_id", "timestamp_ms", "face_id", "x", "y", "w",
                                         "h",        "score"};
    for (const char* prefix : {"raw_", "smoothed_"}) {
        for (auto name : kEmotionNames) {
            expected.push_back(prefix + std::string(name));
        }
    }
    expected.insert(expected.end(), {"label", "uncertain", "source_file"});
    CHECK(csvFields(rows[0]) == expected);
    for (const auto& row : rows) {
        CHECK(csvFields(row).size() == kCsvColumns);
    }
    const auto sad = csvFields(rows[1]);
    CHECK(sad[0] == "0");
    CHECK(sad[2] == "1");
    CHECK(std::stod(sad[3]) == Approx(15.0));
    CHECK(std::stod(sad[8 + static_cast<int>(Emotion::Sad)]) == Approx(0.8));
    CHECK(std::stod(sad[15 + static_cast<int>(Emotion::Sad)]) == Approx(0.8));
    CHECK(sad[22] == "sad");
    CHECK(sad[23] == "0");
    CHECK(sad[24] == "img1.png");
    CHECK(csvFields(rows[2])[2] == "2");
    const auto empty = csvFields(rows[3]);
    CHECK(empty[0] == "1");
    CHECK(empty[2].empty());
    CHECK(empty[24] == "img2.png");
    const auto unscoredRow = csvFields(rows[4]);
    CHECK(unscoredRow[2] == "3");
    CHECK(unscoredRow[8].empty());
    CHECK(unscoredRow[22].empty());
}

TEST_CASE("summary shares and means follow hand-made results", "[session_recorder]") {
    // Frames every 100 ms; the last frame weighs the median interval (100 ms). Face 1: happy,
    // happy, happy, sad. Face 2 appears in the last two frames only, surprised. A marker at
    // 200 ms splits the session in two segments.
    std::vector<core::SummaryFrame> frames(4);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        frames[i].timestampMs = 100.0 * static_cast<double>(i);
    }
    frames[0].faces = {{1, Emotion::Happy, false, oneHot(Emotion::Happy, 0.9f)}};
    frames[1].faces = {{1, Emotion::Happy, false, oneHot(Emotion::Happy, 0.7f)}};
    frames[2].faces = {{1, Emotion::Happy, true, oneHot(Emotion::Happy, 0.5f)},
                       {2, Emotion::Surprise, false, oneHot(Emotion::Surprise, 0.6f)}};
    frames[3].faces = {{1, Emotion::Sad, false, oneHot(Emotion::Sad, 0.9f)},
                       {2, Emotion::Surprise, false, oneHot(Emotion::Surprise, 0.8f)}};
    const json::Value s = core::summarizeSession(frames, {{200.0, "task", ""}});

    CHECK(s.at("frames").asInt() == 4);
    CHECK(s.at("seconds").asDouble() == Approx(0.4));
    const json::Value& f1 = faceById(s.at("faces"), 1);
    CHECK(f1.at("frames").asInt() == 4);
    CHECK(f1.at("seconds").asDouble() == Approx(0.4));
    CHECK(f1.at("share").at("happy").asDouble() == Approx(0.75));
    CHECK(f1.at("share").at("sad").asDouble() == Approx(0.25));
    CHECK(f1.at("uncertain_share").asDouble() == Approx(0.25));
    CHECK(f1.at("mean_probabilities").at("happy").asDouble() ==
          Approx((0.9 + 0.7 + 0.5 + 0.1 / 6.0) / 4.0).epsilon(1e-5));
    const json::Value& f2 = faceById(s.at("faces"), 2);
    CHECK(f2.at("share").at("surprise").asDouble() == Approx(1.0));
    CHECK(f2.at("mean_probabilities").at("surprise").asDouble() == Approx(0.7));
    CHECK(f2.at("first_ms").asDouble() == Approx(200.0));

    const auto& segments = s.at("segments").asArray();
    REQUIRE(segments.size() == 2);
    CHECK(segments[0].at("label").asString() == "before first marker");
    CHECK(segments[0].at("frames").asInt() == 2);
    CHECK(faceById(segments[0].at("faces"), 1).at("share").at("happy").asDouble() == Approx(1.0));
    CHECK(segments[1].at("label").asString() == "task");
    CHECK(segments[1].at("start_ms").asDouble() == Approx(200.0));
    CHECK(segments[1].at("end_ms").isNull());
    const json::Value& seg1face1 = faceById(segments[1].at("faces"), 1);
    CHECK(seg1face1.at("share").at("happy").asDouble() == Approx(0.5));
    CHECK(seg1face1.at("share").at("sad").asDouble() == Approx(0.5));
}

TEST_CASE("the recorder's summary.json matches its recorded results", "[session_recorder]") {
    test::TempDir dir;
    const std::string folder = dir.file("s");
    {
        core::RecorderOptions options;
        options.writeVideo = false;
        core::SessionRecorder rec(folder, info(), options);
        rec.record(result(0, 0.0, {trackedFace(4, Emotion::Fear)}));
        rec.record(result(1, 2000.0, {trackedFace(4, Emotion::Fear)}));  // gap capped at 1 s
        rec.record(result(2, 2100.0, {trackedFace(4, Emotion::Neutral)}));
        rec.finish();
    }
    const json::Value s = readJson(folder + "/summary.json");
    const json::Value& f = faceById(s.at("faces"), 4);
    // Weights: 1000 (capped), 100, and the median of those two for the last frame (100).
    CHECK(f.at("seconds").asDouble() == Approx(1.2));
    CHECK(f.at("share").at("fear").asDouble() == Approx(1100.0 / 1200.0));
}

TEST_CASE("the scores-only option writes no video", "[session_recorder]") {
    test::TempDir dir;
    const std::string folder = dir.file("s");
    core::RecorderOptions options;
    options.writeVideo = false;
    {
        core::SessionRecorder rec(folder, info(), options);
        rec.record(result(0, 0.0, {trackedFace(1, Emotion::Happy)}));
        rec.finish();
    }
    CHECK_FALSE(fs::exists(folder + "/video.mkv"));
    CHECK(fs::exists(folder + "/frames.csv"));
    CHECK_FALSE(readJson(folder + "/session.json").at("video").at("written").asBool());
}

TEST_CASE("refuses a folder that already holds a session", "[session_recorder]") {
    test::TempDir dir;
    const std::string folder = dir.file("s");
    { core::SessionRecorder rec(folder, info()); }
    try {
        core::SessionRecorder again(folder, info());
        FAIL("no error");
    } catch (const core::RecordingError& e) {
        CHECK_THAT(e.what(), Catch::Contains(folder) && Catch::Contains("--out"));
    }
}

TEST_CASE("blurs faces in the annotated picture and leaves the frame untouched",
          "[session_recorder]") {
    cv::Mat frame(64, 80, CV_8UC3);
    cv::randu(frame, cv::Scalar::all(0), cv::Scalar::all(255));
    const cv::Mat before = frame.clone();
    core::TrackedFace face = trackedFace(1, Emotion::Happy);
    const cv::Mat blurred = core::drawAnnotations(frame, {face}, /*blurFaces=*/true);
    const cv::Mat plain = core::drawAnnotations(frame, {face}, /*blurFaces=*/false);
    CHECK(cv::norm(frame, before, cv::NORM_INF) == 0.0);
    const cv::Rect inner(20, 20, 10, 10);  // inside the box, away from the outline
    cv::Scalar meanB, devB, meanP, devP;
    cv::meanStdDev(blurred(inner), meanB, devB);
    cv::meanStdDev(plain(inner), meanP, devP);
    CHECK(devB[0] < devP[0] / 3.0);
}

TEST_CASE("a full disk stops the recording with a clear error and keeps earlier rows",
          "[session_recorder]") {
    test::TempDir dir;
    const std::string folder = dir.file("s");
    const std::string errorFile = dir.file("error.txt");
    // Every file may grow to 16 KiB at most; past it write() fails with EFBIG.
    const int code = exitCodeWithFileSizeLimit(16 * 1024, [&] {
        core::RecorderOptions options;
        options.writeVideo = false;
        core::SessionRecorder rec(folder, info(), options);
        int outcome = 4;  // never failed
        try {
            for (int i = 0; i < 10000; ++i) {
                rec.record(result(static_cast<std::uint64_t>(i), i * 33.0,
                                  {trackedFace(1, Emotion::Happy)}));
            }
        } catch (const core::RecordingError& e) {
            std::ofstream(errorFile) << e.what();
            outcome = 0;
        }
        rec.record(result(20000, 1e6, {trackedFace(1, Emotion::Happy)}));  // ignored now
        rec.finish("recording failed");
        return outcome;
    });
    REQUIRE(code == 0);
    const std::string message = readFileBytes(errorFile);
    CHECK_THAT(message, Catch::Contains("frames.csv") && Catch::Contains("File too large") &&
                            Catch::Contains("free disk space"));
    const auto rows = fileLines(folder + "/frames.csv");
    REQUIRE(rows.size() > 20);
    for (std::size_t i = 1; i < rows.size(); ++i) {
        REQUIRE(csvFields(rows[i]).size() == kCsvColumns);
        CHECK(csvFields(rows[i])[0] == std::to_string(i - 1));
    }
    CHECK(readFileBytes(folder + "/frames.csv").back() == '\n');
    const json::Value s = readJson(folder + "/session.json");
    CHECK(s.at("status").asString() == "failed");
    CHECK_THAT(s.at("error").asString(), Catch::Contains("File too large"));
    CHECK(fs::exists(folder + "/summary.json"));
}

TEST_CASE("a recording killed with SIGKILL leaves a readable video and intact rows",
          "[session_recorder]") {
    test::TempDir dir;
    const std::string folder = dir.file("s");
    // Noise frames compress badly, so each MJPG frame is larger than FFmpeg's write buffer and
    // reaches the file when written.
    std::vector<cv::Mat> frames;
    for (int i = 0; i < 4; ++i) {
        cv::Mat f(240, 320, CV_8UC3);
        cv::randu(f, cv::Scalar::all(0), cv::Scalar::all(255));
        frames.push_back(f);
    }
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        try {
            core::SessionRecorder rec(folder, info());
            for (std::uint64_t i = 0;; ++i) {
                rec.record(result(i, static_cast<double>(i) * 40.0,
                                  {trackedFace(1, Emotion::Happy)}, frames[i % frames.size()]));
                const char tick = 'f';
                if (write(fds[1], &tick, 1) != 1) {
                    _exit(2);
                }
                usleep(2000);
            }
        } catch (...) {
            _exit(3);
        }
    }
    close(fds[1]);
    int recorded = 0;
    char tick = 0;
    while (recorded < 30 && read(fds[0], &tick, 1) == 1) {
        ++recorded;
    }
    kill(pid, SIGKILL);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    close(fds[0]);
    REQUIRE(recorded == 30);
    CHECK(WIFSIGNALED(status));

    const int decoded = countDecodedFrames(folder + "/video.mkv");
    CHECK(decoded >= 25);
    // The promise (session_recorder.h): every row whole, except that the file's last line may
    // be cut (then without its line break) when the kill lands inside its write.
    auto rows = fileLines(folder + "/frames.csv");
    if (readFileBytes(folder + "/frames.csv").back() != '\n') {
        WARN("the kill cut the last row: " << rows.back());
        rows.pop_back();
    }
    REQUIRE(rows.size() >= 31);
    for (std::size_t i = 1; i < rows.size(); ++i) {
        CHECK(csvFields(rows[i]).size() == kCsvColumns);
    }
    const json::Value s = readJson(folder + "/session.json");
    CHECK(s.at("status").asString() == "recording");  // it never finished
}

TEST_CASE("low free space stops the recording with an error naming the files, rows kept",
          "[session_recorder]") {
    test::TempDir dir;
    const std::string folder = dir.file("s");
    core::RecorderOptions options;
    options.minFreeBytes = std::numeric_limits<std::uint64_t>::max();  // above any real disk
    options.syncIntervalMs = 30.0;
    core::SessionRecorder rec(folder, info(), options);
    std::string message;
    std::uint64_t attempted = 0;
    try {
        for (; attempted < 1000; ++attempted) {
            rec.record(result(attempted, static_cast<double>(attempted) * 40.0,
                              {trackedFace(1, Emotion::Happy)}));
            usleep(2000);
        }
    } catch (const core::RecordingError& e) {
        message = e.what();
    }
    REQUIRE_FALSE(message.empty());
    CHECK_THAT(message, Catch::Contains("disk almost full") &&
                            Catch::Contains(folder + "/frames.csv") &&
                            Catch::Contains(folder + "/video.mkv") && Catch::Contains("--out"));
    CHECK(rec.failed());
    const std::uint64_t recorded = rec.framesRecorded();
    CHECK(recorded >= 2);  // the first check is a sync interval after the start
    rec.record(result(5000, 1e6, {trackedFace(1, Emotion::Happy)}));  // ignored now
    rec.finish("recording failed");
    const auto rows = fileLines(folder + "/frames.csv");
    REQUIRE(rows.size() == recorded + 1);
    for (std::size_t i = 1; i < rows.size(); ++i) {
        CHECK(csvFields(rows[i]).size() == kCsvColumns);
    }
    CHECK(countDecodedFrames(folder + "/video.mkv") >= 1);
    const json::Value s = readJson(folder + "/session.json");
    CHECK(s.at("status").asString() == "failed");
    CHECK_THAT(s.at("error").asString(), Catch::Contains("disk almost full"));
    CHECK(s.at("frames_recorded").asInt() == static_cast<std::int64_t>(recorded));
}

TEST_CASE("a video that stops growing stops the recording with an error naming it",
          "[session_recorder]") {
    // cv::VideoWriter keeps "succeeding" when the disk is full (RUNTIME.md). A file size limit
    // makes the video hit that wall (FFmpeg's writes fail, OpenCV says nothing) long before the
    // small CSV files do; only the growth check can notice.
    test::TempDir dir;
    const std::string folder = dir.file("s");
    const std::string errorFile = dir.file("error.txt");
    const int code = exitCodeWithFileSizeLimit(512 * 1024, [&] {
        cv::Mat noise(240, 320, CV_8UC3);  // ~100 KB per MJPG frame
        cv::RNG rng(5);
        core::RecorderOptions options;
        options.growthCheckMs = 100.0;
        core::SessionRecorder rec(folder, info(), options);
        int outcome = 4;  // never noticed
        try {
            for (int i = 0; i < 400; ++i) {
                rng.fill(noise, cv::RNG::UNIFORM, 0, 255);
                rec.record(result(static_cast<std::uint64_t>(i), i * 40.0,
                                  {trackedFace(1, Emotion::Happy)}, noise));
                usleep(5000);
            }
        } catch (const core::RecordingError& e) {
            std::ofstream(errorFile) << e.what() << '\n' << rec.framesRecorded();
            outcome = 0;
        }
        rec.finish("recording failed");
        return outcome;
    });
    REQUIRE(code == 0);
    const auto report = fileLines(errorFile);
    REQUIRE(report.size() == 2);
    CHECK_THAT(report[0], Catch::Contains(folder + "/video.mkv") &&
                              Catch::Contains("stopped growing") &&
                              Catch::Contains("free disk space"));
    const auto rows = fileLines(folder + "/frames.csv");
    REQUIRE(rows.size() == std::stoul(report[1]) + 1);
    for (std::size_t i = 1; i < rows.size(); ++i) {
        REQUIRE(csvFields(rows[i]).size() == kCsvColumns);
        CHECK(csvFields(rows[i])[0] == std::to_string(i - 1));
    }
    CHECK(countDecodedFrames(folder + "/video.mkv") >= 1);  // what fitted is readable
    const json::Value s = readJson(folder + "/session.json");
    CHECK(s.at("status").asString() == "failed");
    CHECK_THAT(s.at("error").asString(), Catch::Contains("video.mkv"));
}

TEST_CASE("records into a folder whose path holds spaces and non-ASCII characters",
          "[session_recorder]") {
    test::TempDir dir;
    const std::string folder = (dir.path() / "Sitzung Müller ü" / "Проба 1").string();
    {
        core::SessionInfo i = info();
        i.source = "/tmp/Sitzung Müller ü/видео 1.mp4";
        i.participant = "P-ü 07";
        core::SessionRecorder rec(folder, i);
        rec.record(result(0, 0.0, {trackedFace(1, Emotion::Sad)}, cv::Mat(), "Bild ü.png"));
        rec.addMarker(0.0, "Reiz \"Ä\", 1", "Notiz: ü");
        rec.finish("source ended");
    }
    const json::Value s = readJson(folder + "/session.json");
    CHECK(s.at("source").at("spec").asString() == "/tmp/Sitzung Müller ü/видео 1.mp4");
    CHECK(s.at("participant").asString() == "P-ü 07");
    const auto rows = fileLines(folder + "/frames.csv");
    REQUIRE(rows.size() == 2);
    CHECK_THAT(rows[1], Catch::EndsWith(",Bild ü.png"));
    const auto markers = fileLines(folder + "/markers.csv");
    REQUIRE(markers.size() == 2);
    CHECK(markers[1] == "0.000,\"Reiz \"\"Ä\"\", 1\",Notiz: ü");
    CHECK(countDecodedFrames(folder + "/video.mkv") == 1);
}
