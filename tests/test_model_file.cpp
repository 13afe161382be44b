// Model files: round trip, and a clear error naming the file for every kind of bad file.
#include "support/torch_helpers.h"  // first: see the note in it

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "litefer/files.h"
#include "litefer/nn/input.h"
#include "litefer/nn/model_file.h"
#include "litefer/nn/registry.h"
#include "support/temp_dir.h"

using namespace litefer;
using namespace litefer::nn;
namespace fs = std::filesystem;

namespace {

using litefer::test::TempDir;

Network makeNet(const std::string& arch = "vgg-lite") {
    torch::manual_seed(11);
    Network net = createNetwork(arch);
    test::randomizeBatchNorm(*net);
    return net;
}

ModelManifest baseManifest() {
    ModelManifest m;
    m.name = "test model";
    m.trainingData = "none (random weights)";
    m.trainingSplit = "none";
    return m;
}

void writeBytes(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

/// Rewrites `path` with its manifest changed by `edit` and the given weights.
template <typename Edit>
void rewriteManifest(const std::string& path, const std::string& weights, Edit edit) {
    json::Value m = readManifest(path).toJson();
    edit(m);
    nn::detail::writeContainer(path, m.dump(), weights);
}

}  // namespace

TEST_CASE("a saved model loads back with identical outputs and a complete manifest", "[model]") {
    TempDir dir("litefer-model");
    Network net = makeNet();
    net->eval();
    const std::string path = dir.file("m.lfm");
    ModelManifest written = saveModel(path, *net, baseManifest());
    LoadedModel loaded = loadModel(path);
    CHECK(loaded.manifest.architecture == "vgg-lite");
    CHECK(loaded.manifest.labels == canonicalLabels());
    CHECK(loaded.manifest.parameters == written.parameters);
    CHECK(loaded.manifest.weightsSha256.size() == 64);
    CHECK(loaded.manifest.probeLogits.size() == 7);
    CHECK(loaded.manifest.writer.rfind("LiteFER ", 0) == 0);
    torch::NoGradGuard noGrad;
    auto x = torch::randn({3, 1, 48, 48});
    REQUIRE(torch::equal(net->forward(x), loaded.network->forward(x)));
}

TEST_CASE("float16 weights load with outputs close to the float32 ones", "[model]") {
    TempDir dir("litefer-model");
    Network net = makeNet();
    net->eval();
    saveModel(dir.file("h.lfm"), *net, baseManifest(), WeightsDtype::Float16);
    LoadedModel loaded = loadModel(dir.file("h.lfm"));
    CHECK(loaded.manifest.weightsDtype == "float16");
    torch::NoGradGuard noGrad;
    auto x = probeInput(Normalization{});
    CHECK(torch::allclose(torch::softmax(net->forward(x), 1),
                          torch::softmax(loaded.network->forward(x), 1), 0.0, 1e-2));
}

TEST_CASE("a missing model file is reported with its path", "[model]") {
    REQUIRE_THROWS_WITH(
        loadModel("/nonexistent/dir/model.lfm"),
        Catch::Contains("/nonexistent/dir/model.lfm") && Catch::Contains("cannot be read"));
}

TEST_CASE("a truncated model file is rejected with its path", "[model]") {
    TempDir dir("litefer-model");
    const std::string path = dir.file("t.lfm");
    saveModel(path, *makeNet(), baseManifest());
    std::string bytes = readFileBytes(path);
    for (std::size_t keep : {std::size_t{0}, std::size_t{10}, bytes.size() / 3, bytes.size() - 1}) {
        INFO("kept " << keep << " bytes");
        writeBytes(path, bytes.substr(0, keep));
        REQUIRE_THROWS_WITH(
            loadModel(path),
            Catch::Contains(path) && (Catch::Contains("truncated") || Catch::Contains("empty") ||
                                      Catch::Contains("not a LiteFER model")));
    }
}

TEST_CASE("random bytes are not taken for a model", "[model]") {
    TempDir dir("litefer-model");
    const std::string path = dir.file("r.lfm");
    std::mt19937 rng(5);
    std::string junk(4096, '\0');
    for (auto& c : junk) {
        c = static_cast<char>(rng());
    }
    writeBytes(path, junk);
    REQUIRE_THROWS_WITH(loadModel(path),
                        Catch::Contains(path) && Catch::Contains("not a LiteFER model file"));
}

TEST_CASE("a flipped byte inside the weights fails the checksum", "[model]") {
    TempDir dir("litefer-model");
    const std::string path = dir.file("f.lfm");
    saveModel(path, *makeNet(), baseManifest());
    std::string bytes = readFileBytes(path);
    bytes[bytes.size() - 100] = static_cast<char>(bytes[bytes.size() - 100] ^ 0x40);
    writeBytes(path, bytes);
    REQUIRE_THROWS_WITH(loadModel(path), Catch::Contains(path) && Catch::Contains("checksum"));
}

TEST_CASE("weights of another architecture are rejected", "[model]") {
    TempDir dir("litefer-model");
    const std::string path = dir.file("a.lfm");
    Network net = makeNet();
    saveModel(path, *net, baseManifest());
    const std::string weights = nn::detail::encodeWeights(*net, WeightsDtype::Float32);
    rewriteManifest(path, weights, [](json::Value& m) { m["architecture"] = "vgg-retrain-v2"; });
    REQUIRE_THROWS_WITH(loadModel(path), Catch::Contains(path) &&
                                             Catch::Contains("do not fit architecture") &&
                                             Catch::Contains("vgg-retrain-v2"));
}

TEST_CASE("an unknown architecture name is rejected", "[model]") {
    TempDir dir("litefer-model");
    const std::string path = dir.file("u.lfm");
    Network net = makeNet();
    saveModel(path, *net, baseManifest());
    rewriteManifest(path, nn::detail::encodeWeights(*net, WeightsDtype::Float32),
                    [](json::Value& m) { m["architecture"] = "resnet-50"; });
    REQUIRE_THROWS_WITH(loadModel(path),
                        Catch::Contains(path) && Catch::Contains("unknown architecture"));
    REQUIRE_THROWS_WITH(readManifest(path), Catch::Contains("unknown architecture"));
}

TEST_CASE("a model with another label order is rejected", "[model]") {
    TempDir dir("litefer-model");
    const std::string path = dir.file("l.lfm");
    Network net = makeNet();
    saveModel(path, *net, baseManifest());
    rewriteManifest(path, nn::detail::encodeWeights(*net, WeightsDtype::Float32),
                    [](json::Value& m) {
                        json::Value labels = json::Value::array();
                        for (const char* l :
                             {"angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"}) {
                            labels.push(l);
                        }
                        m["labels"] = labels;
                    });
    REQUIRE_THROWS_WITH(loadModel(path), Catch::Contains(path) && Catch::Contains("label order"));
}

TEST_CASE("a model whose outputs differ from its recorded probe fails the self-test", "[model]") {
    TempDir dir("litefer-model");
    const std::string path = dir.file("p.lfm");
    Network net = makeNet();
    saveModel(path, *net, baseManifest());
    rewriteManifest(path, nn::detail::encodeWeights(*net, WeightsDtype::Float32),
                    [](json::Value& m) {
                        json::Value probe = json::Value::array();
                        for (int i = 0; i < 7; ++i) {
                            probe.push(static_cast<double>(i));
                        }
                        m["probe_logits"] = probe;
                    });
    REQUIRE_THROWS_WITH(loadModel(path), Catch::Contains(path) && Catch::Contains("self-test"));
}

TEST_CASE("a manifest with a missing field is rejected naming the field", "[model]") {
    TempDir dir("litefer-model");
    const std::string path = dir.file("m.lfm");
    Network net = makeNet();
    saveModel(path, *net, baseManifest());
    const std::string weights = nn::detail::encodeWeights(*net, WeightsDtype::Float32);
    json::Value m = readManifest(path).toJson();
    json::Value stripped = json::Value::object();
    for (const auto& [k, v] : m.items()) {
        if (k != "normalization") {
            stripped[k] = v;
        }
    }
    nn::detail::writeContainer(path, stripped.dump(), weights);
    REQUIRE_THROWS_WITH(loadModel(path), Catch::Contains(path) && Catch::Contains("normalization"));
}
