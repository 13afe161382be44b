#pragma once
// Packed splits of pure noise for trainer tests: only memorisation can fit them.
#include <random>
#include <string>
#include <vector>

#include "litefer/packed_dataset.h"

namespace litefer::test {

/// Writes `n` 48x48 images of uniform noise, labelled i % 7, as split `split` to `path`.
inline void writeNoisePack(const std::string& path, int n, unsigned seed,
                           const std::string& split = "train") {
    PackedDataset d;
    d.split = split;
    d.source = "test noise";
    std::mt19937 rng(seed);
    std::vector<std::uint8_t> img(kPackImageBytes);
    for (int i = 0; i < n; ++i) {
        for (auto& p : img) {
            p = static_cast<std::uint8_t>(rng() & 0xFF);
        }
        d.add(static_cast<Emotion>(i % 7), img.data());
    }
    writePacked(path, d);
}

}  // namespace litefer::test
