#pragma once
// The one preprocessing step between 48x48 grey pixels and a network input, shared by training,
// evaluation and the live classifier (a known cause of "it always says neutral" in other FER
// apps is training and inference preprocessing that silently differ).
#include <torch/torch.h>

#include <cstdint>

#include "litefer/manifest.h"

namespace litefer::nn {

/// `pixels`: `count` images of 48x48 uint8 grey values, row-major, contiguous.
/// Returns float32 [count, 1, 48, 48] = (pixel / 255 - mean) / std on the CPU.
torch::Tensor pixelsToInput(const std::uint8_t* pixels, std::int64_t count,
                            const Normalization& norm);

/// Same for a uint8 tensor [N, 48, 48] or [N, 1, 48, 48] on any device.
torch::Tensor normalizePixels(const torch::Tensor& pixels, const Normalization& norm);

/// A fixed, deterministic 1x1x48x48 test image (a textured gradient), normalised with `norm`.
/// Model files store the logits for it and loading checks them.
torch::Tensor probeInput(const Normalization& norm);

}  // namespace litefer::nn
