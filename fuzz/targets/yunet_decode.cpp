// Fuzz target: litefer::core::decodeYuNet, the decoder of YuNet's raw network outputs (values
// from a model file the user provides). Input layout:
//   byte 0   input size: width 32 * (1 + (b & 3)), height 32 * (1 + ((b >> 2) & 3))
//   byte 1   score threshold b / 255
//   byte 2   NMS IoU threshold b / 200 (above 1 must be rejected with invalid_argument)
//   byte 3   topK (b % 8) - 1
//   byte 4   flags: bit 0 one output of the wrong size (must be rejected), bit 1 outputs as
//            non-continuous views, bit 2 outputs shaped [1, cells, k] as cv::dnn gives them
//   rest     float32 values filling the 12 outputs in order, repeated as needed (zeros if none)
// Contract checked: invalid_argument exactly for the invalid cases; otherwise faces with a
// score in (0, 1], finite boxes, at most topK, best first.
#include <opencv2/core.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "fuzz_support.h"
#include "litefer/core/face_detector.h"

namespace {

constexpr int kValuesPerCell[4] = {1, 1, 4, 10};  // cls, obj, bbox, kps

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using litefer::core::kYuNetStrides;
    using litefer::fuzz::contractViolation;
    if (size < 5) {
        return 0;
    }
    const cv::Size inputSize(32 * (1 + (data[0] & 3)), 32 * (1 + ((data[0] >> 2) & 3)));
    const float scoreThreshold = static_cast<float>(data[1]) / 255.0f;
    const float nmsIou = static_cast<float>(data[2]) / 200.0f;
    const int topK = (data[3] % 8) - 1;
    const bool wrongSize = (data[4] & 1) != 0;
    const bool views = (data[4] & 2) != 0;
    const bool dnnShape = (data[4] & 4) != 0;
    const std::uint8_t* values = data + 5;
    const std::size_t valueCount = (size - 5) / sizeof(float);
    std::size_t next = 0;
    auto nextValue = [&]() -> float {
        if (valueCount == 0) {
            return 0.0f;
        }
        float v;
        std::memcpy(&v, values + (next % valueCount) * sizeof(float), sizeof v);
        ++next;
        return v;
    };

    std::vector<cv::Mat> outputs;
    for (int g = 0; g < 4; ++g) {
        for (int stride : kYuNetStrides) {
            int cells = (inputSize.width / stride) * (inputSize.height / stride);
            if (wrongSize && outputs.size() == 11) {
                cells += 1;
            }
            const int k = kValuesPerCell[g];
            cv::Mat m;
            if (views) {
                cv::Mat big(cells, k + 1, CV_32F, cv::Scalar(0));
                m = big(cv::Rect(0, 0, k, cells));
            } else if (dnnShape) {
                const int dims[3] = {1, cells, k};
                m = cv::Mat(3, dims, CV_32F);
            } else {
                m = cv::Mat(cells, k, CV_32F);
            }
            if (m.dims == 2) {
                for (int r = 0; r < m.rows; ++r) {
                    for (int c = 0; c < m.cols; ++c) {
                        m.at<float>(r, c) = nextValue();
                    }
                }
            } else {
                auto* p = m.ptr<float>();
                for (std::size_t i = 0; i < m.total(); ++i) {
                    p[i] = nextValue();
                }
            }
            outputs.push_back(m);
        }
    }
    const bool shouldReject = wrongSize || nmsIou > 1.0f;
    litefer::core::Faces faces;
    try {
        faces = litefer::core::decodeYuNet(outputs, inputSize, scoreThreshold, nmsIou, topK);
    } catch (const std::invalid_argument&) {
        if (!shouldReject) {
            contractViolation("decodeYuNet rejected valid outputs");
        }
        return 0;
    }
    if (shouldReject) {
        contractViolation("decodeYuNet accepted invalid outputs");
    }
    if (topK > 0 && faces.size() > static_cast<std::size_t>(topK)) {
        contractViolation("decodeYuNet returned more than topK faces");
    }
    for (std::size_t i = 0; i < faces.size(); ++i) {
        const auto& f = faces[i];
        if (!(f.score > 0.0f && f.score <= 1.0f) || !std::isfinite(f.box.x) ||
            !std::isfinite(f.box.y) || !std::isfinite(f.box.width) ||
            !std::isfinite(f.box.height)) {
            contractViolation("decodeYuNet returned a face with a bad score or box");
        }
        if (i > 0 && faces[i - 1].score < f.score) {
            contractViolation("decodeYuNet faces not ordered best first");
        }
    }
    return 0;
}
