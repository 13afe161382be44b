#include "litefer/train/evaluate.h"

#include <stdexcept>

#include "litefer/nn/input.h"

namespace litefer::train {

namespace {
constexpr std::int64_t kCropSide = 44;
}

Tta parseTta(const std::string& name) {
    if (name == "none") {
        return Tta::None;
    }
    if (name == "flip") {
        return Tta::Flip;
    }
    if (name == "tencrop") {
        return Tta::TenCrop;
    }
    throw std::invalid_argument("unknown test-time augmentation '" + name +
                                "' (use none, flip or tencrop)");
}

std::string ttaName(Tta tta) {
    switch (tta) {
        case Tta::None:
            return "none";
        case Tta::Flip:
            return "flip";
        case Tta::TenCrop:
            return "tencrop";
    }
    return "none";
}

torch::Tensor ttaViews(const torch::Tensor& x, Tta tta) {
    switch (tta) {
        case Tta::None:
            return x;
        case Tta::Flip:
            return torch::cat({x, x.flip({3})}, 0);
        case Tta::TenCrop: {
            const std::int64_t side = x.size(3);
            const std::int64_t m = side - kCropSide;
            const std::int64_t offsets[5][2] = {{0, 0}, {0, m}, {m, 0}, {m, m}, {m / 2, m / 2}};
            std::vector<torch::Tensor> views;
            for (const auto& o : offsets) {
                auto crop = x.narrow(2, o[0], kCropSide).narrow(3, o[1], kCropSide);
                auto resized = torch::upsample_bilinear2d(crop, {side, side},
                                                          /*align_corners=*/false);
                views.push_back(resized);
                views.push_back(resized.flip({3}));
            }
            return torch::cat(views, 0);
        }
    }
    return x;
}

torch::Tensor predict(nn::NetworkImpl& net, const PackedDataset& data, const Normalization& norm,
                      Tta tta, torch::Device device, std::int64_t batchSize) {
    net.eval();
    torch::NoGradGuard noGrad;
    const auto n = static_cast<std::int64_t>(data.size());
    auto probs = torch::empty({n, 7}, torch::kFloat32);
    for (std::int64_t start = 0; start < n; start += batchSize) {
        const std::int64_t b = std::min(batchSize, n - start);
        auto x = nn::pixelsToInput(data.image(static_cast<std::size_t>(start)), b, norm).to(device);
        auto views = ttaViews(x, tta);
        auto p = torch::softmax(net.forward(views).to(torch::kFloat32), 1);
        p = p.view({-1, b, 7}).mean(0);
        probs.narrow(0, start, b).copy_(p.to(torch::kCPU));
    }
    return probs;
}

Metrics metricsFromProbabilities(const torch::Tensor& probs, const PackedDataset& data) {
    ConfusionMatrix cm;
    auto pred = probs.argmax(1).to(torch::kInt64).contiguous();
    const auto* p = pred.data_ptr<std::int64_t>();
    for (std::size_t i = 0; i < data.size(); ++i) {
        cm.add(data.labels[i], static_cast<int>(p[i]));
    }
    return cm.metrics();
}

}  // namespace litefer::train
