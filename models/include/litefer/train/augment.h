#pragma once
// Training-time augmentation on normalised batches: random shift, zoom, rotation and
// horizontal flip as one affine warp per image (bilinear, border padding), then random erasing.
// Every random draw comes from the caller's generator, so a seeded run is reproducible, and a
// resumed run draws exactly what the uninterrupted one would have.
#include <torch/torch.h>

#include <random>

namespace litefer::train {

struct AugmentOptions {
    bool enabled = true;
    double maxShift = 0.10;        ///< fraction of the side, each axis
    double maxRotationDeg = 10.0;  ///< uniform in [-max, max]
    double minScale = 0.95;        ///< zoom factor range (> 1 zooms in); covers ten-crop's 48/44
    double maxScale = 1.10;
    bool horizontalFlip = true;  ///< probability 0.5
    double eraseProbability = 0.5;
    double eraseMinArea = 0.02;  ///< fraction of the image
    double eraseMaxArea = 0.15;
};

/// x: [B, 1, 48, 48] float (normalised). Returns a new tensor of the same shape and device.
torch::Tensor augmentBatch(const torch::Tensor& x, const AugmentOptions& options,
                           std::mt19937_64& rng);

}  // namespace litefer::train
