#include "litefer/nn/model_file.h"

#include <cmath>
#include <cstring>
#include <sstream>

#include "litefer/files.h"
#include "litefer/nn/complexity.h"
#include "litefer/nn/input.h"
#include "litefer/nn/registry.h"
#include "litefer/sha256.h"
#include "litefer/version.h"

namespace litefer::nn {

namespace {

constexpr char kMagic[8] = {'L', 'F', 'M', 'O', 'D', 'E', 'L', '\0'};
constexpr std::uint32_t kContainerVersion = 1;
constexpr std::uint8_t kDtypeF32 = 0;
constexpr std::uint8_t kDtypeF16 = 1;
constexpr std::uint32_t kMaxRank = 8;
// Probe logits must match within this tolerance (absolute + relative): different BLAS
// libraries and devices differ in the last bits, damaged weights by far more.
constexpr double kProbeAbsTol = 2e-3;
constexpr double kProbeRelTol = 2e-3;

const std::string kFixDamaged =
    "The file is damaged or not a LiteFER model: copy it again, or re-export it with "
    "litefer-cli train.";

template <typename T>
void put(std::string& out, T v) {
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    out.append(buf, sizeof(T));
}

/// Bounds-checked little-endian reader over a byte string.
class Reader {
  public:
    Reader(const std::string& data, std::size_t begin, std::size_t end)
        : data_(data), pos_(begin), end_(end) {}
    template <typename T>
    bool get(T& v) {
        if (end_ - pos_ < sizeof(T)) {
            return false;
        }
        std::memcpy(&v, data_.data() + pos_, sizeof(T));
        pos_ += sizeof(T);
        return true;
    }
    bool bytes(std::size_t n, const char*& p) {
        if (end_ - pos_ < n) {
            return false;
        }
        p = data_.data() + pos_;
        pos_ += n;
        return true;
    }
    std::size_t remaining() const { return end_ - pos_; }
    std::size_t pos() const { return pos_; }

  private:
    const std::string& data_;
    std::size_t pos_, end_;
};

struct Container {
    std::string bytes;  // the whole file
    std::string manifestJson;
    std::size_t weightsBegin = 0, weightsEnd = 0;
};

Container readContainer(const std::string& path) {
    Container c;
    try {
        c.bytes = readFileBytes(path);
    } catch (const std::exception& e) {
        throw ModelFileError(path, std::string("cannot be read (") + e.what() + ")",
                             "Check the path, or pick one of the shipped models.");
    }
    if (c.bytes.empty()) {
        throw ModelFileError(path, "is empty", kFixDamaged);
    }
    Reader r(c.bytes, 0, c.bytes.size());
    const char* magic = nullptr;
    if (!r.bytes(sizeof kMagic, magic) || std::memcmp(magic, kMagic, sizeof kMagic) != 0) {
        throw ModelFileError(path, "is not a LiteFER model file (wrong signature)", kFixDamaged);
    }
    std::uint32_t version = 0, manifestLen = 0;
    if (!r.get(version)) {
        throw ModelFileError(path, "is truncated (ends inside the header)", kFixDamaged);
    }
    if (version != kContainerVersion) {
        throw ModelFileError(path,
                             "has container version " + std::to_string(version) +
                                 "; this LiteFER reads version " +
                                 std::to_string(kContainerVersion),
                             "Use the LiteFER version that wrote it, or re-export the model.");
    }
    const char* manifest = nullptr;
    if (!r.get(manifestLen) || !r.bytes(manifestLen, manifest)) {
        throw ModelFileError(path, "is truncated (ends inside the manifest)", kFixDamaged);
    }
    c.manifestJson.assign(manifest, manifestLen);
    std::uint64_t weightsLen = 0;
    if (!r.get(weightsLen) || weightsLen > r.remaining()) {
        throw ModelFileError(path,
                             "is truncated (weights section shorter than its header says: " +
                                 std::to_string(r.remaining()) + " of " +
                                 std::to_string(weightsLen) + " bytes)",
                             kFixDamaged);
    }
    c.weightsBegin = r.pos();
    c.weightsEnd = r.pos() + weightsLen;
    if (c.weightsEnd != c.bytes.size()) {
        throw ModelFileError(path,
                             "has " + std::to_string(c.bytes.size() - c.weightsEnd) +
                                 " unexpected bytes after the weights",
                             kFixDamaged);
    }
    return c;
}

ModelManifest parseManifest(const std::string& path, const std::string& text) {
    ModelManifest m;
    try {
        m = ModelManifest::fromJson(json::parse(text));
    } catch (const std::exception& e) {
        throw ModelFileError(path, std::string("has an invalid manifest: ") + e.what(),
                             kFixDamaged);
    }
    if (findNetworkInfo(m.architecture) == nullptr) {
        throw ModelFileError(path,
                             "names an unknown architecture '" + m.architecture +
                                 "' (this LiteFER knows: " + networkNames() + ")",
                             "Use a model trained for one of these networks, or a newer LiteFER.");
    }
    if (m.inputChannels != 1 || m.inputHeight != kInputSide || m.inputWidth != kInputSide) {
        throw ModelFileError(path,
                             "expects input " + std::to_string(m.inputChannels) + "x" +
                                 std::to_string(m.inputHeight) + "x" +
                                 std::to_string(m.inputWidth) + "; LiteFER feeds 1x48x48",
                             "Use a model trained on 48x48 grayscale faces.");
    }
    if (m.labels != canonicalLabels()) {
        std::string got;
        for (const auto& l : m.labels) {
            got += (got.empty() ? "" : ",") + l;
        }
        std::string want;
        for (const auto& l : kEmotionNames) {
            want += (want.empty() ? "" : ",") + std::string(l);
        }
        throw ModelFileError(path,
                             "has label order [" + got + "]; LiteFER's order is [" + want + "]",
                             "Re-export the model with its outputs in LiteFER's label order.");
    }
    if (!(m.normalization.std > 0.0f) || !std::isfinite(m.normalization.mean)) {
        throw ModelFileError(path, "has an invalid normalisation (std must be > 0)", kFixDamaged);
    }
    return m;
}

void loadWeights(const std::string& path, const std::string& bytes, std::size_t begin,
                 std::size_t end, NetworkImpl& net) {
    auto bad = [&](const std::string& what) {
        return ModelFileError(
            path, "has weights that do not fit architecture '" + net.architecture() + "': " + what,
            "The manifest and weights disagree; re-export the model.");
    };
    std::map<std::string, torch::Tensor> targets;
    for (auto& p : net.named_parameters(true)) {
        targets.emplace(p.key(), p.value());
    }
    for (auto& b : net.named_buffers(true)) {
        targets.emplace(b.key(), b.value());
    }
    Reader r(bytes, begin, end);
    std::uint32_t count = 0;
    if (!r.get(count)) {
        throw ModelFileError(path, "has an empty weights section", kFixDamaged);
    }
    if (count != targets.size()) {
        throw bad("the file holds " + std::to_string(count) + " tensors, the network has " +
                  std::to_string(targets.size()));
    }
    torch::NoGradGuard noGrad;
    for (std::uint32_t i = 0; i < count; ++i) {
        std::uint32_t nameLen = 0;
        const char* name = nullptr;
        std::uint8_t dtype = 0, rank = 0;
        if (!r.get(nameLen) || !r.bytes(nameLen, name) || !r.get(dtype) || !r.get(rank) ||
            rank > kMaxRank) {
            throw ModelFileError(path, "has a malformed tensor record #" + std::to_string(i),
                                 kFixDamaged);
        }
        std::string key(name, nameLen);
        std::vector<std::int64_t> sizes(rank);
        for (auto& s : sizes) {
            if (!r.get(s) || s < 0) {
                throw ModelFileError(path, "has a malformed shape for tensor '" + key + "'",
                                     kFixDamaged);
            }
        }
        auto it = targets.find(key);
        if (it == targets.end()) {
            throw bad("unexpected tensor '" + key + "'");
        }
        torch::Tensor& dst = it->second;
        if (dst.sizes() != torch::IntArrayRef(sizes)) {
            std::ostringstream msg;
            msg << "tensor '" << key << "' has shape " << torch::IntArrayRef(sizes) << ", expected "
                << dst.sizes();
            throw bad(msg.str());
        }
        if (dtype != kDtypeF32 && dtype != kDtypeF16) {
            throw ModelFileError(path, "has unknown dtype code " + std::to_string(dtype),
                                 kFixDamaged);
        }
        const std::size_t elem = dtype == kDtypeF32 ? 4 : 2;
        const std::size_t n = static_cast<std::size_t>(dst.numel());
        const char* data = nullptr;
        if (!r.bytes(n * elem, data)) {
            throw ModelFileError(path, "is truncated inside tensor '" + key + "'", kFixDamaged);
        }
        auto src = torch::from_blob(const_cast<char*>(data), sizes,
                                    dtype == kDtypeF32 ? torch::kFloat32 : torch::kFloat16);
        dst.copy_(src.to(torch::kFloat32));
        targets.erase(it);
    }
    if (r.remaining() != 0) {
        throw ModelFileError(path, "has trailing bytes in the weights section", kFixDamaged);
    }
}

std::vector<double> probeLogits(NetworkImpl& net, const Normalization& norm) {
    torch::NoGradGuard noGrad;
    const bool wasTraining = net.is_training();
    net.eval();
    torch::Tensor out = net.forward(probeInput(norm)).to(torch::kCPU).to(torch::kFloat64);
    net.train(wasTraining);
    return {out.data_ptr<double>(), out.data_ptr<double>() + out.numel()};
}

}  // namespace

ModelFileError::ModelFileError(const std::string& path, const std::string& problem,
                               const std::string& fix)
    : std::runtime_error("model file '" + path + "' " + problem + ". " + fix), path_(path) {}

namespace detail {

std::string encodeWeights(NetworkImpl& net, WeightsDtype dtype) {
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (auto& p : net.named_parameters(true)) {
        tensors.emplace_back(p.key(), p.value());
    }
    for (auto& b : net.named_buffers(true)) {
        tensors.emplace_back(b.key(), b.value());
    }
    std::string out;
    put<std::uint32_t>(out, static_cast<std::uint32_t>(tensors.size()));
    for (const auto& [name, t] : tensors) {
        put<std::uint32_t>(out, static_cast<std::uint32_t>(name.size()));
        out += name;
        // Integer buffers (none in our networks today) would be stored as float32 too.
        const bool half = dtype == WeightsDtype::Float16 && t.is_floating_point();
        put<std::uint8_t>(out, half ? kDtypeF16 : kDtypeF32);
        put<std::uint8_t>(out, static_cast<std::uint8_t>(t.dim()));
        for (auto s : t.sizes()) {
            put<std::int64_t>(out, s);
        }
        torch::Tensor c =
            t.detach().to(torch::kCPU).to(half ? torch::kFloat16 : torch::kFloat32).contiguous();
        out.append(static_cast<const char*>(c.data_ptr()), c.nbytes());
    }
    return out;
}

void writeContainer(const std::string& path, const std::string& manifestJson,
                    const std::string& weights) {
    std::string out(kMagic, sizeof kMagic);
    put<std::uint32_t>(out, kContainerVersion);
    put<std::uint32_t>(out, static_cast<std::uint32_t>(manifestJson.size()));
    out += manifestJson;
    put<std::uint64_t>(out, weights.size());
    out += weights;
    writeFileAtomic(path, out);
}

}  // namespace detail

ModelManifest saveModel(const std::string& path, NetworkImpl& net, ModelManifest manifest,
                        WeightsDtype dtype) {
    const std::string weights = detail::encodeWeights(net, dtype);
    manifest.architecture = net.architecture();
    manifest.inputChannels = 1;
    manifest.inputHeight = static_cast<int>(kInputSide);
    manifest.inputWidth = static_cast<int>(kInputSide);
    manifest.labels = canonicalLabels();
    manifest.parameters = measureComplexity(net).parameters;
    manifest.weightsSha256 = sha256Hex(weights);
    manifest.weightsBytes = static_cast<std::int64_t>(weights.size());
    manifest.weightsDtype = dtype == WeightsDtype::Float16 ? "float16" : "float32";
    manifest.writer = std::string("LiteFER ") + kVersion;
    manifest.created = isoTimestampUtc();
    // The probe is computed on the weights exactly as they will be read back (after any
    // float16 rounding), on the CPU.
    Network reloaded = createNetwork(net.architecture());
    loadWeights(path, weights, 0, weights.size(), *reloaded);
    manifest.probeLogits = probeLogits(*reloaded, manifest.normalization);
    detail::writeContainer(path, manifest.toJson().dump(2), weights);
    return manifest;
}

ModelManifest readManifest(const std::string& path) {
    Container c = readContainer(path);
    return parseManifest(path, c.manifestJson);
}

LoadedModel loadModel(const std::string& path) {
    Container c = readContainer(path);
    LoadedModel model;
    model.manifest = parseManifest(path, c.manifestJson);
    const ModelManifest& m = model.manifest;
    const std::size_t weightsLen = c.weightsEnd - c.weightsBegin;
    if (static_cast<std::int64_t>(weightsLen) != m.weightsBytes) {
        throw ModelFileError(path,
                             "has " + std::to_string(weightsLen) +
                                 " bytes of weights, its manifest says " +
                                 std::to_string(m.weightsBytes),
                             kFixDamaged);
    }
    const std::string sha =
        sha256Hex(std::string_view(c.bytes.data() + c.weightsBegin, weightsLen));
    if (sha != m.weightsSha256) {
        throw ModelFileError(path,
                             "fails its weights checksum (SHA-256 " + sha + ", manifest says " +
                                 m.weightsSha256 + ")",
                             kFixDamaged);
    }
    model.network = createNetwork(m.architecture);
    loadWeights(path, c.bytes, c.weightsBegin, c.weightsEnd, *model.network);
    const std::int64_t params = measureComplexity(*model.network).parameters;
    if (params != m.parameters) {
        throw ModelFileError(path,
                             "declares " + std::to_string(m.parameters) + " parameters but '" +
                                 m.architecture + "' has " + std::to_string(params),
                             kFixDamaged);
    }
    model.network->eval();
    const std::vector<double> probe = probeLogits(*model.network, m.normalization);
    if (probe.size() != m.probeLogits.size()) {
        throw ModelFileError(path,
                             "has " + std::to_string(m.probeLogits.size()) +
                                 " probe logits, expected " + std::to_string(probe.size()),
                             kFixDamaged);
    }
    for (std::size_t i = 0; i < probe.size(); ++i) {
        const double want = m.probeLogits[i];
        if (!(std::abs(probe[i] - want) <= kProbeAbsTol + kProbeRelTol * std::abs(want))) {
            throw ModelFileError(path,
                                 "fails its self-test: logit " + std::to_string(i) + " is " +
                                     std::to_string(probe[i]) + ", the manifest recorded " +
                                     std::to_string(want),
                                 kFixDamaged);
        }
    }
    return model;
}

}  // namespace litefer::nn
