#include "litefer/ui/video_frame_convert.h"

#include <QImage>
#include <QVideoFrame>
#include <QVideoFrameFormat>

#include <opencv2/imgproc.hpp>

namespace litefer::ui {

namespace {

/// OpenCV's code for a packed single-plane format, or -1.
int packedCode(QVideoFrameFormat::PixelFormat format) {
    switch (format) {
        case QVideoFrameFormat::Format_YUYV:
            return cv::COLOR_YUV2BGR_YUYV;
        case QVideoFrameFormat::Format_UYVY:
            return cv::COLOR_YUV2BGR_UYVY;
        case QVideoFrameFormat::Format_BGRA8888:
        case QVideoFrameFormat::Format_BGRX8888:
            return cv::COLOR_BGRA2BGR;
        case QVideoFrameFormat::Format_RGBA8888:
        case QVideoFrameFormat::Format_RGBX8888:
            return cv::COLOR_RGBA2BGR;
        case QVideoFrameFormat::Format_Y8:
            return cv::COLOR_GRAY2BGR;
        default:
            return -1;
    }
}

/// OpenCV's code for a two-plane (Y + interleaved chroma) format, or -1.
int twoPlaneCode(QVideoFrameFormat::PixelFormat format) {
    switch (format) {
        case QVideoFrameFormat::Format_NV12:
            return cv::COLOR_YUV2BGR_NV12;
        case QVideoFrameFormat::Format_NV21:
            return cv::COLOR_YUV2BGR_NV21;
        default:
            return -1;
    }
}

int packedChannels(QVideoFrameFormat::PixelFormat format) {
    switch (format) {
        case QVideoFrameFormat::Format_YUYV:
        case QVideoFrameFormat::Format_UYVY:
            return 2;
        case QVideoFrameFormat::Format_Y8:
            return 1;
        default:
            return 4;
    }
}

cv::Mat viaQImage(const QVideoFrame& frame) {
    const QImage image = frame.toImage().convertToFormat(QImage::Format_BGR888);
    if (image.isNull()) {
        return {};
    }
    // constBits() does not detach; clone() makes the Mat own its pixels.
    return cv::Mat(image.height(), image.width(), CV_8UC3, const_cast<uchar*>(image.constBits()),
                   static_cast<std::size_t>(image.bytesPerLine()))
        .clone();
}

}  // namespace

bool hasDirectConversion(const QVideoFrame& frame) {
    const auto format = frame.pixelFormat();
    return packedCode(format) >= 0 || twoPlaneCode(format) >= 0;
}

cv::Mat videoFrameToBgr(const QVideoFrame& input) {
    if (!input.isValid() || input.width() <= 0 || input.height() <= 0) {
        return {};
    }
    if (!hasDirectConversion(input)) {
        return viaQImage(input);
    }
    QVideoFrame frame = input;  // shallow copy: map() needs a non-const frame
    if (!frame.map(QVideoFrame::ReadOnly)) {
        return viaQImage(input);
    }
    const auto format = frame.pixelFormat();
    const int w = frame.width();
    const int h = frame.height();
    cv::Mat bgr;
    try {
        if (const int code = packedCode(format); code >= 0) {
            const cv::Mat packed(h, w, CV_8UC(packedChannels(format)), frame.bits(0),
                                 static_cast<std::size_t>(frame.bytesPerLine(0)));
            cv::cvtColor(packed, bgr, code);
        } else if (const int code2 = twoPlaneCode(format); code2 >= 0 && frame.planeCount() >= 2) {
            const cv::Mat y(h, w, CV_8UC1, frame.bits(0),
                            static_cast<std::size_t>(frame.bytesPerLine(0)));
            const cv::Mat uv(h / 2, w / 2, CV_8UC2, frame.bits(1),
                             static_cast<std::size_t>(frame.bytesPerLine(1)));
            cv::cvtColorTwoPlane(y, uv, bgr, code2);
        }
    } catch (const cv::Exception&) {
        bgr.release();  // odd sizes or strides: fall back below
    }
    frame.unmap();
    return bgr.empty() ? viaQImage(input) : bgr;
}

}  // namespace litefer::ui
