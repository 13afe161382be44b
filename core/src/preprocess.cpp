#include "litefer/core/preprocess.h"

#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace litefer::core {

cv::Mat toNetworkCrop(const cv::Mat& face) {
    if (face.empty()) {
        throw std::invalid_argument("toNetworkCrop: empty image");
    }
    if (face.depth() != CV_8U) {
        throw std::invalid_argument("toNetworkCrop: expected an 8-bit image");
    }
    cv::Mat gray;
    switch (face.channels()) {
        case 1:
            gray = face;
            break;
        case 3:
            cv::cvtColor(face, gray, cv::COLOR_BGR2GRAY);
            break;
        case 4:
            cv::cvtColor(face, gray, cv::COLOR_BGRA2GRAY);
            break;
        default:
            throw std::invalid_argument("toNetworkCrop: unsupported channel count");
    }
    if (gray.rows == kCropSide && gray.cols == kCropSide) {
        return gray.clone();
    }
    const bool shrinking = gray.rows > kCropSide || gray.cols > kCropSide;
    cv::Mat out;
    cv::resize(gray, out, cv::Size(kCropSide, kCropSide), 0, 0,
               shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    return out;
}

}  // namespace litefer::core
