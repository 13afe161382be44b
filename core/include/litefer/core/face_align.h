#pragma once
// Face alignment: a detected face in a video frame -> the network's 48x48 grey crop, framed the
// way FER2013 frames its faces, so that live inference sees what training saw.
//
// The last step is always toNetworkCrop() (preprocess.h), the function that also packs the
// training data: this stage only chooses which square of the frame becomes the crop.
#include <opencv2/core.hpp>

#include "litefer/core/face.h"

namespace litefer::core {

/// Where the crop square lies relative to the face. Scales multiply the mean of the detector
/// box's width and height; offsets are fractions of the crop side. The defaults were measured
/// on FER2013 (see face_align.cpp for the measurement and its numbers).
struct AlignOptions {
    // With landmarks (YuNet): the crop is levelled (rotated so the eyes are horizontal),
    // centred horizontally on the midpoint of the eyes, its eyes at eyeRowFraction.
    /// Crop side = landmarkBoxScale * (box width + box height) / 2. (YuNet's box size does not
    /// change with in-plane rotation, and varies less than the eye distance, which shrinks when
    /// the head turns.)
    float landmarkBoxScale = 1.04f;
    /// Height of the eye midpoint in the crop, as a fraction of the side from the top.
    float eyeRowFraction = 0.37f;
    /// Eye lines tilted less than this (degrees) are not rotated: below landmark noise, and a
    /// rotation costs an interpolation.
    float minRotationDeg = 1.0f;

    // Without landmarks (Haar): an upright square around the detector box.
    /// Crop side = boxScale * (box width + box height) / 2.
    float boxScale = 1.0f;
    /// Crop centre = box centre + boxShiftY * crop side downwards (negative: upwards).
    float boxShiftY = 0.01f;
};

/// The square of the frame that becomes the crop: its centre (frame pixel coordinates, origin
/// at the top-left pixel corner), its side in frame pixels (rounded, >= 1) and its rotation
/// in degrees (counter-clockwise, as cv::getRotationMatrix2D; 0 for an upright crop).
struct AlignmentSquare {
    cv::Point2f centre;
    int side = 0;
    float angleDeg = 0.0f;
};

/// The crop square for `face`: from the landmarks and the box when face.hasLandmarks (the box
/// alone when the eyes are non-finite or closer than 1 px), else from the box. Pure. Returns
/// side 0 when the geometry is degenerate (empty or non-finite box, non-finite scale).
AlignmentSquare alignmentSquare(const Face& face, const AlignOptions& options = {});

/// `frame`: 8-bit grey, BGR or BGRA, the frame `face` was detected in (same pixel coordinates).
/// Returns the 48x48 CV_8UC1 crop of alignmentSquare(face): cut out (and, when tilted, rotated
/// with bilinear interpolation) at the frame's resolution, parts outside the frame filled by
/// replicating the border, then passed through toNetworkCrop(). Only the pixels of the square
/// are processed. Returns an empty Mat when the geometry is degenerate or the square does not
/// overlap the frame. Throws std::invalid_argument for an empty or non-8-bit frame.
/// Pure: safe to call from any thread.
cv::Mat alignFace(const cv::Mat& frame, const Face& face, const AlignOptions& options = {});

}  // namespace litefer::core
