#include <catch2/catch.hpp>

#include "litefer/labels.h"

using namespace litefer;

TEST_CASE("labels follow the FER2013 order", "[labels]") {
    REQUIRE(kEmotionNames[0] == "angry");
    REQUIRE(kEmotionNames[3] == "happy");
    REQUIRE(kEmotionNames[6] == "neutral");
    REQUIRE(emotionName(Emotion::Surprise) == "surprise");
}

TEST_CASE("emotion names parse exactly and unknown names are rejected", "[labels]") {
    REQUIRE(emotionFromName("fear") == Emotion::Fear);
    REQUIRE_FALSE(emotionFromName("Fear").has_value());
    REQUIRE_FALSE(emotionFromName("contempt").has_value());
}

TEST_CASE("argmax picks the largest score and the first on ties", "[labels]") {
    REQUIRE(argmax({0.1f, 0.2f, 0.05f, 0.4f, 0.1f, 0.1f, 0.05f}) == 3);
    REQUIRE(argmax({0.5f, 0.5f, 0, 0, 0, 0, 0}) == 0);
}
