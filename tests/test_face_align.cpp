// Face alignment: the live crop equals the training crop for a FER2013 face (golden), tilted
// faces are levelled, borders are replicated, degenerate faces give no crop, and real video
// faces come out framed like FER2013.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <string>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "litefer/core/face_align.h"
#include "litefer/core/face_detector.h"
#include "litefer/core/preprocess.h"

using namespace litefer::core;
namespace fs = std::filesystem;

namespace {

const std::string kSharedDir = LITEFER_SHARED_DIR;
const std::string kFerImage = kSharedDir + "/data/fer2013/test/happy/PrivateTest_10077120.jpg";
const std::string kYuNetPath =
    kSharedDir + "/models/yunet/face_detection_yunet_2023mar_dynamic.onnx";

/// A 48x48 grey FER2013 test image as the dataset loader reads it; a fixed random pattern
/// (which serves the identity checks just as well) when ../shared is absent.
cv::Mat ferFace() {
    cv::Mat img = cv::imread(kFerImage, cv::IMREAD_GRAYSCALE);
    if (img.empty()) {
        WARN("FER2013 image " << kFerImage << " not found: using a synthetic 48x48 pattern");
        img.create(kCropSide, kCropSide, CV_8UC1);
        cv::RNG rng(7);
        rng.fill(img, cv::RNG::UNIFORM, 0, 256);
    }
    REQUIRE(img.size() == cv::Size(kCropSide, kCropSide));
    return img;
}

/// A BGR frame of noise with `face` (grey) pasted at `at`.
cv::Mat frameWith(const cv::Mat& face, cv::Size frameSize, cv::Point at) {
    cv::Mat frame(frameSize, CV_8UC3);
    cv::RNG rng(11);
    rng.fill(frame, cv::RNG::UNIFORM, 0, 256);
    cv::Mat bgr;
    cv::cvtColor(face, bgr, cv::COLOR_GRAY2BGR);
    bgr.copyTo(frame(cv::Rect(at, face.size())));
    return frame;
}

/// A landmark-free face (as from Haar) whose crop square is exactly `square`, by inverting
/// AlignOptions' box framing: side = boxScale * box side, centre = box centre + shift * side.
Face boxFaceFor(const cv::Rect& square, const AlignOptions& o = {}) {
    const float side = static_cast<float>(square.width);
    const float boxSide = side / o.boxScale;
    const float cx = static_cast<float>(square.x) + 0.5f * side;
    const float cy = static_cast<float>(square.y) + 0.5f * side - o.boxShiftY * side;
    Face f;
    f.box = cv::Rect2f(cx - 0.5f * boxSide, cy - 0.5f * boxSide, boxSide, boxSide);
    f.score = 1.0f;
    return f;
}

/// A face with level eyes (as from YuNet) whose crop square is exactly `square`: eyes at
/// eyeRowFraction of the side, box size side / landmarkBoxScale.
Face landmarkFaceFor(const cv::Rect& square, const AlignOptions& o = {}) {
    const float side = static_cast<float>(square.width);
    Face f = boxFaceFor(square, o);
    const float boxSide = side / o.landmarkBoxScale;
    f.box = cv::Rect2f(f.box.x, f.box.y, boxSide, boxSide);
    const float eyeY = static_cast<float>(square.y) + o.eyeRowFraction * side;
    const float midX = static_cast<float>(square.x) + 0.5f * side;
    f.landmarks[0] = {midX - 0.19f * side, eyeY};  // right eye, on the left of the screen
    f.landmarks[1] = {midX + 0.19f * side, eyeY};
    f.landmarks[2] = {midX, eyeY + 0.2f * side};
    f.landmarks[3] = {midX - 0.15f * side, eyeY + 0.38f * side};
    f.landmarks[4] = {midX + 0.15f * side, eyeY + 0.38f * side};
    f.hasLandmarks = true;
    return f;
}

double maxDiff(const cv::Mat& a, const cv::Mat& b) {
    return cv::norm(a, b, cv::NORM_INF);
}
double meanDiff(const cv::Mat& a, const cv::Mat& b) {
    return cv::norm(a, b, cv::NORM_L1) / static_cast<double>(a.total());
}

/// A synthetic upright face on a 400x400 grey frame: oval, dark eyes at (170, 180) and
/// (230, 180), nose, mouth, and an off-centre mark so that a wrong rotation shows.
cv::Mat syntheticFaceFrame() {
    cv::Mat frame(400, 400, CV_8UC1, cv::Scalar(90));
    cv::ellipse(frame, {200, 200}, {70, 90}, 0, 0, 360, cv::Scalar(190), cv::FILLED);
    cv::circle(frame, {170, 180}, 9, cv::Scalar(30), cv::FILLED);
    cv::circle(frame, {230, 180}, 9, cv::Scalar(30), cv::FILLED);
    cv::line(frame, {200, 190}, {196, 215}, cv::Scalar(120), 4);
    cv::ellipse(frame, {200, 245}, {26, 8}, 0, 0, 180, cv::Scalar(40), 4);
    cv::rectangle(frame, {235, 130}, {250, 142}, cv::Scalar(250), cv::FILLED);
    cv::GaussianBlur(frame, frame, {5, 5}, 1.5);
    return frame;
}

Face syntheticFace() {
    Face f;
    f.box = cv::Rect2f(130, 110, 140, 180);
    f.landmarks = {cv::Point2f(170, 180), cv::Point2f(230, 180), cv::Point2f(198, 210),
                   cv::Point2f(178, 245), cv::Point2f(222, 245)};
    f.hasLandmarks = true;
    f.score = 0.9f;
    return f;
}

}  // namespace

// The golden test. Training packs a FER2013 face with toNetworkCrop(image). Live, a face is a
// region of a larger frame, found by a detector and cut out by alignFace(). If the two paths
// frame, convert or resample differently, the network sees other pixels live than in training
// (the "always neutral" failure of many FER apps). So: put a FER2013 image into a frame, as a
// video would show it, describe it by the face a detector would have to return for the crop to
// be exactly that image (the inverse of AlignOptions' framing), and require alignFace() to
// return exactly toNetworkCrop(image) - bit for bit, through both the landmark and the box
// path, at native size and enlarged 4x. The enlargement uses nearest neighbour, so each pixel
// becomes a 4x4 block and toNetworkCrop's INTER_AREA shrink by exactly 4 averages 16 equal
// values: lossless, so any framing or resampling error in the video path shows as a difference.
TEST_CASE("a FER2013 face in a frame gives exactly the training crop", "[align][golden]") {
    const cv::Mat face = ferFace();
    const cv::Mat training = toNetworkCrop(face);

    SECTION("at 48x48 in a 160x120 colour frame") {
        const cv::Rect square(37, 21, kCropSide, kCropSide);
        const cv::Mat frame = frameWith(face, {160, 120}, square.tl());
        const cv::Mat viaBox = alignFace(frame, boxFaceFor(square));
        const cv::Mat viaLandmarks = alignFace(frame, landmarkFaceFor(square));
        REQUIRE(viaBox.size() == cv::Size(kCropSide, kCropSide));
        REQUIRE(viaBox.type() == CV_8UC1);
        CHECK(maxDiff(viaBox, training) == 0.0);
        CHECK(maxDiff(viaLandmarks, training) == 0.0);

        // The check can fail: the same face one pixel off is a different crop.
        const cv::Mat shifted = alignFace(frame, boxFaceFor(square + cv::Point(1, 0)));
        CHECK(maxDiff(shifted, training) > 0.0);
    }
    SECTION("enlarged 4x (192x192) in a 480x360 colour frame") {
        cv::Mat big;
        cv::resize(face, big, {4 * kCropSide, 4 * kCropSide}, 0, 0, cv::INTER_NEAREST);
        const cv::Rect square(101, 63, big.cols, big.rows);
        const cv::Mat frame = frameWith(big, {480, 360}, square.tl());
        CHECK(maxDiff(alignFace(frame, boxFaceFor(square)), training) == 0.0);
        CHECK(maxDiff(alignFace(frame, landmarkFaceFor(square)), training) == 0.0);
    }
}

TEST_CASE("alignmentSquare follows the measured FER2013 framing", "[align]") {
    const AlignOptions o;
    Face f = syntheticFace();
    const AlignmentSquare withLandmarks = alignmentSquare(f, o);
    // side = 1.04 * (140 + 180) / 2 = 166.4 -> 166; eyes at 0.37 of it, level: no rotation.
    CHECK(withLandmarks.side == 166);
    CHECK(withLandmarks.angleDeg == 0.0f);
    CHECK(withLandmarks.centre.x == Approx(200.0f));
    CHECK(withLandmarks.centre.y == Approx(180.0f + (0.5f - 0.37f) * 166.0f));

    f.hasLandmarks = false;
    const AlignmentSquare fromBox = alignmentSquare(f, o);
    CHECK(fromBox.side == 160);  // 1.0 * (140 + 180) / 2
    CHECK(fromBox.centre.x == Approx(200.0f));
    CHECK(fromBox.centre.y == Approx(200.0f + 0.01f * 160.0f));
}

TEST_CASE("a tilted face is levelled before cropping", "[align]") {
    const cv::Mat upright = syntheticFaceFrame();
    const Face face = syntheticFace();
    const cv::Mat reference = alignFace(upright, face);
    REQUIRE(reference.size() == cv::Size(kCropSide, kCropSide));

    for (const double degrees : {25.0, -18.0}) {
        INFO("tilt " << degrees << " degrees");
        // Turn the whole scene about the eye midpoint, landmarks and box centre with it (YuNet's
        // box keeps its size under rotation: see face_align.cpp).
        const cv::Point2f eyeMid(200.0f, 180.0f);
        const cv::Mat m = cv::getRotationMatrix2D(eyeMid, degrees, 1.0);
        cv::Mat tilted;
        cv::warpAffine(upright, tilted, m, upright.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                       cv::Scalar(90));
        std::vector<cv::Point2f> points(face.landmarks.begin(), face.landmarks.end());
        points.push_back((face.box.tl() + face.box.br()) * 0.5f);
        cv::transform(points, points, m);
        Face rotated = face;
        std::copy(points.begin(), points.begin() + 5, rotated.landmarks.begin());
        rotated.box = cv::Rect2f(points[5].x - 70.0f, points[5].y - 90.0f, 140.0f, 180.0f);

        // A counter-clockwise turn of the scene lifts the left eye: the eye line's angle is
        // minus the turn, and undoing it restores the upright crop.
        CHECK(alignmentSquare(rotated).angleDeg == Approx(-degrees).margin(0.01));
        const cv::Mat levelled = alignFace(tilted, rotated);
        CHECK(meanDiff(levelled, reference) < 4.0);

        AlignOptions noLevelling;
        noLevelling.minRotationDeg = 90.0f;
        const cv::Mat unlevelled = alignFace(tilted, rotated, noLevelling);
        CHECK(meanDiff(unlevelled, reference) > 3.0 * meanDiff(levelled, reference));
    }
}

TEST_CASE("parts of the square outside the frame replicate the frame's border", "[align]") {
    // A horizontal ramp: value = column, the same on every row.
    cv::Mat frame(100, 200, CV_8UC1);
    for (int x = 0; x < frame.cols; ++x) {
        frame.col(x).setTo(cv::Scalar(x));
    }
    // 96x96 square from (-40, 60): 40 columns left of the frame and 56 rows below it.
    const cv::Mat crop = alignFace(frame, boxFaceFor(cv::Rect(-40, 60, 96, 96)));
    REQUIRE(crop.size() == cv::Size(kCropSide, kCropSide));
    // Shrunk 2x: crop column j covers frame columns -40 + 2j and -39 + 2j.
    CHECK(cv::countNonZero(crop.colRange(0, 20)) == 0);  // left of the frame: column 0 = 0
    CHECK(crop.at<std::uint8_t>(0, 30) == Approx(20.5).margin(0.5));
    for (int y = 1; y < crop.rows; ++y) {  // rows below the frame repeat its last row
        CHECK(maxDiff(crop.row(y), crop.row(0)) == 0.0);
    }

    // Also when tilted: no black corners from warpAffine's default border.
    const Face face = syntheticFace();
    Face tilted = face;
    tilted.landmarks[1].y += 20.0f;  // about 18 degrees
    const cv::Mat corner = syntheticFaceFrame()(cv::Rect(150, 150, 250, 250)).clone();
    for (cv::Point2f& p : tilted.landmarks) {
        p -= cv::Point2f(150.0f, 150.0f);
    }
    tilted.box.x -= 150.0f;
    tilted.box.y -= 150.0f;
    const cv::Mat edgeCrop = alignFace(corner, tilted);
    REQUIRE(edgeCrop.size() == cv::Size(kCropSide, kCropSide));
    double minValue = 0.0;
    cv::minMaxLoc(edgeCrop, &minValue);
    CHECK(minValue >= 20.0);  // the darkest pixels are the eyes (30), never a 0 border
}

TEST_CASE("faces outside the frame or with broken geometry give no crop", "[align]") {
    const cv::Mat frame(120, 160, CV_8UC3, cv::Scalar::all(128));
    Face outside = boxFaceFor(cv::Rect(500, 500, 48, 48));
    CHECK(alignFace(frame, outside).empty());
    outside.landmarks = landmarkFaceFor(cv::Rect(500, 500, 48, 48)).landmarks;
    outside.landmarks[1].y += 10.0f;  // tilted, still far outside
    outside.hasLandmarks = true;
    CHECK(alignFace(frame, outside).empty());

    Face empty;
    CHECK(alignFace(frame, empty).empty());
    Face nan = boxFaceFor(cv::Rect(10, 10, 48, 48));
    nan.box.width = std::numeric_limits<float>::quiet_NaN();
    CHECK(alignFace(frame, nan).empty());
    Face huge = boxFaceFor(cv::Rect(0, 0, 48, 48));
    huge.box.width = huge.box.height = 1e9f;
    CHECK(alignFace(frame, huge).empty());
    huge.box.width = huge.box.height = 1e30f;
    CHECK(alignFace(frame, huge).empty());
    Face farAway = boxFaceFor(cv::Rect(0, 0, 48, 48));
    farAway.box.x = 1e20f;
    CHECK(alignFace(frame, farAway).empty());
}

TEST_CASE("coincident or non-finite eyes fall back to the box", "[align]") {
    Face f = syntheticFace();
    f.landmarks[1] = f.landmarks[0];
    Face boxOnly = f;
    boxOnly.hasLandmarks = false;
    const AlignmentSquare a = alignmentSquare(f);
    const AlignmentSquare b = alignmentSquare(boxOnly);
    CHECK(a.side == b.side);
    CHECK(a.centre == b.centre);
    f.landmarks[0].x = std::numeric_limits<float>::infinity();
    CHECK(alignmentSquare(f).side == b.side);
}

TEST_CASE("alignFace rejects frames that are empty or not 8-bit", "[align]") {
    const Face f = boxFaceFor(cv::Rect(0, 0, 48, 48));
    CHECK_THROWS_AS(alignFace(cv::Mat(), f), std::invalid_argument);
    CHECK_THROWS_AS(alignFace(cv::Mat(64, 64, CV_32FC1, cv::Scalar(0)), f), std::invalid_argument);
}

// End to end: crops of a real video face, looked at again by YuNet, have their eyes where
// FER2013 has them (0.37-0.38 of the side from the top, eye distance ~1/2.65 of the side) and
// level. Upscaled 4x as in the framing measurement.
TEST_CASE("video faces come out framed like FER2013 faces", "[align][video]") {
    if (!fs::is_regular_file(kYuNetPath)) {
        WARN("skipped: " << kYuNetPath << " not found (../shared is absent)");
        return;
    }
    cv::VideoCapture capture(kSharedDir + "/video/face_d18.mp4", cv::CAP_FFMPEG);
    if (!capture.isOpened()) {
        WARN("skipped: cannot open face_d18.mp4");
        return;
    }
    DetectorOptions options;
    options.minFaceSize = 0;
    YuNetDetector detector(kYuNetPath, options);
    cv::Mat frame;
    int checked = 0;
    for (int index = 0; capture.read(frame); ++index) {
        if (index % 20 != 0) {
            continue;
        }
        const Faces faces = detector.detect(frame);
        REQUIRE(!faces.empty());
        const cv::Mat crop = alignFace(frame, faces.front());
        cv::Mat big;
        cv::resize(crop, big, {192, 192}, 0, 0, cv::INTER_LINEAR);
        const Faces again = detector.detect(big);
        if (again.empty()) {
            continue;
        }
        const Face& f = again.front();
        const cv::Point2f d = f.landmark(Landmark::LeftEye) - f.landmark(Landmark::RightEye);
        const double eyeRow = 0.5 *
                              static_cast<double>(f.landmark(Landmark::LeftEye).y +
                                                  f.landmark(Landmark::RightEye).y) /
                              192.0;
        const double eyeDistance = std::hypot(static_cast<double>(d.x), static_cast<double>(d.y));
        const double tiltDeg =
            std::abs(std::atan2(static_cast<double>(d.y), static_cast<double>(d.x))) * 180.0 /
            CV_PI;
        INFO("frame " << index << ": eye row " << eyeRow << ", side / eye distance "
                      << 192.0 / eyeDistance << ", tilt " << tiltDeg);
        CHECK(eyeRow == Approx(0.375).margin(0.05));
        CHECK(192.0 / eyeDistance == Approx(2.65).margin(0.35));
        CHECK(tiltDeg < 4.0);
        ++checked;
    }
    CHECK(checked >= 8);
}
