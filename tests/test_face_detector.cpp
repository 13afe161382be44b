// Face detectors: the YuNet decoder on synthetic outputs (exact values, threshold, NMS, bad
// input), model and cascade lookup and their error messages, and both detectors on real video.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "litefer/core/face_detector.h"
#include "support/env_guard.h"
#include "support/shared_data.h"
#include "support/temp_dir.h"
#include "support/text_files.h"

using namespace litefer::core;
namespace fs = std::filesystem;

namespace {

using litefer::test::EnvGuard;
using litefer::test::TempDir;
using litefer::test::writeText;

const std::string kSharedDir = litefer::test::sharedDir();
const std::string kYuNetPath = litefer::test::sharedPath(litefer::test::kYuNetModel);

/// Zeroed YuNet outputs for an input of `size`, shaped as cv::dnn returns them: [1, cells, k].
struct SyntheticOutputs {
    explicit SyntheticOutputs(cv::Size size) : inputSize(size) {
        constexpr int kPerCell[] = {1, 1, 4, 10};
        for (int group = 0; group < 4; ++group) {
            for (int stride : kYuNetStrides) {
                const int sizes[] = {1, (size.height / stride) * (size.width / stride),
                                     kPerCell[group]};
                mats.emplace_back(3, sizes, CV_32F, cv::Scalar(0));
            }
        }
    }
    /// Pointer to the values of `group` (0 cls, 1 obj, 2 bbox, 3 kps) at one cell.
    float* at(int group, int strideIndex, int row, int col) {
        cv::Mat& m = mats[static_cast<std::size_t>(group * 3 + strideIndex)];
        const int cols = inputSize.width / kYuNetStrides[static_cast<std::size_t>(strideIndex)];
        return m.ptr<float>(0, row * cols + col);
    }
    /// Puts a candidate at one cell: cls, obj, bbox (4) and landmark offsets (10).
    void setCell(int strideIndex, int row, int col, float cls, float obj,
                 const std::array<float, 4>& bbox, const std::array<float, 10>& kps) {
        *at(0, strideIndex, row, col) = cls;
        *at(1, strideIndex, row, col) = obj;
        std::copy(bbox.begin(), bbox.end(), at(2, strideIndex, row, col));
        std::copy(kps.begin(), kps.end(), at(3, strideIndex, row, col));
    }
    cv::Size inputSize;
    std::vector<cv::Mat> mats;
};

constexpr std::array<float, 10> kSomeKps = {0.1f, 0.2f, 0.9f, 0.2f, 0.5f,
                                            0.5f, 0.2f, 0.8f, 0.8f, 0.8f};

/// Decodes with a plain box at a cell of stride 16 and the given score inputs.
Faces decodeOne(float cls, float obj, float threshold) {
    SyntheticOutputs out({64, 64});
    out.setCell(/*strideIndex=*/1, 1, 2, cls, obj, {0.0f, 0.0f, 0.0f, 0.0f}, kSomeKps);
    return decodeYuNet(out.mats, out.inputSize, threshold);
}

struct VideoStats {
    int frames = 0;
    int withFace = 0;
    int eyesInOrder = 0;  // YuNet: subject's right eye left of the left eye on screen
    double msTotal = 0.0;
};

/// Runs `detector` on every `step`-th frame of a shared video. nullopt when it cannot be opened.
std::optional<VideoStats> runOnVideo(FaceDetector& detector, const std::string& name, int step) {
    cv::VideoCapture capture(kSharedDir + "/video/" + name, cv::CAP_FFMPEG);
    if (!capture.isOpened()) {
        return std::nullopt;
    }
    VideoStats stats;
    cv::Mat frame;
    for (int index = 0; capture.read(frame); ++index) {
        if (index % step != 0) {
            continue;
        }
        const auto start = std::chrono::steady_clock::now();
        const Faces faces = detector.detect(frame);
        stats.msTotal +=
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        ++stats.frames;
        if (!faces.empty()) {
            ++stats.withFace;
            const Face& f = faces.front();
            if (f.hasLandmarks &&
                f.landmark(Landmark::RightEye).x < f.landmark(Landmark::LeftEye).x) {
                ++stats.eyesInOrder;
            }
        }
    }
    return stats;
}

bool haveYuNetModel() {
    if (!fs::is_regular_file(kYuNetPath)) {
        WARN("skipped: " << kYuNetPath << " not found (../shared is absent)");
        return false;
    }
    return true;
}

bool haveHaarCascade() {
    EnvGuard env("LITEFER_HAAR_CASCADE", std::nullopt);
    if (findHaarCascade().empty()) {
        WARN("skipped: no " << kHaarCascadeFile << " on this machine (apt install opencv-data)");
        return false;
    }
    return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// decodeYuNet

TEST_CASE("decodeYuNet decodes the box, landmarks and score of one known face exactly",
          "[detector][yunet]") {
    SyntheticOutputs out({64, 96});  // width 64, height 96
    // Stride 16, row 1, column 2. score = sqrt(0.81 * 1.0) = 0.9.
    // Centre ((2 + 0.5) * 16, (1 + 0.25) * 16) = (40, 20); size (2 * 16, 3 * 16) = (32, 48).
    // Landmark n = ((kps[2n] + 2) * 16, (kps[2n+1] + 1) * 16).
    out.setCell(1, 1, 2, 0.81f, 1.0f, {0.5f, 0.25f, std::log(2.0f), std::log(3.0f)}, kSomeKps);

    const Faces faces = decodeYuNet(out.mats, out.inputSize, 0.5f);
    REQUIRE(faces.size() == 1);
    const Face& f = faces.front();
    CHECK(f.score == Approx(0.9f).epsilon(1e-6));
    CHECK(f.box.x == Approx(24.0f).margin(1e-4));
    CHECK(f.box.y == Approx(-4.0f).margin(1e-4));
    CHECK(f.box.width == Approx(32.0f).margin(1e-4));
    CHECK(f.box.height == Approx(48.0f).margin(1e-4));
    REQUIRE(f.hasLandmarks);
    for (std::size_t n = 0; n < kNumLandmarks; ++n) {
        CHECK(f.landmarks[n].x == Approx((kSomeKps[2 * n] + 2.0f) * 16.0f).margin(1e-4));
        CHECK(f.landmarks[n].y == Approx((kSomeKps[2 * n + 1] + 1.0f) * 16.0f).margin(1e-4));
    }
    CHECK(f.landmark(Landmark::RightEye).x == Approx(33.6f).margin(1e-4));
    CHECK(f.landmark(Landmark::LeftMouthCorner).y == Approx(28.8f).margin(1e-4));
}

TEST_CASE("decodeYuNet decodes each stride on its own grid", "[detector][yunet]") {
    SyntheticOutputs out({64, 64});
    out.setCell(/*stride 8*/ 0, 7, 7, 1.0f, 1.0f, {0.5f, 0.5f, 0.0f, 0.0f}, kSomeKps);
    out.setCell(/*stride 32*/ 2, 0, 1, 1.0f, 1.0f, {0.5f, 0.5f, 0.0f, 0.0f}, kSomeKps);
    Faces faces = decodeYuNet(out.mats, out.inputSize, 0.5f);
    REQUIRE(faces.size() == 2);
    std::sort(faces.begin(), faces.end(),
              [](const Face& a, const Face& b) { return a.box.width < b.box.width; });
    // Stride 8: centre (7.5 * 8, 7.5 * 8) = (60, 60), size 8.
    CHECK(faces[0].box.x == Approx(56.0f));
    CHECK(faces[0].box.y == Approx(56.0f));
    CHECK(faces[0].box.width == Approx(8.0f));
    // Stride 32: centre (1.5 * 32, 0.5 * 32) = (48, 16), size 32.
    CHECK(faces[1].box.x == Approx(32.0f));
    CHECK(faces[1].box.y == Approx(0.0f));
    CHECK(faces[1].box.width == Approx(32.0f));
}

TEST_CASE("decodeYuNet keeps faces at or above the score threshold and clamps cls and obj",
          "[detector][yunet]") {
    // score = sqrt(cls * obj)
    CHECK(decodeOne(0.36f, 1.0f, std::sqrt(0.36f)).size() == 1);  // exactly at: kept
    CHECK(decodeOne(0.36f, 1.0f, 0.61f).empty());                 // 0.6 < 0.61: dropped
    CHECK(decodeOne(0.35f, 1.0f, 0.59f).size() == 1);             // 0.5916 >= 0.59: kept
    CHECK(decodeOne(0.0f, 1.0f, 0.0001f).empty());                // 0: dropped
    const Faces clamped = decodeOne(1.5f, 0.25f, 0.1f);           // clamp(1.5) = 1 -> sqrt(0.25)
    REQUIRE(clamped.size() == 1);
    CHECK(clamped.front().score == Approx(0.5f));
    CHECK(decodeOne(-2.0f, -2.0f, 0.1f).empty());  // negatives clamp to 0
}

TEST_CASE("decodeYuNet suppresses overlapping boxes, keeps separate ones and honours topK",
          "[detector][yunet]") {
    SyntheticOutputs out({128, 128});
    // Two candidates for one face at neighbouring stride-8 cells, both describing nearly the
    // same 40x40 box around (44, 44) (IoU ~0.9), and a third face far away.
    out.setCell(0, 5, 5, 0.81f, 1.0f, {0.5f, 0.5f, std::log(5.0f), std::log(5.0f)}, kSomeKps);
    out.setCell(0, 5, 6, 0.64f, 1.0f, {-0.25f, 0.5f, std::log(5.0f), std::log(5.0f)}, kSomeKps);
    out.setCell(2, 3, 3, 0.49f, 1.0f, {0.5f, 0.5f, 0.0f, 0.0f}, kSomeKps);

    const Faces faces = decodeYuNet(out.mats, out.inputSize, 0.5f);
    REQUIRE(faces.size() == 2);
    CHECK(faces[0].score == Approx(0.9f));  // best first, the weaker duplicate suppressed
    CHECK(faces[0].box.x == Approx(24.0f));
    CHECK(faces[1].score == Approx(0.7f));
    CHECK(faces[1].box.x == Approx(96.0f));

    const Faces top1 = decodeYuNet(out.mats, out.inputSize, 0.5f, kYuNetNmsIou, /*topK=*/1);
    REQUIRE(top1.size() == 1);
    CHECK(top1[0].score == Approx(0.9f));

    // With NMS effectively off (IoU threshold 1) the duplicate survives.
    CHECK(decodeYuNet(out.mats, out.inputSize, 0.5f, /*nmsIouThreshold=*/1.0f).size() == 3);
}

TEST_CASE("decodeYuNet drops cells with non-finite values instead of returning them",
          "[detector][yunet]") {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    SyntheticOutputs out({64, 64});
    out.setCell(0, 0, 0, nan, 1.0f, {0.0f, 0.0f, 0.0f, 0.0f}, kSomeKps);
    out.setCell(0, 1, 1, 1.0f, 1.0f, {0.0f, 0.0f, 200.0f, 0.0f}, kSomeKps);  // exp -> inf
    std::array<float, 10> badKps = kSomeKps;
    badKps[3] = inf;
    out.setCell(0, 2, 2, 1.0f, 1.0f, {0.0f, 0.0f, 0.0f, 0.0f}, badKps);
    out.setCell(0, 3, 3, 1.0f, 1.0f, {nan, 0.0f, 0.0f, 0.0f}, kSomeKps);
    CHECK(decodeYuNet(out.mats, out.inputSize, 0.5f).empty());
}

TEST_CASE("decodeYuNet rejects outputs that do not match the input size", "[detector][yunet]") {
    SyntheticOutputs out({64, 64});
    // Wrong input sizes for these outputs.
    CHECK_THROWS_AS(decodeYuNet(out.mats, {64, 96}, 0.5f), std::invalid_argument);
    CHECK_THROWS_AS(decodeYuNet(out.mats, {60, 64}, 0.5f), std::invalid_argument);
    CHECK_THROWS_AS(decodeYuNet(out.mats, {0, 0}, 0.5f), std::invalid_argument);
    CHECK_THROWS_AS(decodeYuNet(out.mats, {64, 64}, 0.5f, -0.1f), std::invalid_argument);
    // Missing output.
    std::vector<cv::Mat> eleven(out.mats.begin(), out.mats.end() - 1);
    CHECK_THROWS_AS(decodeYuNet(eleven, {64, 64}, 0.5f), std::invalid_argument);
    // Wrong type.
    std::vector<cv::Mat> wrongType = out.mats;
    wrongType[6].convertTo(wrongType[6], CV_64F);
    CHECK_THROWS_WITH(decodeYuNet(wrongType, {64, 64}, 0.5f), Catch::Contains("bbox_8"));
    // The right size passes.
    CHECK_NOTHROW(decodeYuNet(out.mats, {64, 64}, 0.5f));
}

// ---------------------------------------------------------------------------------------------
// Model and cascade lookup, errors

TEST_CASE("findYuNetModel prefers the explicit path, then the environment, then the data folder",
          "[detector][files]") {
    TempDir dir("litefer-detector");
    const fs::path models = dir.path() / "litefer" / "models";
    fs::create_directories(models);
    EnvGuard xdg("XDG_DATA_HOME", dir.path().string());
    EnvGuard env("LITEFER_YUNET_MODEL", std::nullopt);

    CHECK(userModelDir() == models.string());
    CHECK(findYuNetModel().empty());                               // nothing there yet
    writeText(models / "face_detection_yunet_2022mar.onnx", "x");  // wrong release: ignored
    writeText(models / "notes.txt", "x");
    CHECK(findYuNetModel().empty());
    writeText(models / "face_detection_yunet_2023mar_int8.onnx", "x");
    writeText(models / "face_detection_yunet_2023mar.onnx", "x");
    CHECK(findYuNetModel() == (models / "face_detection_yunet_2023mar.onnx").string());

    {
        EnvGuard set("LITEFER_YUNET_MODEL", std::string("/from/env.onnx"));
        CHECK(findYuNetModel() == "/from/env.onnx");
        CHECK(findYuNetModel("/explicit.onnx") == "/explicit.onnx");
    }
    {
        EnvGuard noXdg("XDG_DATA_HOME", std::nullopt);
        EnvGuard home("HOME", std::string("/home/someone"));
        CHECK(userModelDir() == "/home/someone/.local/share/litefer/models");
    }
}

TEST_CASE("a missing YuNet model file is reported with its path and how to get the model",
          "[detector][files]") {
    const std::string missing = "/nonexistent/dir/face_detection_yunet_2023mar.onnx";
    CHECK_THROWS_WITH(YuNetDetector(missing), Catch::Contains(missing) &&
                                                  Catch::Contains("opencv_zoo") &&
                                                  Catch::Contains("LITEFER_YUNET_MODEL"));
    CHECK_THROWS_WITH(makeDetector("yunet", {}, missing), Catch::Contains(missing));

    TempDir dir("litefer-detector");
    EnvGuard xdg("XDG_DATA_HOME", dir.path().string());
    EnvGuard env("LITEFER_YUNET_MODEL", std::nullopt);
    CHECK_THROWS_WITH(makeDetector("yunet"),
                      Catch::Contains("not found") && Catch::Contains(dir.path().string()));
}

TEST_CASE("a corrupt YuNet model file is rejected with its path", "[detector][files]") {
    TempDir dir("litefer-detector");
    const fs::path garbage = dir.path() / "face_detection_yunet_2023mar.onnx";
    writeText(garbage, std::string(4096, '\x5a'));
    CHECK_THROWS_WITH(YuNetDetector(garbage.string()),
                      Catch::Contains(garbage.string()) && Catch::Contains("opencv_zoo"));

    const fs::path empty = dir.path() / "empty.onnx";
    writeText(empty, "");
    CHECK_THROWS_WITH(YuNetDetector(empty.string()), Catch::Contains(empty.string()));

    if (fs::is_regular_file(kYuNetPath)) {  // a truncated copy of the real model
        std::string bytes(static_cast<std::size_t>(fs::file_size(kYuNetPath)), '\0');
        std::ifstream in(kYuNetPath, std::ios::binary);
        in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        REQUIRE(in.good());
        const fs::path truncated = dir.path() / "truncated.onnx";
        writeText(truncated, bytes.substr(0, bytes.size() / 3));
        CHECK_THROWS_WITH(YuNetDetector(truncated.string()), Catch::Contains(truncated.string()));
    }
}

TEST_CASE("makeDetector rejects an unknown detector kind", "[detector]") {
    CHECK_THROWS_AS(makeDetector("dlib"), std::invalid_argument);
    CHECK_THROWS_WITH(makeDetector("dlib"), Catch::Contains("haar") && Catch::Contains("yunet"));
}

TEST_CASE("the Haar cascade search lists the explicit path, the environment, then system folders",
          "[detector][files]") {
    EnvGuard env("LITEFER_HAAR_CASCADE", std::string("/env/cascade.xml"));
    const std::vector<std::string> places = haarCascadeCandidates("/explicit/cascade.xml");
    REQUIRE(places.size() == 5);
    CHECK(places[0] == "/explicit/cascade.xml");
    CHECK(places[1] == "/env/cascade.xml");
    CHECK(places[2] == "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml");
    CHECK(findHaarCascade("/explicit/cascade.xml") == "/explicit/cascade.xml");
    CHECK(findHaarCascade() == "/env/cascade.xml");
}

TEST_CASE("a missing or corrupt Haar cascade named by the user is reported with its path",
          "[detector][files]") {
    const std::string missing = "/nonexistent/cascade.xml";
    CHECK_THROWS_WITH(HaarDetector({}, missing),
                      Catch::Contains(missing) && Catch::Contains("--detector-model"));
    TempDir dir("litefer-detector");
    const fs::path garbage = dir.path() / "cascade.xml";
    writeText(garbage, "<?xml version=\"1.0\"?>\n<opencv_storage>\n</opencv_storage>\n");
    CHECK_THROWS_WITH(HaarDetector({}, garbage.string()),
                      Catch::Contains(garbage.string()) && Catch::Contains("opencv-data"));
}

// ---------------------------------------------------------------------------------------------
// Detectors on frames

TEST_CASE("detectors return no face for an empty or blank frame and reject float frames",
          "[detector]") {
    std::vector<std::unique_ptr<FaceDetector>> detectors;
    if (haveHaarCascade()) {
        detectors.push_back(makeDetector("haar"));
    }
    if (haveYuNetModel()) {
        detectors.push_back(makeDetector("yunet", {}, kYuNetPath));
    }
    for (auto& detector : detectors) {
        INFO(detector->name());
        CHECK(detector->detect(cv::Mat()).empty());
        CHECK(detector->detect(cv::Mat(480, 640, CV_8UC3, cv::Scalar::all(90))).empty());
        CHECK(detector->detect(cv::Mat(100, 100, CV_8UC1, cv::Scalar(0))).empty());
        CHECK_THROWS_AS(detector->detect(cv::Mat(64, 64, CV_32FC1, cv::Scalar(0))),
                        std::invalid_argument);
    }
}

TEST_CASE("YuNet finds the face in nearly every frame of the shared face videos",
          "[detector][yunet][video]") {
    if (!haveYuNetModel()) {
        return;
    }
    YuNetDetector detector(kYuNetPath);
    CHECK(detector.name() == "yunet");
    for (const auto& [name, step] : {std::pair<const char*, int>{"face_d0.mp4", 1},
                                     std::pair<const char*, int>{"face_d18.mp4", 3}}) {
        const std::optional<VideoStats> stats = runOnVideo(detector, name, step);
        if (!stats) {
            WARN("skipped: cannot open " << name << " with the FFmpeg backend");
            continue;
        }
        INFO(name << ": " << stats->withFace << " of " << stats->frames << " frames, "
                  << stats->msTotal / stats->frames << " ms per frame");
        REQUIRE(stats->frames > 20);
        CHECK(stats->withFace >= 0.95 * stats->frames);
        // Landmark order: the subject's right eye is on the left of the screen.
        CHECK(stats->eyesInOrder == stats->withFace);
    }
}

TEST_CASE("Haar finds the face in most frames of the shared face videos",
          "[detector][haar][video]") {
    if (!haveHaarCascade() || !fs::is_directory(kSharedDir + "/video")) {
        WARN("skipped: " << kSharedDir << "/video not found");
        return;
    }
    HaarDetector detector;
    CHECK(detector.name() == "haar");
    for (const auto& [name, step] : {std::pair<const char*, int>{"face_d0.mp4", 2},
                                     std::pair<const char*, int>{"face_d18.mp4", 4}}) {
        const std::optional<VideoStats> stats = runOnVideo(detector, name, step);
        if (!stats) {
            WARN("skipped: cannot open " << name << " with the FFmpeg backend");
            continue;
        }
        INFO(name << ": " << stats->withFace << " of " << stats->frames << " frames, "
                  << stats->msTotal / stats->frames << " ms per frame");
        REQUIRE(stats->frames > 15);
        CHECK(stats->withFace >= 0.85 * stats->frames);
    }
}

TEST_CASE("YuNet and Haar agree on where the face is, and YuNet maps boxes back to the frame",
          "[detector][video]") {
    if (!haveYuNetModel() || !haveHaarCascade()) {
        return;
    }
    cv::VideoCapture capture(kSharedDir + "/video/face_d0.mp4", cv::CAP_FFMPEG);
    cv::Mat frame;
    if (!capture.read(frame)) {
        WARN("skipped: cannot read face_d0.mp4");
        return;
    }
    YuNetDetector yunet(kYuNetPath);
    HaarDetector haar;
    const Faces a = yunet.detect(frame);
    const Faces b = haar.detect(frame);
    REQUIRE(a.size() == 1);
    REQUIRE(b.size() == 1);
    const cv::Point2f ca = (a[0].box.tl() + a[0].box.br()) * 0.5f;
    const cv::Point2f cb = (b[0].box.tl() + b[0].box.br()) * 0.5f;
    CHECK(cv::norm(ca - cb) < 0.15 * static_cast<double>(a[0].box.width));
    CHECK(b[0].box.width == Approx(0.5f * (a[0].box.width + a[0].box.height)).epsilon(0.2));

    // The same frame at full resolution and at the detection width, grey: same face, in frame
    // pixels each time (within the detector's own jitter).
    DetectorOptions wide;
    wide.detectWidth = frame.cols;
    YuNetDetector full(kYuNetPath, wide);
    cv::Mat gray;
    cv::cvtColor(frame, gray, cv::COLOR_BGR2GRAY);
    for (const Faces& other : {full.detect(frame), yunet.detect(gray)}) {
        REQUIRE(other.size() == 1);
        const cv::Rect2f inter = a[0].box & other[0].box;
        const float iou = inter.area() / (a[0].box.area() + other[0].box.area() - inter.area());
        CHECK(iou >= 0.8f);
    }
}

TEST_CASE("detectors honour minFaceSize and maxFaces", "[detector][video]") {
    if (!haveYuNetModel()) {
        return;
    }
    cv::VideoCapture capture(kSharedDir + "/video/face_d0.mp4", cv::CAP_FFMPEG);
    cv::Mat frame;
    if (!capture.read(frame)) {
        WARN("skipped: cannot read face_d0.mp4");
        return;
    }
    // Two copies of the frame side by side: two faces.
    cv::Mat two;
    cv::hconcat(frame, frame, two);
    DetectorOptions options;
    options.detectWidth = two.cols;
    CHECK(YuNetDetector(kYuNetPath, options).detect(two).size() == 2);
    options.maxFaces = 1;
    CHECK(YuNetDetector(kYuNetPath, options).detect(two).size() == 1);
    options.maxFaces = 8;
    options.minFaceSize = frame.cols;  // larger than any face in it
    CHECK(YuNetDetector(kYuNetPath, options).detect(two).empty());
}
