#pragma once
// The seven basic expressions in FER2013 label order. This table is the single source of the
// canonical order: model files, datasets, probabilities and CSV columns all follow it.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace litefer {

inline constexpr std::size_t kNumEmotions = 7;

enum class Emotion : int { Angry = 0, Disgust, Fear, Happy, Sad, Surprise, Neutral };

/// Lower-case names in canonical order (FER2013 ids 0..6).
inline constexpr std::array<std::string_view, kNumEmotions> kEmotionNames = {
    "angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"};

/// Seven probabilities (or any per-class values) in canonical order.
using EmotionScores = std::array<float, kNumEmotions>;

inline constexpr std::string_view emotionName(Emotion e) {
    return kEmotionNames[static_cast<std::size_t>(e)];
}

/// Exact canonical name -> emotion; no synonyms (see dataset class mapping for those).
std::optional<Emotion> emotionFromName(std::string_view name);

/// Index of the largest score (ties: the lowest index).
std::size_t argmax(const EmotionScores& scores);

}  // namespace litefer
