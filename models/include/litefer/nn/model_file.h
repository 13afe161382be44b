#pragma once
// LiteFER model files (*.lfm): one file with the manifest and the weights.
//
// Layout (little-endian): magic "LFMODEL\0", u32 container version (1), u32 manifest length M,
// M bytes of manifest JSON (see manifest.h), u64 weights length W, W bytes of weights. The
// weights are a list of named tensors: u32 count, then per tensor u32 name length, name,
// u8 dtype (0 float32, 1 float16), u8 rank, rank x i64 sizes, raw little-endian data. They hold
// every parameter and buffer of the (unfolded) network, in named_parameters/named_buffers order.
//
// Loading checks, in order: readable file, magic, version, lengths within the file, manifest
// JSON and fields, known architecture, 1x48x48 input, canonical label order, weights checksum,
// tensor names and shapes against the architecture, parameter count, and the probe logits
// (the network's output on a fixed image). Every failure is a ModelFileError naming the file.
#include <stdexcept>
#include <string>

#include "litefer/manifest.h"
#include "litefer/nn/network.h"

namespace litefer::nn {

class ModelFileError : public std::runtime_error {
  public:
    ModelFileError(const std::string& path, const std::string& problem, const std::string& fix);
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

enum class WeightsDtype { Float32, Float16 };

struct LoadedModel {
    ModelManifest manifest;
    Network network;  ///< on the CPU, eval mode, BN unfolded
};

/// Writes `net` with `manifest` to `path` atomically. Fills architecture, labels (canonical),
/// parameters, weights checksum/size/dtype, probe logits, writer and creation time; the caller
/// supplies name, training facts, metrics and normalisation. Returns the manifest as written.
ModelManifest saveModel(const std::string& path, NetworkImpl& net, ModelManifest manifest,
                        WeightsDtype dtype = WeightsDtype::Float32);

/// Reads and fully checks a model file.
LoadedModel loadModel(const std::string& path);

/// Reads and checks the container and manifest only (no weights check): for model pickers.
ModelManifest readManifest(const std::string& path);

namespace detail {
/// Serialises the network's tensors (the weights section).
std::string encodeWeights(NetworkImpl& net, WeightsDtype dtype);
/// Writes a container from raw parts, without any checks. For tests that build bad files.
void writeContainer(const std::string& path, const std::string& manifestJson,
                    const std::string& weights);
}  // namespace detail

}  // namespace litefer::nn
