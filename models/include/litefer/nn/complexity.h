#pragma once
// Parameter, multiply-add and depth counting from the layers themselves: a forward pass on one
// 1x1x48x48 image during which every ConvBnAct / BnReluConv / Dense reports its own work.
#include <cstdint>

namespace litefer::nn {

class NetworkImpl;

struct Complexity {
    std::int64_t parameters = 0;  ///< trainable parameters (BN affine included, running stats not)
    std::int64_t macs = 0;        ///< multiply-accumulates per 48x48 image (conv + FC layers)
    int depth = 0;                ///< weight layers on the main path (see ConvSpec::countsDepth)
};

/// Measures `net` on one image. Thread-safe for different networks (the recorder is per thread).
Complexity measureComplexity(NetworkImpl& net);

namespace detail {
/// Called by the layers during forward(); a no-op unless measureComplexity() is running on this
/// thread. `macsPerImage` is the layer's multiply-adds for one image.
void recordLayer(std::int64_t macsPerImage, bool countsDepth);
}  // namespace detail

}  // namespace litefer::nn
