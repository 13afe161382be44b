// Fuzz target: litefer::nn::loadModel and readManifest (.lfm model files) on raw bytes: magic,
// version, lengths, manifest JSON and fields, architecture, label order, checksum (random
// weights rarely pass the SHA-256; see model_weights for the tensor records). Contract checked:
// every failure is a ModelFileError (model_file.h) - any other exception escapes and is
// reported as a crash.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "litefer/nn/model_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string& path = litefer::fuzz::memFile().write(data, size);
    try {
        (void)litefer::nn::readManifest(path);
    } catch (const litefer::nn::ModelFileError&) {
    }
    try {
        (void)litefer::nn::loadModel(path);
    } catch (const litefer::nn::ModelFileError&) {
    }
    return 0;
}
