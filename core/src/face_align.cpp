#include "litefer/core/face_align.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "litefer/core/preprocess.h"

namespace litefer::core {

// How the defaults of AlignOptions were chosen. FER2013 side: 415 PrivateTest images (the
// first 60 per class in name order, 55 for disgust), each upscaled 4x to 192x192 (bilinear)
// and run through our YuNet and Haar detectors three ways: alone, and inside a 64 px border,
// mid-grey or replicated, to give the detectors room around the tight crop. Video side: every
// third frame of face_d0, face_d18 and face_d13 (../shared/video). Medians (means):
//
// | FER2013, in units of the 48 px side | no border     | grey border   | replicated    |
// |-------------------------------------|---------------|---------------|---------------|
// | YuNet found                         | 97.6%         | 95.9%         | 90.4%         |
// | side / eye distance                 | 2.65 (2.92)   | 2.63 (2.81)   |               |
// | side / eye-to-mouth distance        | 2.65 (2.69)   | 2.49 (2.53)   |               |
// | side / YuNet box mean side          | 1.11 (1.14)   | 1.06 (1.07)   | 1.11 (1.13)   |
// | eye midpoint row, column            | 0.379, 0.490  | 0.377, 0.493  | 0.379, 0.494  |
// | eye-line angle: sd, median of abs   | 7.7, 3.8 deg  | 7.3, 3.4 deg  | 7.7, 3.6 deg  |
// | Haar found; side / Haar box side    | 48%; clipped  | 52%; 1.03     | 67%; 1.01     |
//
// | video                               | face_d0 | face_d18 | face_d13 |
// |-------------------------------------|---------|----------|----------|
// | YuNet box mean side / eye distance  | 2.61    | 2.58     | 2.51     |
// | YuNet box mean side / eye-to-mouth  | 2.51    | 2.37     | 2.37     |
// | our landmark crop side / Haar side  | 0.92    | 1.00     | 0.98     |
// | landmark crop centre - Haar centre  | +0.001  | +0.020   | +0.009   |  (rows, / side)
//
// YuNet's box depends on how much head it sees: around the tight FER crops it is smaller than
// around the same face in a frame (its height grows from 46 to 52 FER px once a border is
// added), so the FER-measured box ratio (1.06-1.14) overstates the margin; the landmarks are
// local and need no context. So the box scale is bridged through them: FER side / eye
// distance 2.64 over video box side / eye distance ~2.57 gives 1.03, the eye-to-mouth
// distance 2.57 / 2.42 gives 1.06: landmarkBoxScale 1.04. The size comes from the box, not
// from the landmarks directly, because the box is steadier (FER spread 0.11-0.16 against
// 0.29-0.33 for the eye distance, which shrinks as the head turns) and does not change with
// roll: rotating the bordered FER images by 10/20/30 degrees left YuNet's mean box side at
// 0.998/1.000/0.995 of upright, while the eye distance fell to 0.90 at 30 degrees. Eyes at
// 0.37-0.38 of the side from the top: eyeRowFraction 0.37, centred across. Haar, matched to
// the landmark crops and the bordered FER measurements: boxScale 1.0, boxShiftY 0.01.
// FER2013 faces are not levelled (eye-line sd ~7.5 deg); the live crops are, which moves them
// to the centre of the training distribution.

namespace {

constexpr float kPi = 3.14159265358979323846f;
/// Eyes closer than this (pixels) give no usable direction.
constexpr float kMinEyeDistancePx = 1.0f;
/// Squares larger than this many frame sides come from broken geometry, not from a face.
constexpr int kMaxSideInFrames = 8;
/// Sides beyond this are broken geometry whatever the frame (and would overflow int).
constexpr float kMaxSidePx = 16777216.0f;  // 2^24

bool finite(cv::Point2f p) {
    return std::isfinite(p.x) && std::isfinite(p.y);
}

/// Mean of the box's width and height times `scale`, rounded; 0 when degenerate.
int sideFromBox(const cv::Rect2f& b, float scale) {
    if (!std::isfinite(b.x) || !std::isfinite(b.y) || !std::isfinite(b.width) ||
        !std::isfinite(b.height) || b.width <= 0.0f || b.height <= 0.0f) {
        return 0;
    }
    const float side = scale * 0.5f * (b.width + b.height);
    if (!(side >= 0.5f && side <= kMaxSidePx)) {  // also false for NaN
        return 0;
    }
    return static_cast<int>(std::lround(side));
}

AlignmentSquare squareFromBox(const Face& face, const AlignOptions& options) {
    AlignmentSquare sq;
    sq.side = sideFromBox(face.box, options.boxScale);
    if (sq.side == 0) {
        return {};
    }
    const cv::Rect2f& b = face.box;
    sq.centre =
        cv::Point2f(b.x + 0.5f * b.width,
                    b.y + 0.5f * b.height + options.boxShiftY * static_cast<float>(sq.side));
    return sq;
}

}  // namespace

AlignmentSquare alignmentSquare(const Face& face, const AlignOptions& options) {
    if (!face.hasLandmarks) {
        return squareFromBox(face, options);
    }
    const cv::Point2f rightEye = face.landmark(Landmark::RightEye);
    const cv::Point2f leftEye = face.landmark(Landmark::LeftEye);
    const cv::Point2f d = leftEye - rightEye;
    if (!finite(rightEye) || !finite(leftEye) || !(std::hypot(d.x, d.y) >= kMinEyeDistancePx)) {
        return squareFromBox(face, options);  // unusable landmarks: fall back to the box
    }
    AlignmentSquare sq;
    sq.side = sideFromBox(face.box, options.landmarkBoxScale);
    if (sq.side == 0) {
        return {};
    }
    // The eye line's angle in image coordinates (y down): positive when the subject's left eye
    // is lower on screen. Rotating the frame by it counter-clockwise levels the eyes.
    float angle = std::atan2(d.y, d.x);
    if (std::abs(angle) * 180.0f / kPi < options.minRotationDeg) {
        angle = 0.0f;
    }
    sq.angleDeg = angle * 180.0f / kPi;
    // From the eye midpoint, down the face (perpendicular to the eye line) to the crop centre.
    const cv::Point2f down(-std::sin(angle), std::cos(angle));
    const cv::Point2f eyeMid = 0.5f * (rightEye + leftEye);
    const float drop = (0.5f - options.eyeRowFraction) * static_cast<float>(sq.side);
    sq.centre = eyeMid + drop * down;
    return sq;
}

cv::Mat alignFace(const cv::Mat& frame, const Face& face, const AlignOptions& options) {
    if (frame.empty() || frame.depth() != CV_8U) {
        throw std::invalid_argument("alignFace: expected a non-empty 8-bit frame");
    }
    const AlignmentSquare sq = alignmentSquare(face, options);
    const int side = sq.side;
    const int frameSide = std::max(frame.cols, frame.rows);
    if (side <= 0 || side > kMaxSideInFrames * frameSide) {
        return {};
    }
    // Centres this far out cannot give a square that touches the frame (and must not reach
    // the int conversions below).
    const float reach = static_cast<float>((kMaxSideInFrames + 1) * frameSide);
    if (!(std::abs(sq.centre.x) <= reach && std::abs(sq.centre.y) <= reach)) {
        return {};
    }
    const float half = 0.5f * static_cast<float>(side);
    const cv::Rect frameRect(0, 0, frame.cols, frame.rows);

    if (sq.angleDeg == 0.0f) {
        // Upright: an integer square of the frame, copied as is (no interpolation), so a crop
        // that is exactly 48x48 reaches the network with the frame's own pixels.
        const cv::Rect square(static_cast<int>(std::lround(sq.centre.x - half)),
                              static_cast<int>(std::lround(sq.centre.y - half)), side, side);
        const cv::Rect inside = square & frameRect;
        if (inside.empty()) {
            return {};
        }
        cv::Mat patch;
        cv::copyMakeBorder(frame(inside), patch, inside.y - square.y, square.br().y - inside.br().y,
                           inside.x - square.x, square.br().x - inside.br().x,
                           cv::BORDER_REPLICATE);
        return toNetworkCrop(patch);
    }

    // Tilted: the square's corners must reach into the frame.
    const cv::RotatedRect rotated(
        sq.centre, cv::Size2f(static_cast<float>(side), static_cast<float>(side)), sq.angleDeg);
    if ((rotated.boundingRect() & frameRect).empty()) {
        return {};
    }
    // Map frame pixel indices to crop pixel indices: rotate about the square's centre (in index
    // coordinates, pixel centres at integers: centre - 0.5), then move that centre to the crop's
    // centre. warpAffine computes only the side x side output, reading just the pixels it needs.
    const cv::Point2f centreIndex = sq.centre - cv::Point2f(0.5f, 0.5f);
    cv::Mat m = cv::getRotationMatrix2D(centreIndex, static_cast<double>(sq.angleDeg), 1.0);
    m.at<double>(0, 2) += static_cast<double>(half - sq.centre.x);
    m.at<double>(1, 2) += static_cast<double>(half - sq.centre.y);
    cv::Mat patch;
    cv::warpAffine(frame, patch, m, cv::Size(side, side), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    return toNetworkCrop(patch);
}

}  // namespace litefer::core
