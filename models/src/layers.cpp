#include "litefer/nn/layers.h"

#include "litefer/nn/complexity.h"

namespace litefer::nn {

namespace {

torch::Tensor activate(const torch::Tensor& x, Act act) {
    switch (act) {
        case Act::ReLU:
            return torch::relu(x);
        case Act::ReLU6:
            return torch::hardtanh(x, 0.0, 6.0);
        case Act::None:
            break;
    }
    return x;
}

// Kaiming-normal (fan_out, ReLU gain) as torchvision initialises its conv nets.
torch::Tensor kaimingConvWeight(std::int64_t out, std::int64_t inPerGroup, std::int64_t k) {
    const double fanOut = static_cast<double>(out * k * k);
    return torch::randn({out, inPerGroup, k, k}) * std::sqrt(2.0 / fanOut);
}

}  // namespace

ConvSpec depthwise(std::int64_t channels, std::int64_t stride, Act act) {
    ConvSpec s;
    s.in = channels;
    s.out = channels;
    s.kernel = 3;
    s.stride = stride;
    s.groups = channels;
    s.act = act;
    s.countsDepth = false;
    return s;
}

ConvSpec pointwise(std::int64_t in, std::int64_t out, Act act) {
    ConvSpec s;
    s.in = in;
    s.out = out;
    s.kernel = 1;
    s.act = act;
    return s;
}

ConvBnActImpl::ConvBnActImpl(const ConvSpec& spec) : spec_(spec) {
    TORCH_CHECK(spec_.in % spec_.groups == 0 && spec_.out % spec_.groups == 0,
                "ConvBnAct: channels not divisible by groups");
    if (spec_.padding < 0) {
        spec_.padding = spec_.kernel / 2;
    }
    weight_ = register_parameter(
        "weight", kaimingConvWeight(spec_.out, spec_.in / spec_.groups, spec_.kernel));
    if (spec_.bias) {
        bias_ = register_parameter("bias", torch::zeros({spec_.out}));
    }
    if (spec_.bn) {
        bnWeight_ = register_parameter("bn_weight", torch::ones({spec_.out}));
        bnBias_ = register_parameter("bn_bias", torch::zeros({spec_.out}));
        bnMean_ = register_buffer("bn_mean", torch::zeros({spec_.out}));
        bnVar_ = register_buffer("bn_var", torch::ones({spec_.out}));
    }
}

torch::Tensor ConvBnActImpl::forward(const torch::Tensor& x) {
    const torch::Tensor& b = folded_ ? foldedBias_ : bias_;
    torch::Tensor y =
        torch::conv2d(x, weight_, b, {spec_.stride, spec_.stride}, {spec_.padding, spec_.padding},
                      /*dilation=*/{1, 1}, spec_.groups);
    detail::recordLayer(
        y.size(1) * y.size(2) * y.size(3) * (spec_.in / spec_.groups) * spec_.kernel * spec_.kernel,
        spec_.countsDepth);
    if (spec_.bn && !folded_) {
        y = torch::batch_norm(y, bnWeight_, bnBias_, bnMean_, bnVar_, is_training(), kBnMomentum,
                              kBnEps, /*cudnn_enabled=*/true);
    }
    return activate(y, spec_.act);
}

void ConvBnActImpl::foldBatchNorm() {
    if (folded_ || !spec_.bn) {
        return;
    }
    torch::NoGradGuard noGrad;
    // BN(conv(x)) = gamma * (W*x + b - mean) / sqrt(var + eps) + beta
    //             = (W * s) * x + (b - mean) * s + beta,   s = gamma / sqrt(var + eps)
    torch::Tensor scale = bnWeight_ / torch::sqrt(bnVar_ + kBnEps);
    torch::Tensor newWeight = weight_ * scale.view({-1, 1, 1, 1});
    torch::Tensor convBias = bias_.defined() ? bias_ : torch::zeros_like(bnMean_);
    weight_.copy_(newWeight);
    foldedBias_ = register_buffer("folded_bias", (convBias - bnMean_) * scale + bnBias_);
    folded_ = true;
}

BnReluConvImpl::BnReluConvImpl(std::int64_t in, std::int64_t out, std::int64_t kernel)
    : in_(in), kernel_(kernel) {
    bn_ = register_module("bn", torch::nn::BatchNorm2d(in));
    weight_ = register_parameter("weight", kaimingConvWeight(out, in, kernel));
}

torch::Tensor BnReluConvImpl::forward(const torch::Tensor& x) {
    torch::Tensor y = torch::conv2d(torch::relu(bn_->forward(x)), weight_, {}, {1, 1},
                                    {kernel_ / 2, kernel_ / 2});
    detail::recordLayer(y.size(1) * y.size(2) * y.size(3) * in_ * kernel_ * kernel_,
                        /*countsDepth=*/true);
    return y;
}

DenseImpl::DenseImpl(std::int64_t in, std::int64_t out) {
    linear_ = register_module("linear", torch::nn::Linear(in, out));
}

torch::Tensor DenseImpl::forward(const torch::Tensor& x) {
    detail::recordLayer(linear_->options.in_features() * linear_->options.out_features(),
                        /*countsDepth=*/true);
    return linear_->forward(x);
}

DsBlockImpl::DsBlockImpl(std::int64_t in, std::int64_t out, std::int64_t stride, Act act) {
    dw_ = register_module("dw", ConvBnAct(depthwise(in, stride, act)));
    pw_ = register_module("pw", ConvBnAct(pointwise(in, out, act)));
}

torch::Tensor DsBlockImpl::forward(const torch::Tensor& x) {
    return pw_->forward(dw_->forward(x));
}

torch::Tensor maxPool2(const torch::Tensor& x) {
    return torch::max_pool2d(x, {2, 2}, {2, 2});
}

torch::Tensor globalAvgPool(const torch::Tensor& x) {
    return x.mean({2, 3});
}

int foldBatchNorm(torch::nn::Module& module) {
    int n = 0;
    for (const auto& m : module.modules(/*include_self=*/true)) {
        if (auto* c = m->as<ConvBnActImpl>(); c != nullptr && c->spec().bn && !c->folded()) {
            c->foldBatchNorm();
            ++n;
        }
    }
    return n;
}

}  // namespace litefer::nn
