#include "litefer/core/emotion_classifier.h"

#include <torch/torch.h>

#include <stdexcept>

#include "litefer/nn/complexity.h"
#include "litefer/nn/input.h"
#include "litefer/nn/model_file.h"
#include "litefer/nn/runtime.h"

namespace litefer::core {

namespace {
constexpr int kWarmUpRuns = 3;
}

Device parseDevice(const std::string& name) {
    if (name == "auto") {
        return Device::Auto;
    }
    if (name == "cpu") {
        return Device::Cpu;
    }
    if (name == "cuda") {
        return Device::Cuda;
    }
    throw std::invalid_argument("unknown device '" + name + "' (use auto, cpu or cuda)");
}

struct EmotionClassifier::Impl {
    std::string path;
    nn::LoadedModel model;
    NetworkStats stats;
    torch::Device device{torch::kCPU};
    int threads = 1;
    std::vector<std::uint8_t> batch;  // reused pixel buffer
};

EmotionClassifier::EmotionClassifier(const std::string& modelPath, const ClassifierOptions& options)
    : impl_(std::make_unique<Impl>()) {
    impl_->path = modelPath;
    const bool cudaAvailable = torch::cuda::is_available();
    if (options.device == Device::Cuda && !cudaAvailable) {
        throw std::runtime_error(
            "device 'cuda' requested but this LibTorch has no CUDA or no GPU is present; use "
            "--device cpu or auto");
    }
    const bool useCuda =
        options.device == Device::Cuda || (options.device == Device::Auto && cudaAvailable);
    impl_->device = useCuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    impl_->threads = nn::setTorchThreads(options.threads);

    impl_->model = nn::loadModel(modelPath);  // throws ModelFileError naming the file
    nn::Network& net = impl_->model.network;
    const nn::Complexity c = nn::measureComplexity(*net);
    impl_->stats = {c.parameters, c.macs, c.depth};
    net->to(impl_->device);
    net->eval();
    if (options.foldBatchNorm) {
        nn::foldBatchNorm(*net);
    }
    if (options.warmUp) {
        std::vector<cv::Mat> crops(1, cv::Mat(48, 48, CV_8UC1, cv::Scalar(128)));
        for (int i = 0; i < kWarmUpRuns; ++i) {
            classify(crops);
        }
    }
}

EmotionClassifier::~EmotionClassifier() = default;
EmotionClassifier::EmotionClassifier(EmotionClassifier&&) noexcept = default;
EmotionClassifier& EmotionClassifier::operator=(EmotionClassifier&&) noexcept = default;

std::vector<EmotionScores> EmotionClassifier::classify(const std::vector<cv::Mat>& crops) {
    std::vector<EmotionScores> out;
    if (crops.empty()) {
        return out;
    }
    constexpr std::size_t kPixels = nn::kInputSide * nn::kInputSide;
    impl_->batch.resize(crops.size() * kPixels);
    for (std::size_t i = 0; i < crops.size(); ++i) {
        const cv::Mat& c = crops[i];
        if (c.rows != nn::kInputSide || c.cols != nn::kInputSide || c.type() != CV_8UC1) {
            throw std::invalid_argument("classify: crop " + std::to_string(i) +
                                        " is not a 48x48 8-bit grey image (use toNetworkCrop)");
        }
        for (int r = 0; r < c.rows; ++r) {
            std::copy_n(c.ptr<std::uint8_t>(r), c.cols,
                        impl_->batch.data() + i * kPixels + static_cast<std::size_t>(r * c.cols));
        }
    }
    torch::InferenceMode inference;
    torch::Tensor x =
        nn::pixelsToInput(impl_->batch.data(), static_cast<std::int64_t>(crops.size()),
                          impl_->model.manifest.normalization)
            .to(impl_->device);
    torch::Tensor probs = torch::softmax(impl_->model.network->forward(x), 1)
                              .to(torch::kCPU)
                              .to(torch::kFloat32)
                              .contiguous();
    out.resize(crops.size());
    const float* p = probs.data_ptr<float>();
    for (std::size_t i = 0; i < crops.size(); ++i) {
        std::copy_n(p + i * kNumEmotions, kNumEmotions, out[i].begin());
    }
    return out;
}

const ModelManifest& EmotionClassifier::manifest() const {
    return impl_->model.manifest;
}
const NetworkStats& EmotionClassifier::stats() const {
    return impl_->stats;
}
const std::string& EmotionClassifier::modelPath() const {
    return impl_->path;
}
bool EmotionClassifier::onCuda() const {
    return impl_->device.is_cuda();
}

std::string EmotionClassifier::deviceDescription() const {
    if (onCuda()) {
        return "CUDA";
    }
    return "CPU, " + std::to_string(impl_->threads) +
           (impl_->threads == 1 ? " thread" : " threads");
}

}  // namespace litefer::core
