// Fuzz target: the weights section of a .lfm model file (tensor count, names, dtypes, ranks,
// shapes, data). The input is the weights section; the target wraps it in a valid container
// whose vgg-lite manifest carries the input's own size and SHA-256, so loadModel gets past the
// checksum to the tensor records (the probe self-test then fails, as it must). Contract
// checked: every failure is a ModelFileError.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "litefer/manifest.h"
#include "litefer/nn/model_file.h"
#include "litefer/sha256.h"

namespace {

template <typename T>
void put(std::string& out, T v) {
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    out.append(buf, sizeof(T));
}

litefer::ModelManifest baseManifest() {
    litefer::ModelManifest m;
    m.name = "fuzz";
    m.architecture = "vgg-lite";
    m.labels = litefer::canonicalLabels();
    m.trainingData = "none";
    m.trainingSplit = "none";
    m.parameters = 571175;
    m.probeLogits = {0, 0, 0, 0, 0, 0, 0};
    m.writer = "fuzz";
    m.created = "2026-01-01T00:00:00Z";
    return m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const litefer::ModelManifest kBase = baseManifest();
    const std::string_view weights(reinterpret_cast<const char*>(data), size);
    litefer::ModelManifest m = kBase;
    m.weightsSha256 = litefer::sha256Hex(weights);
    m.weightsBytes = static_cast<std::int64_t>(size);
    const std::string manifest = m.toJson().dump();
    std::string file("LFMODEL\0", 8);
    put<std::uint32_t>(file, 1);
    put<std::uint32_t>(file, static_cast<std::uint32_t>(manifest.size()));
    file += manifest;
    put<std::uint64_t>(file, size);
    file += weights;
    const std::string& path = litefer::fuzz::memFile().write(
        reinterpret_cast<const std::uint8_t*>(file.data()), file.size());
    try {
        (void)litefer::nn::loadModel(path);
    } catch (const litefer::nn::ModelFileError&) {
    }
    return 0;
}
