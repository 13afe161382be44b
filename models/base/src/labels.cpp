#include "litefer/labels.h"

namespace litefer {

std::optional<Emotion> emotionFromName(std::string_view name) {
    for (std::size_t i = 0; i < kNumEmotions; ++i) {
        if (kEmotionNames[i] == name) {
            return static_cast<Emotion>(i);
        }
    }
    return std::nullopt;
}

std::size_t argmax(const EmotionScores& scores) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < scores.size(); ++i) {
        if (scores[i] > scores[best]) {
            best = i;
        }
    }
    return best;
}

}  // namespace litefer
