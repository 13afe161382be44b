#include "litefer/nn/runtime.h"

#include <algorithm>
#include <stdexcept>
#include <thread>

namespace litefer::nn {

int setTorchThreads(int requested) {
    const int threads = requested > 0
                            ? requested
                            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    torch::set_num_threads(threads);
    return threads;
}

torch::Device torchDevice(const std::string& name) {
    if (name == "cpu") {
        return torch::kCPU;
    }
    if (name != "cuda") {
        throw std::invalid_argument("unknown device '" + name + "' (use cpu or cuda)");
    }
    if (!torch::cuda::is_available()) {
        throw std::runtime_error("device cuda: this LibTorch has no CUDA or there is no GPU");
    }
    return torch::kCUDA;
}

}  // namespace litefer::nn
