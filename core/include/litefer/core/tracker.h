#pragma once
// Face tracking and per-face emotion smoothing.
//
// FaceTracker gives each face a stable id across frames by matching boxes (IoU), keeps the id
// through short detection misses, and runs one EmotionSmoother per track so that the shown
// label neither flickers frame to frame nor lags behind a real change for long.
//
// Time comes from the frames' timestamps (milliseconds on a monotonic clock, or a video's
// presentation time), never from frame counts: smoothing then behaves the same at 10 and at
// 30 fps, and with dropped frames. Neither class is thread-safe: use one instance per thread.
#include <cstddef>
#include <vector>

#include "litefer/core/face.h"
#include "litefer/labels.h"

namespace litefer::core {

/// Emotion smoothing settings.
struct SmootherOptions {
    /// Time constant of the exponential smoothing: a new result gets weight
    /// alpha = 1 - exp(-dt / tauMs), so after tauMs a step change is 63% through. 0: none.
    /// 250 ms averages over ~8 results at 30 fps, yet a held expression is 86% through in 0.5 s.
    double tauMs = 250.0;
    /// The shown label switches only after another label has led the smoothed scores without
    /// interruption for this long. 0: switch at once. 300 ms hides one-off flips near a tie
    /// while a real change still shows within about 0.5 s (plus the smoothing lag).
    double minDwellMs = 300.0;
    /// Uncertain when the top smoothed probability is below this (seven classes: chance is
    /// 0.14) ...
    float minTopProbability = 0.40f;
    /// ... or leads the second by less than this.
    float minMargin = 0.10f;
};

/// Exponentially smoothed emotion probabilities with a dwell time on the shown label.
class EmotionSmoother {
  public:
    explicit EmotionSmoother(const SmootherOptions& options = {});

    /// Adds one result (probabilities in canonical order) taken at `timestampMs`. The first
    /// result is taken as it is; later ones are blended with alpha = 1 - exp(-dt / tau),
    /// dt = timestampMs - the previous timestamp. A timestamp that does not advance (dt <= 0)
    /// gets alpha 0: the scores stay, the result is ignored.
    void update(const EmotionScores& raw, double timestampMs);
    /// Forgets everything: the next update is a first one.
    void reset();

    bool hasValue() const { return hasValue_; }
    /// The last result given to update() (zeros before the first).
    const EmotionScores& raw() const { return raw_; }
    /// The smoothed probabilities (zeros before the first update).
    const EmotionScores& smoothed() const { return smoothed_; }
    /// The label to show: the smoothed argmax, changed only after minDwellMs of lead
    /// (Neutral before the first update).
    Emotion label() const { return label_; }
    /// The smoothed scores are too flat to name an emotion (see SmootherOptions); true before
    /// the first update.
    bool uncertain() const { return uncertain_; }

  private:
    SmootherOptions options_;
    bool hasValue_ = false;
    double lastMs_ = 0.0;
    EmotionScores raw_{};
    EmotionScores smoothed_{};
    Emotion label_ = Emotion::Neutral;
    Emotion candidate_ = Emotion::Neutral;  // the current smoothed argmax
    double candidateSinceMs_ = 0.0;         // since when the candidate has led
    bool uncertain_ = true;
};

/// Tracker settings.
struct TrackerOptions {
    /// A detection continues a track when their boxes overlap at least this much (IoU).
    float minIou = 0.3f;
    /// A track missed for longer than this is ended; a face seen again later gets a new id.
    /// 500 ms bridges blinks, brief turns and detector misses (15 frames at 30 fps).
    double maxMissedMs = 500.0;
    SmootherOptions smoothing;
};

/// One face of the current frame, with its track's identity and emotion state.
struct TrackedFace {
    int id = 0;  ///< stable across frames, increasing, never reused by a tracker
    Face face;
    bool hasScores = false;    ///< the track has received emotion scores at least once
    EmotionScores raw{};       ///< the track's latest classifier result
    EmotionScores smoothed{};  ///< after EmotionSmoother
    Emotion label = Emotion::Neutral;
    bool uncertain = true;
    double firstSeenMs = 0.0;  ///< timestamp of the frame that started the track
    int hits = 0;              ///< frames in which the track was detected, this one included
};

/// Intersection over union of two boxes; 0 when either is empty.
float iou(const cv::Rect2f& a, const cv::Rect2f& b);

class FaceTracker {
  public:
    explicit FaceTracker(const TrackerOptions& options = {});

    /// Feeds one frame's detections. `scores`: empty (not classified this frame: smoothing
    /// state is kept) or one EmotionScores per face, same order. Tracks not seen for more than
    /// maxMissedMs before `timestampMs` are ended first; then detections are matched to the
    /// remaining tracks greedily by descending IoU (each pair at least minIou); unmatched
    /// detections start new tracks. Returns one TrackedFace per detection, in `faces` order.
    /// Throws std::invalid_argument when scores is neither empty nor faces.size() long.
    std::vector<TrackedFace> update(const Faces& faces, double timestampMs,
                                    const std::vector<EmotionScores>& scores = {});

    /// Ends all tracks; ids keep increasing.
    void clear();
    /// Live tracks (seen within maxMissedMs of the last update), including those missed in it.
    std::size_t trackCount() const { return tracks_.size(); }

  private:
    struct Track {
        int id = 0;
        Face face;
        double firstSeenMs = 0.0;
        double lastSeenMs = 0.0;
        int hits = 0;
        EmotionSmoother smoother;
    };
    TrackerOptions options_;
    std::vector<Track> tracks_;
    int nextId_ = 1;
};

}  // namespace litefer::core
