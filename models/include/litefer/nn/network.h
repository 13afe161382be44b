#pragma once
// The networks of the poster's Table 1 plus LiteFER's own CPU-trainable network, all for
// 1x48x48 grayscale input (normalised, see input.h) and 7 logits in canonical label order.
// docs/networks.md explains each reading and its parameter count.
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "litefer/nn/layers.h"

namespace litefer::nn {

inline constexpr std::int64_t kInputSide = 48;
inline constexpr std::int64_t kNumClasses = 7;

/// Base of every network: forward() maps [N,1,48,48] normalised input to [N,7] logits.
class NetworkImpl : public torch::nn::Module {
  public:
    explicit NetworkImpl(std::string architecture) : architecture_(std::move(architecture)) {}
    virtual torch::Tensor forward(torch::Tensor x) = 0;
    const std::string& architecture() const { return architecture_; }

  private:
    std::string architecture_;
};
using Network = std::shared_ptr<NetworkImpl>;

/// A VGG stage: two 3x3 conv+BN+ReLU layers then 2x2 max-pool.
class VggBlockImpl : public torch::nn::Module {
  public:
    VggBlockImpl(std::int64_t in, std::int64_t out);
    torch::Tensor forward(const torch::Tensor& x);

  private:
    ConvBnAct conv1_{nullptr}, conv2_{nullptr};
};
TORCH_MODULE(VggBlock);

/// VGG-pretrain (READING.md): 4 VGG blocks (64,128,256,512), FC 4608->1024, dropout, FC 1024->7.
class VggPretrainImpl : public NetworkImpl {
  public:
    VggPretrainImpl();
    torch::Tensor forward(torch::Tensor x) override;
    /// Output of the first `count` blocks (what a retrained network keeps).
    torch::Tensor blockFeatures(const torch::Tensor& x, int count);
    static constexpr std::int64_t kBlockWidths[4] = {64, 128, 256, 512};

  private:
    torch::nn::ModuleList blocks_{nullptr};
    Dense fc1_{nullptr}, fc2_{nullptr};
    torch::nn::Dropout dropout_{nullptr};
};

/// VGG-retrain v1/v2: the first `keptBlocks` blocks of VGG-pretrain (parameter names
/// `blocks.<i>.*`, identical to VGG-pretrain's so weights copy by name), then depthwise-separable
/// blocks, global average pooling and one FC layer.
class VggRetrainImpl : public NetworkImpl {
  public:
    enum class Variant { V1, V2 };
    explicit VggRetrainImpl(Variant variant);
    torch::Tensor forward(torch::Tensor x) override;

    /// Output of the kept VGG blocks only.
    torch::Tensor keptFeatures(const torch::Tensor& x);
    int keptBlocks() const { return static_cast<int>(blocks_->size()); }

    /// Copies every parameter and buffer of the kept blocks from `pretrain` (exact copy).
    /// Throws if `pretrain` is not a VGG-pretrain network.
    void copyKeptBlocksFrom(NetworkImpl& pretrain);
    /// Freezes the kept blocks: no gradients, and their BN stays in eval mode during training.
    void freezeKeptBlocks(bool frozen);
    bool keptBlocksFrozen() const { return frozen_; }
    void train(bool on = true) override;

  private:
    torch::nn::ModuleList blocks_{nullptr};
    torch::nn::ModuleList head_{nullptr};
    std::vector<bool> poolAfter_;
    Dense fc_{nullptr};
    torch::nn::Dropout dropout_{nullptr};
    bool frozen_ = false;
};

class MobileNetImpl : public NetworkImpl {
  public:
    MobileNetImpl();
    torch::Tensor forward(torch::Tensor x) override;

  private:
    ConvBnAct stem_{nullptr};
    torch::nn::ModuleList blocks_{nullptr};
    Dense fc_{nullptr};
    torch::nn::Dropout dropout_{nullptr};
};

class MobileNetV2Impl : public NetworkImpl {
  public:
    MobileNetV2Impl();
    torch::Tensor forward(torch::Tensor x) override;

  private:
    ConvBnAct stem_{nullptr}, last_{nullptr};
    torch::nn::ModuleList blocks_{nullptr};
    Dense fc_{nullptr};
    torch::nn::Dropout dropout_{nullptr};
};

class DenseNet40Impl : public NetworkImpl {
  public:
    DenseNet40Impl();
    torch::Tensor forward(torch::Tensor x) override;

  private:
    ConvBnAct stem_{nullptr};
    torch::nn::ModuleList blocks_{nullptr};       // 3 x 12 BnReluConv layers (flattened)
    torch::nn::ModuleList transitions_{nullptr};  // 2 BnReluConv 1x1
    torch::nn::BatchNorm2d finalBn_{nullptr};
    Dense fc_{nullptr};
};

class XceptionImpl : public NetworkImpl {
  public:
    XceptionImpl();
    torch::Tensor forward(torch::Tensor x) override;

  private:
    ConvBnAct conv1_{nullptr}, conv2_{nullptr};
    torch::nn::ModuleList entry_{nullptr};   // blocks 2-4 and 13: two separable convs + shortcut
    torch::nn::ModuleList middle_{nullptr};  // 8 blocks of three separable convs
    torch::nn::ModuleList exit_{nullptr};    // separable 1024->1536, 1536->2048 (BN + ReLU)
    Dense fc_{nullptr};
    torch::nn::Dropout dropout_{nullptr};
};

/// vgg-lite: LiteFER's CPU-trainable network. The poster's idea in miniature: a narrow VGG
/// front of dense 3x3 convolutions (dense convs run 5-10x more FLOP/s than depthwise ones on
/// our CPUs, and carry the fine low-level features), then depthwise-separable blocks.
/// ~0.57M parameters, ~57M multiply-adds (counted by `litefer-cli models`).
class VggLiteImpl : public NetworkImpl {
  public:
    VggLiteImpl();
    torch::Tensor forward(torch::Tensor x) override;

  private:
    ConvBnAct conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr};
    DsBlock ds24_{nullptr};
    torch::nn::ModuleList stage12_{nullptr}, stage6_{nullptr};
    Dense fc_{nullptr};
    torch::nn::Dropout dropout_{nullptr};
};

}  // namespace litefer::nn
