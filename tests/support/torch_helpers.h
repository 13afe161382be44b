#pragma once
// Test helpers for networks: deterministic non-trivial batch-norm statistics, so that folding
// and weight-copy tests cannot pass by accident with identity BN.
//
// Include this header BEFORE <catch2/catch.hpp>: Debian's LibTorch pulls in glog, whose CHECK
// macro (abort on failure) would otherwise silently replace Catch's CHECK.
#ifdef CATCH_VERSION_MAJOR
#error "include support/torch_helpers.h before catch2/catch.hpp"
#endif
#include <torch/torch.h>
#undef CHECK

#include "litefer/nn/network.h"

namespace litefer::test {

/// Gives every BN (ours and torch::nn::BatchNorm2d) random affine parameters and running
/// statistics from the current torch seed.
inline void randomizeBatchNorm(torch::nn::Module& net) {
    torch::NoGradGuard noGrad;
    for (auto& p : net.named_parameters(true)) {
        const auto& k = p.key();
        if (k.find("bn_weight") != std::string::npos || k.find("bn.weight") != std::string::npos ||
            k.find("final_bn.weight") != std::string::npos) {
            p.value().uniform_(0.5, 1.5);
        } else if (k.find("bn_bias") != std::string::npos ||
                   k.find("bn.bias") != std::string::npos) {
            p.value().uniform_(-0.2, 0.2);
        }
    }
    for (auto& b : net.named_buffers(true)) {
        const auto& k = b.key();
        if (k.find("bn_mean") != std::string::npos || k.find("running_mean") != std::string::npos) {
            b.value().uniform_(-0.2, 0.2);
        } else if (k.find("bn_var") != std::string::npos ||
                   k.find("running_var") != std::string::npos) {
            b.value().uniform_(0.5, 2.0);
        }
    }
}

}  // namespace litefer::test

namespace litefer::test {

/// Fills every parameter and buffer with a fixed function of its position (no RNG), so that a
/// network's outputs can be pinned across machines and LibTorch versions.
inline void deterministicInit(torch::nn::Module& net) {
    torch::NoGradGuard noGrad;
    double phase = 0.0;
    auto fill = [&phase](torch::Tensor& t, double scale, double offset) {
        auto idx = torch::arange(t.numel(), torch::kFloat64);
        t.copy_((torch::sin(idx * 0.7311 + phase) * scale + offset).reshape(t.sizes()));
        phase += 1.0;
    };
    for (auto& p : net.named_parameters(true)) {
        const auto& k = p.key();
        const bool bnWeight =
            k.find("bn_weight") != std::string::npos || k.find("bn.weight") != std::string::npos;
        const double fanIn = p.value().dim() > 1 ? static_cast<double>(p.value()[0].numel()) : 1.0;
        fill(p.value(), bnWeight ? 0.2 : 1.0 / std::sqrt(fanIn), bnWeight ? 1.0 : 0.0);
    }
    for (auto& b : net.named_buffers(true)) {
        const bool var = b.key().find("var") != std::string::npos;
        fill(b.value(), var ? 0.3 : 0.05, var ? 1.0 : 0.0);
    }
}

}  // namespace litefer::test
