#pragma once
// Typed face records: what a face detector returns for one frame. OpenCV's rows of floats
// (YuNet's [x, y, w, h, 10 landmark coordinates, score]) are converted into these once, at the
// detector boundary; nothing downstream indexes magic columns.
#include <opencv2/core.hpp>

#include <array>
#include <cstddef>
#include <vector>

namespace litefer::core {

/// The five facial landmarks in YuNet's order. "Right" and "left" are the subject's own sides,
/// so on an upright frontal face (not mirrored) the right eye has the smaller x.
enum class Landmark : int { RightEye = 0, LeftEye, NoseTip, RightMouthCorner, LeftMouthCorner };

inline constexpr std::size_t kNumLandmarks = 5;

/// One detected face, in the pixel coordinates of the frame given to the detector (x right,
/// y down, origin at the top-left pixel corner). The box may extend past the frame edges.
struct Face {
    cv::Rect2f box;
    /// Indexed by Landmark; meaningful only when hasLandmarks is true.
    std::array<cv::Point2f, kNumLandmarks> landmarks{};
    bool hasLandmarks = false;
    /// Detector confidence in (0, 1]; detectors without a calibrated score report 1.
    float score = 0.0f;

    const cv::Point2f& landmark(Landmark which) const {
        return landmarks[static_cast<std::size_t>(which)];
    }
};

/// Faces of one frame, highest score first.
using Faces = std::vector<Face>;

}  // namespace litefer::core
