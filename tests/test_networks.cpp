// The networks: shapes, sizes against the poster, counted multiply-adds, retraining weight copy,
// freezing, and batch-norm folding.
#include "support/torch_helpers.h"  // first: see the note in it

#include <catch2/catch.hpp>

#include "litefer/nn/complexity.h"
#include "litefer/nn/registry.h"

using namespace litefer::nn;

TEST_CASE("every network maps a 1x48x48 batch to 7 logits", "[networks]") {
    torch::manual_seed(1);
    for (const auto& info : networkInfos()) {
        INFO(info.name);
        Network net = createNetwork(info.name);
        net->eval();
        torch::NoGradGuard noGrad;
        auto out = net->forward(torch::randn({2, 1, 48, 48}));
        REQUIRE(out.sizes() == torch::IntArrayRef({2, 7}));
        REQUIRE(torch::isfinite(out).all().item<bool>());
    }
}

TEST_CASE("parameter counts are within 3% of the poster's Table 1", "[networks]") {
    int checked = 0;
    for (const auto& info : networkInfos()) {
        if (!info.posterParamsMillions) {
            continue;
        }
        INFO(info.name);
        const double params =
            static_cast<double>(measureComplexity(*createNetwork(info.name)).parameters);
        const double poster = *info.posterParamsMillions * 1e6;
        CHECK(std::abs(params / poster - 1.0) <= 0.03);
        ++checked;
    }
    REQUIRE(checked == 7);
}

TEST_CASE("vgg-lite fits the CPU budget: at most 1.0M parameters and 60M multiply-adds",
          "[networks]") {
    Complexity c = measureComplexity(*createNetwork("vgg-lite"));
    CHECK(c.parameters <= 1'000'000);
    CHECK(c.macs <= 60'000'000);
    CHECK(c.macs > 10'000'000);
}

TEST_CASE("multiply-adds and depth are counted from the layers", "[networks]") {
    // VGG-pretrain by hand: 8 convs (out*in*9*H*W) + FC 4608x1024 + FC 1024x7.
    const std::int64_t convs = 64LL * 1 * 9 * 2304 + 64LL * 64 * 9 * 2304 + 128LL * 64 * 9 * 576 +
                               128LL * 128 * 9 * 576 + 256LL * 128 * 9 * 144 +
                               256LL * 256 * 9 * 144 + 512LL * 256 * 9 * 36 + 512LL * 512 * 9 * 36;
    Complexity vgg = measureComplexity(*createNetwork("vgg-pretrain"));
    CHECK(vgg.macs == convs + 4608LL * 1024 + 1024LL * 7);
    CHECK(vgg.parameters == 9'414'855);  // READING.md
    CHECK(vgg.depth == 10);
    CHECK(measureComplexity(*createNetwork("vgg-retrain-v1")).depth == 9);
    CHECK(measureComplexity(*createNetwork("vgg-retrain-v2")).depth == 9);
    CHECK(measureComplexity(*createNetwork("densenet40")).depth == 40);
}

TEST_CASE("unknown network names are rejected with the list of known ones", "[networks]") {
    REQUIRE_THROWS_WITH(createNetwork("resnet"), Catch::Contains("vgg-retrain-v2"));
}

namespace {
std::shared_ptr<VggPretrainImpl> trainedLookingPretrain() {
    auto pre = std::dynamic_pointer_cast<VggPretrainImpl>(createNetwork("vgg-pretrain"));
    litefer::test::randomizeBatchNorm(*pre);
    pre->eval();
    return pre;
}
}  // namespace

TEST_CASE("retraining copies the kept VGG blocks exactly: identical activations", "[networks]") {
    torch::manual_seed(2);
    auto pre = trainedLookingPretrain();
    auto x = torch::randn({3, 1, 48, 48});
    for (auto variant : {VggRetrainImpl::Variant::V1, VggRetrainImpl::Variant::V2}) {
        auto net = std::make_shared<VggRetrainImpl>(variant);
        INFO(net->architecture());
        net->eval();
        torch::NoGradGuard noGrad;
        REQUIRE_FALSE(torch::equal(net->keptFeatures(x), pre->blockFeatures(x, net->keptBlocks())));
        net->copyKeptBlocksFrom(*pre);
        REQUIRE(torch::equal(net->keptFeatures(x), pre->blockFeatures(x, net->keptBlocks())));
    }
}

TEST_CASE("retraining refuses a network that is not vgg-pretrain", "[networks]") {
    VggRetrainImpl v2(VggRetrainImpl::Variant::V2);
    REQUIRE_THROWS_WITH(v2.copyKeptBlocksFrom(*createNetwork("vgg-lite")),
                        Catch::Contains("vgg-pretrain"));
}

TEST_CASE("frozen kept blocks get no gradients and keep their BN statistics", "[networks]") {
    torch::manual_seed(3);
    auto pre = trainedLookingPretrain();
    VggRetrainImpl net(VggRetrainImpl::Variant::V2);
    net.copyKeptBlocksFrom(*pre);
    net.freezeKeptBlocks(true);
    net.train();
    const auto before = net.named_buffers(true)["blocks.0.conv1.bn_mean"].clone();
    net.forward(torch::randn({4, 1, 48, 48})).sum().backward();
    for (auto& p : net.named_parameters(true)) {
        INFO(p.key());
        if (p.key().rfind("blocks.", 0) == 0) {
            CHECK_FALSE(p.value().grad().defined());
        } else {
            CHECK(p.value().grad().defined());
        }
    }
    CHECK(torch::equal(before, net.named_buffers(true)["blocks.0.conv1.bn_mean"]));
    net.freezeKeptBlocks(false);
    net.forward(torch::randn({4, 1, 48, 48})).sum().backward();
    CHECK(net.named_parameters(true)["blocks.0.conv1.weight"].grad().defined());
}

TEST_CASE("folding batch-norm into convolutions leaves outputs unchanged within 1e-5",
          "[networks]") {
    torch::manual_seed(4);
    auto x = torch::randn({2, 1, 48, 48});
    for (const auto& info : networkInfos()) {
        INFO(info.name);
        Network net = createNetwork(info.name);
        litefer::test::randomizeBatchNorm(*net);
        net->eval();
        torch::NoGradGuard noGrad;
        auto before = torch::softmax(net->forward(x), 1);
        const int folded = foldBatchNorm(*net);
        auto after = torch::softmax(net->forward(x), 1);
        if (info.name != "densenet40") {  // DenseNet's BN precede ReLUs: nothing to fold
            CHECK(folded > 0);
        }
        CHECK((before - after).abs().max().item<float>() <= 1e-5f);
        CHECK(foldBatchNorm(*net) == 0);  // idempotent
    }
}
