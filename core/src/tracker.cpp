#include "litefer/core/tracker.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <tuple>

namespace litefer::core {

// ---------------------------------------------------------------------------------------------
// EmotionSmoother

EmotionSmoother::EmotionSmoother(const SmootherOptions& options) : options_(options) {}

void EmotionSmoother::reset() {
    *this = EmotionSmoother(options_);
}

void EmotionSmoother::update(const EmotionScores& raw, double timestampMs) {
    raw_ = raw;
    if (!hasValue_) {
        hasValue_ = true;
        lastMs_ = timestampMs;
        smoothed_ = raw;
        label_ = candidate_ = static_cast<Emotion>(argmax(smoothed_));
        candidateSinceMs_ = timestampMs;
    } else {
        const double dt = timestampMs - lastMs_;
        if (dt > 0.0) {
            // First-order low-pass filter sampled at irregular times: the exact discrete form
            // of ds/dt = (raw - s) / tau with raw held over the interval.
            const double alpha = options_.tauMs > 0.0 ? 1.0 - std::exp(-dt / options_.tauMs) : 1.0;
            const float a = static_cast<float>(alpha);
            for (std::size_t i = 0; i < kNumEmotions; ++i) {
                smoothed_[i] += a * (raw[i] - smoothed_[i]);
            }
            lastMs_ = timestampMs;
        }
        const auto top = static_cast<Emotion>(argmax(smoothed_));
        if (top != candidate_) {
            candidate_ = top;
            candidateSinceMs_ = lastMs_;
        }
        if (candidate_ != label_ && lastMs_ - candidateSinceMs_ >= options_.minDwellMs) {
            label_ = candidate_;
        }
    }
    float first = 0.0f;
    float second = 0.0f;
    for (float p : smoothed_) {
        if (p > first) {
            second = first;
            first = p;
        } else if (p > second) {
            second = p;
        }
    }
    uncertain_ = first < options_.minTopProbability || first - second < options_.minMargin;
}

// ---------------------------------------------------------------------------------------------
// FaceTracker

float iou(const cv::Rect2f& a, const cv::Rect2f& b) {
    if (a.width <= 0.0f || a.height <= 0.0f || b.width <= 0.0f || b.height <= 0.0f) {
        return 0.0f;
    }
    const float inter = (a & b).area();
    const float uni = a.area() + b.area() - inter;
    return uni > 0.0f ? inter / uni : 0.0f;
}

FaceTracker::FaceTracker(const TrackerOptions& options) : options_(options) {}

void FaceTracker::clear() {
    tracks_.clear();
}

std::vector<TrackedFace> FaceTracker::update(const Faces& faces, double timestampMs,
                                             const std::vector<EmotionScores>& scores) {
    if (!scores.empty() && scores.size() != faces.size()) {
        throw std::invalid_argument("FaceTracker::update: " + std::to_string(scores.size()) +
                                    " score sets for " + std::to_string(faces.size()) + " faces");
    }
    // End tracks missed for too long, before matching: they cannot be continued any more.
    tracks_.erase(std::remove_if(tracks_.begin(), tracks_.end(),
                                 [&](const Track& t) {
                                     return timestampMs - t.lastSeenMs > options_.maxMissedMs;
                                 }),
                  tracks_.end());

    // Greedy matching on IoU: all pairs above the threshold, best first; a detection and a
    // track are used once. With the few faces of a frame this equals the optimal (Hungarian)
    // assignment except in rare three-way overlaps, where greedy's choice is still sensible.
    std::vector<std::tuple<float, std::size_t, std::size_t>> pairs;  // iou, track, face
    for (std::size_t t = 0; t < tracks_.size(); ++t) {
        for (std::size_t f = 0; f < faces.size(); ++f) {
            const float overlap = iou(tracks_[t].face.box, faces[f].box);
            if (overlap >= options_.minIou) {
                pairs.emplace_back(overlap, t, f);
            }
        }
    }
    std::stable_sort(pairs.begin(), pairs.end(),
                     [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
    constexpr std::size_t kNone = static_cast<std::size_t>(-1);
    std::vector<std::size_t> trackOfFace(faces.size(), kNone);
    std::vector<bool> trackUsed(tracks_.size(), false);
    for (const auto& [overlap, t, f] : pairs) {
        if (!trackUsed[t] && trackOfFace[f] == kNone) {
            trackUsed[t] = true;
            trackOfFace[f] = t;
        }
    }
    for (std::size_t f = 0; f < faces.size(); ++f) {
        if (trackOfFace[f] == kNone) {
            Track track;
            track.id = nextId_++;
            track.firstSeenMs = timestampMs;
            track.smoother = EmotionSmoother(options_.smoothing);
            tracks_.push_back(track);
            trackOfFace[f] = tracks_.size() - 1;
        }
    }

    std::vector<TrackedFace> out;
    out.reserve(faces.size());
    for (std::size_t f = 0; f < faces.size(); ++f) {
        Track& track = tracks_[trackOfFace[f]];
        track.face = faces[f];
        track.lastSeenMs = timestampMs;
        ++track.hits;
        if (!scores.empty()) {
            track.smoother.update(scores[f], timestampMs);
        }
        TrackedFace tf;
        tf.id = track.id;
        tf.face = faces[f];
        tf.hasScores = track.smoother.hasValue();
        tf.raw = track.smoother.raw();
        tf.smoothed = track.smoother.smoothed();
        tf.label = track.smoother.label();
        tf.uncertain = track.smoother.uncertain();
        tf.firstSeenMs = track.firstSeenMs;
        tf.hits = track.hits;
        out.push_back(tf);
    }
    return out;
}

}  // namespace litefer::core
