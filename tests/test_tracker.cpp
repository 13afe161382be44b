// FaceTracker and EmotionSmoother: ids across misses, several faces, time-based smoothing
// checked against hand computations, dwell time and the uncertain state.
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "litefer/core/tracker.h"

using namespace litefer;
using namespace litefer::core;

namespace {

constexpr double kFrameMs = 1000.0 / 30.0;

Face faceAt(float x, float y, float side = 100.0f) {
    Face f;
    f.box = cv::Rect2f(x, y, side, side);
    f.score = 0.9f;
    return f;
}

EmotionScores oneHot(Emotion e) {
    EmotionScores s{};
    s[static_cast<std::size_t>(e)] = 1.0f;
    return s;
}

float score(const EmotionScores& s, Emotion e) {
    return s[static_cast<std::size_t>(e)];
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// FaceTracker

TEST_CASE("iou of boxes", "[tracker]") {
    CHECK(iou({0, 0, 10, 10}, {0, 0, 10, 10}) == Approx(1.0f));
    CHECK(iou({0, 0, 10, 10}, {5, 0, 10, 10}) == Approx(50.0f / 150.0f));
    CHECK(iou({0, 0, 10, 10}, {20, 0, 10, 10}) == 0.0f);
    CHECK(iou({0, 0, 0, 10}, {0, 0, 0, 10}) == 0.0f);
}

TEST_CASE("a face keeps its id while it moves and through a short miss", "[tracker]") {
    FaceTracker tracker;  // maxMissedMs 500
    double t = 0.0;
    const std::vector<TrackedFace> first = tracker.update({faceAt(100, 100)}, t);
    REQUIRE(first.size() == 1);
    const int id = first[0].id;
    CHECK(first[0].hits == 1);
    CHECK(first[0].firstSeenMs == 0.0);

    for (int i = 1; i <= 10; ++i) {  // drifts 4 px per frame
        t += kFrameMs;
        const auto out = tracker.update({faceAt(100.0f + 4.0f * static_cast<float>(i), 100)}, t);
        REQUIRE(out.size() == 1);
        CHECK(out[0].id == id);
    }
    for (int i = 0; i < 12; ++i) {  // 400 ms without a detection
        t += kFrameMs;
        CHECK(tracker.update({}, t).empty());
    }
    CHECK(tracker.trackCount() == 1);
    t += kFrameMs;
    const auto back = tracker.update({faceAt(145, 102)}, t);
    REQUIRE(back.size() == 1);
    CHECK(back[0].id == id);
    CHECK(back[0].hits == 12);
    CHECK(back[0].face.box.x == 145.0f);
}

TEST_CASE("a face seen again after a long miss gets a new, larger id", "[tracker]") {
    TrackerOptions options;
    options.maxMissedMs = 500.0;
    FaceTracker tracker(options);
    const int id = tracker.update({faceAt(100, 100)}, 0.0).at(0).id;
    tracker.update({}, 300.0);
    CHECK(tracker.trackCount() == 1);
    // 501 ms after it was last seen: the track has ended.
    const auto out = tracker.update({faceAt(100, 100)}, 501.0);
    REQUIRE(out.size() == 1);
    CHECK(out[0].id > id);
    CHECK(out[0].hits == 1);
    CHECK(tracker.trackCount() == 1);

    // Exactly maxMissedMs is still a short miss.
    FaceTracker edge(options);
    const int edgeId = edge.update({faceAt(0, 0)}, 0.0).at(0).id;
    CHECK(edge.update({faceAt(0, 0)}, 500.0).at(0).id == edgeId);
}

TEST_CASE("two faces keep separate ids, whatever their order in the detections", "[tracker]") {
    FaceTracker tracker;
    const auto first = tracker.update({faceAt(50, 100), faceAt(400, 100)}, 0.0);
    REQUIRE(first.size() == 2);
    const int left = first[0].id;
    const int right = first[1].id;
    CHECK(left != right);

    double t = 0.0;
    for (int i = 1; i <= 5; ++i) {
        t += kFrameMs;
        const float dx = 3.0f * static_cast<float>(i);
        // The detector lists them the other way round now.
        const auto out = tracker.update({faceAt(400 - dx, 100), faceAt(50 + dx, 100)}, t);
        REQUIRE(out.size() == 2);
        CHECK(out[0].id == right);
        CHECK(out[1].id == left);
    }
    // One of them disappears for a moment, a third face arrives.
    t += kFrameMs;
    const auto out = tracker.update({faceAt(65, 100), faceAt(220, 300)}, t);
    REQUIRE(out.size() == 2);
    CHECK(out[0].id == left);
    CHECK(out[1].id > right);
    CHECK(tracker.trackCount() == 3);
}

TEST_CASE("a detection overlapping a track too little starts a new track", "[tracker]") {
    TrackerOptions options;
    options.minIou = 0.3f;
    FaceTracker tracker(options);
    const int id = tracker.update({faceAt(0, 0)}, 0.0).at(0).id;
    // Shifted by 60 px of 100: IoU = 40 / 160 = 0.25.
    CHECK(tracker.update({faceAt(60, 0)}, kFrameMs).at(0).id != id);
}

TEST_CASE("ids increase and are never reused, also after clear()", "[tracker]") {
    FaceTracker tracker;
    int last = 0;
    for (int i = 0; i < 5; ++i) {
        const auto out = tracker.update({faceAt(1000.0f * static_cast<float>(i), 0)},
                                        2000.0 * i);  // every face is new
        REQUIRE(out.size() == 1);
        CHECK(out[0].id > last);
        last = out[0].id;
    }
    tracker.clear();
    CHECK(tracker.trackCount() == 0);
    CHECK(tracker.update({faceAt(0, 0)}, 20000.0).at(0).id > last);
}

TEST_CASE("scores must match the faces one to one", "[tracker]") {
    FaceTracker tracker;
    CHECK_THROWS_AS(tracker.update({faceAt(0, 0), faceAt(300, 0)}, 0.0, {oneHot(Emotion::Happy)}),
                    std::invalid_argument);
    CHECK_NOTHROW(tracker.update({faceAt(0, 0)}, 0.0, {}));
}

TEST_CASE("a track carries raw and smoothed scores, and keeps them on unclassified frames",
          "[tracker]") {
    TrackerOptions options;
    options.smoothing.tauMs = 100.0;
    FaceTracker tracker(options);
    auto out = tracker.update({faceAt(0, 0)}, 0.0);
    CHECK_FALSE(out[0].hasScores);
    CHECK(out[0].uncertain);

    out = tracker.update({faceAt(0, 0)}, 10.0, {oneHot(Emotion::Happy)});
    CHECK(out[0].hasScores);
    CHECK(out[0].label == Emotion::Happy);
    CHECK(score(out[0].smoothed, Emotion::Happy) == 1.0f);

    out = tracker.update({faceAt(0, 0)}, 110.0, {oneHot(Emotion::Sad)});
    CHECK(score(out[0].raw, Emotion::Sad) == 1.0f);
    const float sad = score(out[0].smoothed, Emotion::Sad);
    CHECK(sad == Approx(1.0 - std::exp(-1.0)));

    out = tracker.update({faceAt(0, 0)}, 150.0);  // not classified this frame
    CHECK(score(out[0].raw, Emotion::Sad) == 1.0f);
    CHECK(score(out[0].smoothed, Emotion::Sad) == sad);
}

// ---------------------------------------------------------------------------------------------
// EmotionSmoother

TEST_CASE("smoothing follows alpha = 1 - exp(-dt / tau) on the timestamps", "[smoother]") {
    SmootherOptions options;
    options.tauMs = 100.0;
    EmotionSmoother s(options);
    CHECK_FALSE(s.hasValue());

    s.update(oneHot(Emotion::Happy), 1000.0);  // the first result is taken as it is
    CHECK(score(s.smoothed(), Emotion::Happy) == 1.0f);

    // dt 50: alpha = 1 - e^-0.5 = 0.393469
    s.update(oneHot(Emotion::Sad), 1050.0);
    CHECK(score(s.smoothed(), Emotion::Sad) == Approx(0.393469).epsilon(1e-5));
    CHECK(score(s.smoothed(), Emotion::Happy) == Approx(0.606531).epsilon(1e-5));

    // dt 100: alpha = 1 - e^-1 = 0.632121; sad = 0.393469 + 0.632121 * (1 - 0.393469)
    s.update(oneHot(Emotion::Sad), 1150.0);
    CHECK(score(s.smoothed(), Emotion::Sad) == Approx(0.776870).epsilon(1e-5));
    CHECK(score(s.smoothed(), Emotion::Happy) == Approx(0.223130).epsilon(1e-5));
    CHECK(score(s.raw(), Emotion::Sad) == 1.0f);

    // A timestamp that does not advance changes nothing.
    s.update(oneHot(Emotion::Angry), 1150.0);
    s.update(oneHot(Emotion::Angry), 1100.0);
    CHECK(score(s.smoothed(), Emotion::Angry) == 0.0f);
    CHECK(score(s.smoothed(), Emotion::Sad) == Approx(0.776870).epsilon(1e-5));
}

TEST_CASE("smoothing depends on elapsed time, not on the frame rate", "[smoother]") {
    SmootherOptions options;
    options.tauMs = 200.0;
    EmotionSmoother at10(options);
    EmotionSmoother at30(options);
    at10.update(oneHot(Emotion::Neutral), 0.0);
    at30.update(oneHot(Emotion::Neutral), 0.0);
    for (int i = 1; i <= 3; ++i) {
        at10.update(oneHot(Emotion::Surprise), 100.0 * i);
    }
    for (int i = 1; i <= 9; ++i) {
        at30.update(oneHot(Emotion::Surprise), 100.0 * i / 3.0);
    }
    const double expected = 1.0 - std::exp(-300.0 / 200.0);
    CHECK(score(at10.smoothed(), Emotion::Surprise) == Approx(expected).epsilon(1e-5));
    CHECK(score(at30.smoothed(), Emotion::Surprise) == Approx(expected).epsilon(1e-5));
}

TEST_CASE("tau 0 turns smoothing off", "[smoother]") {
    SmootherOptions options;
    options.tauMs = 0.0;
    EmotionSmoother s(options);
    s.update(oneHot(Emotion::Happy), 0.0);
    s.update(oneHot(Emotion::Fear), 1.0);
    CHECK(s.smoothed() == oneHot(Emotion::Fear));
}

TEST_CASE("the shown label changes only after the new one has led for the dwell time",
          "[smoother]") {
    SmootherOptions options;
    options.tauMs = 0.0;  // isolate the dwell logic
    options.minDwellMs = 300.0;
    EmotionSmoother s(options);
    s.update(oneHot(Emotion::Happy), 0.0);
    CHECK(s.label() == Emotion::Happy);  // the first label is shown at once

    // A 200 ms blip of sad never shows.
    s.update(oneHot(Emotion::Sad), 100.0);
    s.update(oneHot(Emotion::Sad), 300.0);
    CHECK(s.label() == Emotion::Happy);
    s.update(oneHot(Emotion::Happy), 350.0);
    CHECK(s.label() == Emotion::Happy);

    // Sad from 400 ms on shows at 700 ms, not before.
    s.update(oneHot(Emotion::Sad), 400.0);
    s.update(oneHot(Emotion::Sad), 600.0);
    s.update(oneHot(Emotion::Sad), 699.0);
    CHECK(s.label() == Emotion::Happy);
    s.update(oneHot(Emotion::Sad), 700.0);
    CHECK(s.label() == Emotion::Sad);

    SmootherOptions immediate = options;
    immediate.minDwellMs = 0.0;
    EmotionSmoother fast(immediate);
    fast.update(oneHot(Emotion::Happy), 0.0);
    fast.update(oneHot(Emotion::Sad), 10.0);
    CHECK(fast.label() == Emotion::Sad);
}

TEST_CASE("the state is uncertain when the top score is low or barely leads", "[smoother]") {
    SmootherOptions options;
    options.minTopProbability = 0.4f;
    options.minMargin = 0.1f;
    EmotionSmoother s(options);
    CHECK(s.uncertain());  // nothing seen yet

    s.update({0.7f, 0.05f, 0.05f, 0.05f, 0.05f, 0.05f, 0.05f}, 0.0);
    CHECK_FALSE(s.uncertain());
    s.reset();
    s.update({0.35f, 0.1f, 0.1f, 0.15f, 0.1f, 0.1f, 0.1f}, 0.0);  // top below 0.4
    CHECK(s.uncertain());
    s.reset();
    s.update({0.5f, 0.0f, 0.0f, 0.45f, 0.0f, 0.0f, 0.05f}, 0.0);  // leads by 0.05
    CHECK(s.uncertain());
    s.reset();
    s.update({0.5f, 0.0f, 0.0f, 0.35f, 0.0f, 0.0f, 0.15f}, 0.0);  // leads by 0.15
    CHECK_FALSE(s.uncertain());
    CHECK(s.label() == Emotion::Angry);
}

TEST_CASE("reset forgets the history", "[smoother]") {
    EmotionSmoother s;
    s.update(oneHot(Emotion::Happy), 0.0);
    s.reset();
    CHECK_FALSE(s.hasValue());
    s.update(oneHot(Emotion::Sad), 5.0);
    CHECK(s.smoothed() == oneHot(Emotion::Sad));
    CHECK(s.label() == Emotion::Sad);
}
