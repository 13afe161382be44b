#pragma once
// QVideoFrame -> cv::Mat (8-bit BGR), the camera path's one conversion (STYLE.md 6).
//
// The pipeline wants 8-bit BGR (core::Frame::bgr; YuNet needs colour). Webcams deliver YUYV or
// NV12 (or MJPEG, decoded by the backend); we map the frame and convert its planes with
// OpenCV's YUV converters directly, instead of QVideoFrame::toImage() (Qt's CPU conversion to
// RGB32, no RHI backend here) followed by a second pass to BGR. Measured on the 2-core dev
// machine at 640x480, 1 OpenCV thread, fresh frames (test_ui "[.bench]", three runs):
//   YUYV -> BGR, cv::cvtColor          0.31-0.39 ms
//   NV12 -> BGR, cv::cvtColorTwoPlane  0.21-0.28 ms
//   toImage() + to BGR888              2.5-2.9 ms
//   luma plane only (wrap + clone)     0.013 ms  (RUNTIME.md's figure; grey is not enough for
//                                                 YuNet, so not used)
// Formats without a direct path fall back to toImage().
//
// Thread-safety: pure function; call it on the thread the frame arrived on.
#include <opencv2/core.hpp>

class QVideoFrame;

namespace litefer::ui {

/// Converts `frame` to a new, owned 8-bit BGR Mat (never sharing the frame's buffer). Returns an
/// empty Mat for an invalid frame or one that cannot be mapped or converted.
cv::Mat videoFrameToBgr(const QVideoFrame& frame);

/// Whether videoFrameToBgr() has a direct (OpenCV) path for this frame's pixel format; false
/// means it goes through QVideoFrame::toImage().
bool hasDirectConversion(const QVideoFrame& frame);

}  // namespace litefer::ui
