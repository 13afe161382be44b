#pragma once
// LibTorch runtime settings shared by the classifier, the trainer and the CLI commands.
#include <torch/torch.h>

#include <string>

namespace litefer::nn {

/// Sets LibTorch's intra-op CPU threads to `requested`, or to one per core when
/// `requested` <= 0 (Debian's LibTorch otherwise runs on 1 thread). Process-wide. Returns the
/// count set.
int setTorchThreads(int requested);

/// "cpu" or "cuda" -> the device. Throws std::invalid_argument for another name, and
/// std::runtime_error when "cuda" is asked for but LibTorch has no CUDA or there is no GPU.
torch::Device torchDevice(const std::string& name);

}  // namespace litefer::nn
