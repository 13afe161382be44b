#pragma once
// Synthetic pipeline results for recorder, reader and viewer tests: classified faces and
// frames built by hand, so that a session can be written with core::SessionRecorder without
// a detector, a model or a video. Every value is given by the caller or stated here; nothing
// is random. Needs litefer_core (not Qt, not LibTorch).
#include <opencv2/core.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "litefer/core/pipeline.h"
#include "litefer/core/tracker.h"
#include "litefer/labels.h"

namespace litefer::test {

/// Probability `p` on `e` and (1 - p) / 6 on each of the other six emotions.
inline EmotionScores oneHot(Emotion e, float p) {
    EmotionScores s{};
    s.fill((1.0f - p) / static_cast<float>(kNumEmotions - 1));
    s[static_cast<std::size_t>(e)] = p;
    return s;
}

/// A tracked face as the pipeline hands it to the recorder: track `id` at `box` (detector
/// score 0.9), scored, raw probabilities oneHot(label, p), smoothed oneHot(label, smoothedP),
/// labelled `label`.
inline core::TrackedFace classifiedFace(int id, const cv::Rect2f& box, Emotion label, float p,
                                        float smoothedP, bool uncertain) {
    core::TrackedFace f;
    f.id = id;
    f.face.box = box;
    f.face.score = 0.9f;
    f.hasScores = true;
    f.raw = oneHot(label, p);
    f.smoothed = oneHot(label, smoothedP);
    f.label = label;
    f.uncertain = uncertain;
    return f;
}

/// Result of frame `id` at `ms` with `faces`, the picture `frame` (shared, not copied; may be
/// empty) and the still's `sourceName` (may be empty).
inline core::FrameResult frameResult(std::uint64_t id, double ms,
                                     std::vector<core::TrackedFace> faces,
                                     const cv::Mat& frame = cv::Mat(),
                                     const std::string& sourceName = "") {
    core::FrameResult r;
    r.frameId = id;
    r.timestampMs = ms;
    r.faces = std::move(faces);
    r.frame = frame;
    r.sourceName = sourceName;
    return r;
}

}  // namespace litefer::test
