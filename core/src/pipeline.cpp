#include "litefer/core/pipeline.h"

#include <chrono>
#include <exception>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include "litefer/core/emotion_classifier.h"
#include "litefer/core/latest_slot.h"

namespace litefer::core {

namespace {

using Clock = std::chrono::steady_clock;

/// How often the processing loop wakes without a frame to check stop() and the watchdog.
constexpr std::chrono::milliseconds kPollInterval{50};

double msBetween(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

std::int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
}

std::string describeSource(const FrameSource& source) {
    return std::string(sourceKindName(source.info().kind)) + " " + source.info().spec;
}

}  // namespace

std::string_view endReasonName(EndReason reason) {
    switch (reason) {
        case EndReason::SourceEnded:
            return "source ended";
        case EndReason::SourceLost:
            return "source lost";
        case EndReason::Stopped:
            return "stopped";
    }
    return "unknown";
}

Pipeline::Pipeline(std::unique_ptr<FaceDetector> detector,
                   std::unique_ptr<EmotionClassifier> classifier, const PipelineOptions& options)
    : detector_(std::move(detector)),
      classifier_(std::move(classifier)),
      options_(options),
      tracker_(options.tracker) {
    if (!detector_) {
        throw std::invalid_argument("Pipeline: a face detector is required");
    }
}

Pipeline::~Pipeline() = default;

void Pipeline::stop() noexcept {
    stop_.store(true, std::memory_order_release);
}

bool Pipeline::stopRequested() const noexcept {
    return stop_.load(std::memory_order_acquire);
}

FrameResult Pipeline::process(const Frame& frame) {
    FrameResult result;
    result.frameId = frame.id;
    result.timestampMs = frame.timestampMs;
    result.sourceName = frame.sourceName;
    result.frame = frame.bgr;
    StageTimings& t = result.timings;
    t.captureMs = frame.readMs;

    const auto t0 = Clock::now();
    if (frame.capturedAt != Clock::time_point{}) {
        t.waitMs = std::max(0.0, msBetween(frame.capturedAt, t0));
    }
    Faces detected = detector_->detect(frame.bgr);
    const auto t1 = Clock::now();

    Faces faces;
    std::vector<cv::Mat> crops;
    faces.reserve(detected.size());
    crops.reserve(detected.size());
    for (auto& face : detected) {
        cv::Mat crop = alignFace(frame.bgr, face, options_.align);
        if (!crop.empty()) {  // degenerate or off-frame: nothing to classify or track
            crops.push_back(std::move(crop));
            faces.push_back(std::move(face));
        }
    }
    const auto t2 = Clock::now();

    std::vector<EmotionScores> scores;
    if (classifier_ && !crops.empty()) {
        scores = classifier_->classify(crops);  // all faces of the frame in one batch
    }
    const auto t3 = Clock::now();

    result.faces = tracker_.update(faces, frame.timestampMs, scores);
    const auto t4 = Clock::now();

    t.detectMs = msBetween(t0, t1);
    t.alignMs = msBetween(t1, t2);
    t.classifyMs = msBetween(t2, t3);
    t.trackMs = msBetween(t3, t4);
    t.totalMs = msBetween(t0, t4);
    t.latencyMs = t.waitMs + t.totalMs;
    return result;
}

RunSummary Pipeline::finish(RunSummary summary, FrameSource& source) {
    source.close();
    stop_.store(false, std::memory_order_release);
    return summary;
}

RunSummary Pipeline::runEveryFrame(FrameSource& source, const ResultCallback& onResult) {
    const auto start = Clock::now();
    RunSummary summary;
    const bool live = source.info().live;
    try {
        while (true) {
            if (stopRequested()) {
                summary.reason = EndReason::Stopped;
                summary.message = "stopped on request";
                break;
            }
            Frame frame;
            bool got = false;
            try {
                got = source.read(frame);
            } catch (const std::exception& e) {  // a read failure ends the run, as in run()
                summary.reason = EndReason::SourceLost;
                summary.message = "reading " + describeSource(source) + " failed: " + e.what();
                break;
            }
            if (!got) {
                summary.reason = live ? EndReason::SourceLost : EndReason::SourceEnded;
                summary.message = live ? describeSource(source) + " stopped delivering frames"
                                       : "end of " + describeSource(source);
                break;
            }
            ++summary.counters.captured;
            FrameResult result = process(frame);
            ++summary.counters.processed;
            result.counters = summary.counters;
            if (onResult) {
                onResult(result);
            }
        }
    } catch (...) {
        source.close();
        stop_.store(false, std::memory_order_release);
        throw;
    }
    summary.wallMs = msBetween(start, Clock::now());
    return finish(std::move(summary), source);
}

RunSummary Pipeline::run(FrameSource& source, const ResultCallback& onResult) {
    const auto start = Clock::now();
    LatestSlot<Frame> slot;
    std::atomic<bool> captureDone{false};
    std::atomic<bool> captureStop{false};
    std::atomic<std::int64_t> lastFrameNs{nowNs()};
    std::mutex errorMutex;
    std::string captureError;  // guarded by errorMutex

    // Capture: drain the source continuously so the slot always holds the newest frame.
    std::thread capture([&] {
        try {
            while (!captureStop.load(std::memory_order_acquire)) {
                Frame frame;
                if (!source.read(frame)) {
                    break;
                }
                lastFrameNs.store(nowNs(), std::memory_order_release);
                if (!slot.put(std::move(frame))) {
                    break;  // closed: the run is ending; the frame is not counted as captured
                }
            }
        } catch (const std::exception& e) {
            std::lock_guard<std::mutex> lock(errorMutex);
            captureError = e.what();
        } catch (...) {
            std::lock_guard<std::mutex> lock(errorMutex);
            captureError = "unknown error while reading the source";
        }
        captureDone.store(true, std::memory_order_release);
        slot.close();  // wakes the processing loop; a frame still in the slot is drained
    });

    // Ordered shutdown, also on exceptions: stop capturing, close the slot, join, close source.
    auto shutdown = [&] {
        captureStop.store(true, std::memory_order_release);
        slot.close();
        if (capture.joinable()) {
            capture.join();
        }
    };

    RunSummary summary;
    PipelineCounters counters;
    const bool live = source.info().live;
    try {
        while (true) {
            if (stopRequested()) {
                summary.reason = EndReason::Stopped;
                summary.message = "stopped on request";
                break;
            }
            std::optional<Frame> frame = slot.take(kPollInterval);
            if (!frame) {
                if (slot.closed()) {  // capture ended and the slot is drained
                    std::lock_guard<std::mutex> lock(errorMutex);
                    if (!captureError.empty()) {
                        summary.reason = EndReason::SourceLost;
                        summary.message =
                            "reading " + describeSource(source) + " failed: " + captureError;
                    } else if (live) {
                        summary.reason = EndReason::SourceLost;
                        summary.message = describeSource(source) + " stopped delivering frames";
                    } else {
                        summary.reason = EndReason::SourceEnded;
                        summary.message = "end of " + describeSource(source);
                    }
                    break;
                }
                const double silentMs =
                    static_cast<double>(nowNs() - lastFrameNs.load(std::memory_order_acquire)) /
                    1e6;
                if (live && silentMs > options_.watchdogMs) {
                    std::ostringstream msg;
                    msg.precision(2);
                    msg << std::fixed << "no frame for " << silentMs / 1000.0 << " s from "
                        << describeSource(source) << " (disconnected or stalled)";
                    summary.reason = EndReason::SourceLost;
                    summary.message = msg.str();
                    break;
                }
                continue;
            }
            FrameResult result = process(*frame);
            ++counters.processed;
            counters.captured = slot.accepted();
            counters.dropped = slot.dropped();
            result.counters = counters;
            if (onResult) {
                onResult(result);
            }
        }
    } catch (...) {
        shutdown();
        source.close();
        stop_.store(false, std::memory_order_release);
        throw;
    }
    shutdown();
    // A frame left in the slot when the run was stopped was never processed: it counts as
    // dropped too.
    const std::uint64_t leftover = slot.tryTake() ? 1 : 0;
    counters.captured = slot.accepted();
    counters.dropped = slot.dropped() + leftover;
    summary.counters = counters;
    summary.wallMs = msBetween(start, Clock::now());
    return finish(std::move(summary), source);
}

}  // namespace litefer::core
