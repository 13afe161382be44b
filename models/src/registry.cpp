#include "litefer/nn/registry.h"

#include <stdexcept>

namespace litefer::nn {

const std::vector<NetworkInfo>& networkInfos() {
    static const std::vector<NetworkInfo> kInfos = {
        {"xception", "Xception (Keras backbone) + FC, stem stride 1", 40, 20.9, 67.4},
        {"mobilenet", "MobileNet v1, alpha 1.0 (Keras backbone) + FC, stem stride 1", 28, 3.2,
         61.8},
        {"mobilenetv2", "MobileNetV2, alpha 1.0 (Keras backbone) + FC, stem stride 1", 54, 2.3,
         62.1},
        {"densenet40", "DenseNet-40, growth 12, CIFAR style", 40, 1.0, 66.6},
        {"vgg-pretrain", "VGG: 4 blocks of 2 conv (64-512), FC 1024", 10, 9.4, 70.1},
        {"vgg-retrain-v1", "VGG-pretrain blocks 1-3 + 2 depthwise-separable blocks", 9, 2.4, 69.5},
        {"vgg-retrain-v2", "VGG-pretrain blocks 1-2 + 4 depthwise-separable blocks", 9, 1.0, 69.8},
        {"vgg-lite", "LiteFER's CPU network: 3 narrow conv + 7 depthwise-separable blocks",
         std::nullopt, std::nullopt, std::nullopt},
    };
    return kInfos;
}

const NetworkInfo* findNetworkInfo(const std::string& name) {
    for (const auto& info : networkInfos()) {
        if (info.name == name) {
            return &info;
        }
    }
    return nullptr;
}

std::string networkNames() {
    std::string names;
    for (const auto& info : networkInfos()) {
        names += (names.empty() ? "" : ", ") + info.name;
    }
    return names;
}

Network createNetwork(const std::string& name) {
    if (name == "vgg-pretrain") {
        return std::make_shared<VggPretrainImpl>();
    }
    if (name == "vgg-retrain-v1") {
        return std::make_shared<VggRetrainImpl>(VggRetrainImpl::Variant::V1);
    }
    if (name == "vgg-retrain-v2") {
        return std::make_shared<VggRetrainImpl>(VggRetrainImpl::Variant::V2);
    }
    if (name == "mobilenet") {
        return std::make_shared<MobileNetImpl>();
    }
    if (name == "mobilenetv2") {
        return std::make_shared<MobileNetV2Impl>();
    }
    if (name == "densenet40") {
        return std::make_shared<DenseNet40Impl>();
    }
    if (name == "xception") {
        return std::make_shared<XceptionImpl>();
    }
    if (name == "vgg-lite") {
        return std::make_shared<VggLiteImpl>();
    }
    throw std::invalid_argument("unknown network '" + name + "' (known: " + networkNames() + ")");
}

}  // namespace litefer::nn
