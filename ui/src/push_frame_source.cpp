#include "litefer/ui/push_frame_source.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace litefer::ui {

namespace {

// read() wakes this often to check interrupt() and the stall timeout.
constexpr auto kPoll = std::chrono::milliseconds(50);

std::int64_t steadyNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

PushFrameSource::PushFrameSource(std::string name, cv::Size size, double fps, double stallMs)
    : stallMs_(stallMs), lastPushNs_(steadyNs()) {
    info_.kind = core::SourceKind::Camera;
    info_.spec = std::move(name);
    info_.frameSize = size;
    info_.fps = fps;
    info_.live = true;
}

bool PushFrameSource::push(cv::Mat bgr) {
    if (bgr.empty() || bgr.type() != CV_8UC3) {
        return false;
    }
    const auto now = Clock::now();
    core::Frame frame;
    frame.id = nextId_.fetch_add(1);
    frame.timestampMs = std::chrono::duration<double, std::milli>(now - start_).count();
    frame.bgr = std::move(bgr);
    frame.capturedAt = now;
    if (!slot_.put(std::move(frame))) {
        return false;
    }
    lastPushNs_.store(steadyNs());
    return true;
}

bool PushFrameSource::read(core::Frame& out) {
    const auto start = Clock::now();
    const std::int64_t startNs = steadyNs();
    while (true) {
        if (interrupt_.exchange(false) || slot_.closed()) {
            return false;  // closed: nothing more, not even a frame left in the slot
        }
        std::optional<core::Frame> frame = slot_.take(kPoll);
        if (frame) {
            out = std::move(*frame);
            out.readMs = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
            return true;
        }
        if (slot_.closed()) {
            return false;
        }
        // Silence within this read: since its start or the last push, whichever is later.
        const double silentMs =
            static_cast<double>(steadyNs() - std::max(lastPushNs_.load(), startNs)) / 1e6;
        if (silentMs > stallMs_) {
            return false;
        }
    }
}

void PushFrameSource::interrupt() {
    interrupt_.store(true);
}

void PushFrameSource::clearInterrupt() {
    interrupt_.store(false);
}

void PushFrameSource::close() {
    slot_.close();
}

}  // namespace litefer::ui
