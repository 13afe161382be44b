#pragma once
// Turning a face image into the network's 48x48 grey crop. The same function serves dataset
// packing (training) and the live pipeline (inference), so both see identical pixels.
#include <opencv2/core.hpp>

namespace litefer::core {

inline constexpr int kCropSide = 48;

/// Any 8-bit image (grey, BGR or BGRA, any size) -> 48x48 CV_8UC1. Colour is converted with
/// OpenCV's BGR->GRAY weights; resizing uses INTER_AREA when shrinking and INTER_LINEAR when
/// enlarging. A 48x48 grey input is returned unchanged (as a continuous copy).
/// Throws std::invalid_argument for an empty or non-8-bit image.
cv::Mat toNetworkCrop(const cv::Mat& face);

}  // namespace litefer::core
