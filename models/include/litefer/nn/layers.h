#pragma once
// Layer primitives shared by every LiteFER network. All convolutions and fully connected layers
// go through these classes so that multiply-adds and depth can be counted from the layers
// themselves (see complexity.h) and batch-norm can be folded for inference (foldBatchNorm()).
#include <torch/torch.h>

#include <cstdint>

namespace litefer::nn {

enum class Act { None, ReLU, ReLU6 };

/// A convolution, optionally followed by batch-norm and an activation.
struct ConvSpec {
    std::int64_t in = 1;
    std::int64_t out = 1;
    std::int64_t kernel = 3;
    std::int64_t stride = 1;
    std::int64_t padding = -1;  ///< -1 = kernel / 2 ("same" at stride 1)
    std::int64_t groups = 1;    ///< == in for a depthwise convolution
    bool bias = false;  ///< convolution bias (redundant before BN, kept where a reading counts it)
    bool bn = true;
    Act act = Act::ReLU;
    /// Whether this layer adds one to the network's depth. False for shortcut projections and
    /// for the depthwise half of a depthwise-separable pair (the pair counts once, as in the
    /// poster's depth column for its own networks).
    bool countsDepth = true;
};

ConvSpec depthwise(std::int64_t channels, std::int64_t stride, Act act);
ConvSpec pointwise(std::int64_t in, std::int64_t out, Act act);

/// conv -> BN -> activation, with the BN implemented directly (parameters `bn_weight`, `bn_bias`,
/// buffers `bn_mean`, `bn_var`) so that it can be folded. In training mode BN uses batch statistics
/// and updates the running ones (momentum 0.1, eps 1e-5, as torch::nn::BatchNorm2d).
class ConvBnActImpl : public torch::nn::Module {
  public:
    explicit ConvBnActImpl(const ConvSpec& spec);

    /// x: [N, in, H, W] -> [N, out, H', W'].
    torch::Tensor forward(const torch::Tensor& x);

    /// Inference only: merges BN into the convolution's weight and bias, so forward() runs
    /// conv -> activation. Call after moving the module to its device and after eval().
    /// Irreversible; the module must not be trained or saved afterwards. Idempotent.
    void foldBatchNorm();
    bool folded() const { return folded_; }
    const ConvSpec& spec() const { return spec_; }

    static constexpr double kBnMomentum = 0.1;
    static constexpr double kBnEps = 1e-5;

  private:
    ConvSpec spec_;
    bool folded_ = false;
    torch::Tensor weight_, bias_;
    torch::Tensor bnWeight_, bnBias_, bnMean_, bnVar_;
    torch::Tensor foldedBias_;
};
TORCH_MODULE(ConvBnAct);

/// BN -> ReLU -> conv, the pre-activation order of DenseNet. Its BN sits before a non-linearity
/// and cannot be folded; it stays a BN at inference.
class BnReluConvImpl : public torch::nn::Module {
  public:
    BnReluConvImpl(std::int64_t in, std::int64_t out, std::int64_t kernel);
    torch::Tensor forward(const torch::Tensor& x);

  private:
    std::int64_t in_, kernel_;
    torch::nn::BatchNorm2d bn_{nullptr};
    torch::Tensor weight_;
};
TORCH_MODULE(BnReluConv);

/// Fully connected layer that reports its multiply-adds.
class DenseImpl : public torch::nn::Module {
  public:
    DenseImpl(std::int64_t in, std::int64_t out);
    torch::Tensor forward(const torch::Tensor& x);

  private:
    torch::nn::Linear linear_{nullptr};
};
TORCH_MODULE(Dense);

/// Depthwise-separable block (poster Fig. 4): 3x3 depthwise + BN + act, 1x1 pointwise + BN + act.
class DsBlockImpl : public torch::nn::Module {
  public:
    DsBlockImpl(std::int64_t in, std::int64_t out, std::int64_t stride = 1, Act act = Act::ReLU);
    torch::Tensor forward(const torch::Tensor& x);

  private:
    ConvBnAct dw_{nullptr}, pw_{nullptr};
};
TORCH_MODULE(DsBlock);

torch::Tensor maxPool2(const torch::Tensor& x);
torch::Tensor globalAvgPool(const torch::Tensor& x);  ///< [N,C,H,W] -> [N,C]

/// Folds every foldable ConvBnAct in `module` (recursively). Returns how many were folded.
int foldBatchNorm(torch::nn::Module& module);

}  // namespace litefer::nn
