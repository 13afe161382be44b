#pragma once
// PushFrameSource: a core::FrameSource fed from outside (the Qt Multimedia camera's video sink)
// instead of pulling from a device. The camera keeps running under Qt Multimedia on the GUI
// thread; its frames, converted once to BGR (videoFrameToBgr), are push()ed here from the sink's
// thread and read() by the pipeline's capture thread.
//
// Between push() and read() sits a newest-wins slot (core::LatestSlot): a frame not yet read
// when a newer one arrives is dropped and counted, so latency and memory never grow.
//
// read() blocks until a frame arrives, the source is closed, interrupt() is called, or `stallMs`
// pass within the read without a frame (a stalled or unplugged camera: read() then returns
// false and the pipeline's watchdog reports the camera lost). Returning within stallMs keeps the
// pipeline's ordered shutdown (which joins its capture thread) from waiting forever on a dead
// camera.
//
// Thread-safety: push(), interrupt(), close() and the counters may be called from any thread;
// read() from one thread at a time (the pipeline's capture thread).
#include <opencv2/core.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "litefer/core/frame_source.h"
#include "litefer/core/latest_slot.h"

namespace litefer::ui {

class PushFrameSource : public core::FrameSource {
  public:
    /// `name`: the camera's description (SourceInfo::spec); `size`/`fps`: the format asked of
    /// the camera (informational). `stallMs`: see the top of this file; a little above the
    /// pipeline's watchdog (2 s) so that the watchdog names the problem first.
    PushFrameSource(std::string name, cv::Size size, double fps, double stallMs = 2500.0);

    /// Hands a frame over. `bgr` must be 8-bit, 3 channels, owned by the caller's copy (the Mat
    /// is stored as is, not copied). Empty or wrong-typed Mats are ignored. Timestamps: steady
    /// clock since construction. Returns false once closed.
    bool push(cv::Mat bgr);

    bool read(core::Frame& out) override;
    /// Wakes a blocked read(), which returns false (now, or at the next read() if none is
    /// blocked); the source stays open. clearInterrupt() withdraws a pending interrupt.
    void interrupt();
    void clearInterrupt();
    void close() override;
    const core::SourceInfo& info() const override { return info_; }

    bool closed() const { return slot_.closed(); }
    /// Frames accepted by push() so far (the camera's delivered frames).
    std::uint64_t pushed() const { return slot_.accepted(); }
    /// Frames replaced in the slot before read() took them.
    std::uint64_t dropped() const { return slot_.dropped(); }

  private:
    using Clock = std::chrono::steady_clock;

    core::SourceInfo info_;
    double stallMs_;
    Clock::time_point start_ = Clock::now();
    core::LatestSlot<core::Frame> slot_;
    std::atomic<std::uint64_t> nextId_{0};
    std::atomic<bool> interrupt_{false};
    std::atomic<std::int64_t> lastPushNs_;
};

}  // namespace litefer::ui
