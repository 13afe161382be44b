#include "litefer/nn/complexity.h"

#include "litefer/nn/network.h"

namespace litefer::nn {

namespace {
struct Recorder {
    std::int64_t macs = 0;
    int depth = 0;
};
thread_local Recorder* tRecorder = nullptr;
}  // namespace

namespace detail {
void recordLayer(std::int64_t macsPerImage, bool countsDepth) {
    if (tRecorder != nullptr) {
        tRecorder->macs += macsPerImage;
        tRecorder->depth += countsDepth ? 1 : 0;
    }
}
}  // namespace detail

Complexity measureComplexity(NetworkImpl& net) {
    Complexity c;
    for (const auto& p : net.parameters(/*recurse=*/true)) {
        c.parameters += p.numel();
    }
    const bool wasTraining = net.is_training();
    net.eval();
    Recorder recorder;
    tRecorder = &recorder;
    try {
        torch::NoGradGuard noGrad;
        auto device = net.parameters().empty() ? torch::kCPU : net.parameters()[0].device();
        net.forward(torch::zeros({1, 1, kInputSide, kInputSide}, torch::TensorOptions(device)));
    } catch (...) {
        tRecorder = nullptr;
        net.train(wasTraining);
        throw;
    }
    tRecorder = nullptr;
    net.train(wasTraining);
    c.macs = recorder.macs;
    c.depth = recorder.depth;
    return c;
}

}  // namespace litefer::nn
