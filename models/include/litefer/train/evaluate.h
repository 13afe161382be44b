#pragma once
// Evaluation of a network on a packed split, with optional test-time augmentation.
#include <torch/torch.h>

#include <string>

#include "litefer/manifest.h"
#include "litefer/metrics.h"
#include "litefer/nn/network.h"
#include "litefer/packed_dataset.h"

namespace litefer::train {

enum class Tta {
    None,     ///< the image as is
    Flip,     ///< mean softmax of the image and its mirror
    TenCrop,  ///< mean softmax of 44x44 crops (4 corners + centre) and their mirrors, each
              ///< resized back to 48x48
};

Tta parseTta(const std::string& name);  ///< "none" | "flip" | "tencrop"; throws otherwise
std::string ttaName(Tta tta);

/// Softmax probabilities [N, 7] (CPU, float32) for every image of `data`. `net` must already be
/// on `device`; it is put in eval mode.
torch::Tensor predict(nn::NetworkImpl& net, const PackedDataset& data, const Normalization& norm,
                      Tta tta, torch::Device device, std::int64_t batchSize = 256);

/// The views that `tta` averages over, for a batch x [B,1,48,48]: [V*B, 1, 48, 48].
torch::Tensor ttaViews(const torch::Tensor& x, Tta tta);

Metrics metricsFromProbabilities(const torch::Tensor& probs, const PackedDataset& data);

}  // namespace litefer::train
