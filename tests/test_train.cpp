// The trainer and evaluator: real (short) training runs on small packed data made by the test.
#include "support/torch_helpers.h"  // first: see the note in it

#include <catch2/catch.hpp>

#include <filesystem>
#include <random>

#include "litefer/files.h"
#include "litefer/json.h"
#include "litefer/nn/model_file.h"
#include "litefer/nn/registry.h"
#include "litefer/packed_dataset.h"
#include "litefer/train/augment.h"
#include "litefer/train/evaluate.h"
#include "litefer/train/trainer.h"
#include "support/noise_pack.h"
#include "support/temp_dir.h"

using namespace litefer;
namespace fs = std::filesystem;

namespace {

using litefer::test::TempDir;

/// `n` noise images as split `name` in `dir`; returns the file's path.
std::string writeNoiseSplit(const TempDir& dir, const std::string& name, int n, unsigned seed) {
    const std::string path = dir.file(name + ".lfpack");
    test::writeNoisePack(path, n, seed, name);
    return path;
}

train::TrainOptions quickOptions(const TempDir& dir, const std::string& data) {
    train::TrainOptions o;
    o.network = "vgg-lite";
    o.trainPath = data;
    o.valPath = data;
    o.outDir = dir.file("run");
    o.batchSize = 20;
    o.optimizer = "adamw";
    o.lr = 3e-3;
    o.weightDecay = 0;
    o.warmupEpochs = 0;
    o.augment.enabled = false;
    o.threads = 1;  // bitwise-reproducible reductions
    o.progressBar = false;
    return o;
}

}  // namespace

TEST_CASE("a short real training run overfits 100 images to >= 90% train accuracy", "[train]") {
    TempDir dir("litefer-train");
    auto o = quickOptions(dir, writeNoiseSplit(dir, "train", 100, 1));
    o.epochs = 25;
    std::ostringstream log;
    train::TrainResult r = train::train(o, log);
    INFO(log.str());
    REQUIRE(r.finished);
    CHECK(r.history.back().trainAccuracy >= 0.90);
    CHECK(r.bestValAccuracy >= 0.90);  // val = the same 100 images, evaluated without dropout
    // Everything the output folder promises is there, and the model loads.
    for (const char* f : {"model.lfm", "model.json", "best.lfm", "metrics.json", "train_log.jsonl",
                          "curve.png", "checkpoint/state.json"}) {
        INFO(f);
        CHECK(fs::exists(fs::path(o.outDir) / f));
    }
    nn::LoadedModel m = nn::loadModel(r.modelPath);
    CHECK(m.manifest.architecture == "vgg-lite");
    CHECK(m.manifest.training.at("best_epoch").asInt() == r.bestEpoch);
    CHECK(m.manifest.metrics.at("val").at("accuracy").asDouble() == Approx(r.bestValAccuracy));
}

TEST_CASE("an interrupted run resumed from its checkpoint equals an uninterrupted one", "[train]") {
    TempDir dir("litefer-train");
    const std::string data = writeNoiseSplit(dir, "train", 60, 2);
    auto o = quickOptions(dir, data);
    o.epochs = 3;
    o.augment.enabled = true;  // the augmentation draws must be reproduced too
    o.mixupAlpha = 0.2;
    o.labelSmoothing = 0.1;
    std::ostringstream log;

    o.outDir = dir.file("straight");
    train::TrainResult straight = train::train(o, log);

    o.outDir = dir.file("interrupted");
    o.stopAfterEpochs = 1;
    train::TrainResult first = train::train(o, log);
    REQUIRE_FALSE(first.finished);
    REQUIRE(first.epochsRun == 1);
    o.stopAfterEpochs = 0;
    o.resume = true;
    train::TrainResult resumed = train::train(o, log);
    REQUIRE(resumed.finished);

    REQUIRE(resumed.history.size() == straight.history.size());
    for (std::size_t i = 0; i < straight.history.size(); ++i) {
        INFO("epoch " << i + 1);
        CHECK(resumed.history[i].trainLoss == straight.history[i].trainLoss);
        CHECK(resumed.history[i].valAccuracy == straight.history[i].valAccuracy);
    }
    CHECK(resumed.bestEpoch == straight.bestEpoch);
    CHECK(nn::readManifest(resumed.modelPath).weightsSha256 ==
          nn::readManifest(straight.modelPath).weightsSha256);
}

TEST_CASE("a time budget shortens the run but still ends with a finished model", "[train]") {
    TempDir dir("litefer-train");
    auto o = quickOptions(dir, writeNoiseSplit(dir, "train", 40, 3));
    o.epochs = 4;
    std::ostringstream log;

    SECTION("a budget too small for a second epoch stops after the first") {
        o.timeBudgetSeconds = 1e-3;
        train::TrainResult r = train::train(o, log);
        INFO(log.str());
        REQUIRE(r.finished);
        CHECK(r.shortenedByTimeBudget);
        CHECK(r.history.size() == 1);
        const auto m = nn::readManifest(r.modelPath);
        CHECK(m.training.at("epochs").asInt() == 1);
        CHECK(m.training.at("epochs_planned").asInt() == 4);
        CHECK(log.str().find("1 of 4 epochs fit") != std::string::npos);
    }
    SECTION("an ample budget changes nothing") {
        o.timeBudgetSeconds = 1e6;
        train::TrainResult r = train::train(o, log);
        REQUIRE(r.finished);
        CHECK_FALSE(r.shortenedByTimeBudget);
        CHECK(r.history.size() == 4);
        CHECK(nn::readManifest(r.modelPath).training.at("epochs").asInt() == 4);
    }
}

TEST_CASE("retraining from a VGG-pretrain file keeps the frozen blocks unchanged", "[train]") {
    TempDir dir("litefer-train");
    const std::string data = writeNoiseSplit(dir, "train", 24, 3);
    torch::manual_seed(5);
    nn::Network pre = nn::createNetwork("vgg-pretrain");
    test::randomizeBatchNorm(*pre);
    ModelManifest pm;
    pm.name = "pretrain";
    pm.trainingData = "none";
    pm.trainingSplit = "none";
    nn::saveModel(dir.file("pre.lfm"), *pre, pm);

    auto o = quickOptions(dir, data);
    o.network = "vgg-retrain-v2";
    o.initFrom = dir.file("pre.lfm");
    o.freezeEpochs = 1;
    o.epochs = 1;
    o.batchSize = 12;
    std::ostringstream log;
    train::TrainResult r = train::train(o, log);
    REQUIRE(r.finished);
    nn::LoadedModel m = nn::loadModel(r.modelPath);
    auto trained = m.network->named_parameters(true);
    auto preParams = pre->named_parameters(true);
    auto preBuffers = pre->named_buffers(true);
    int compared = 0;
    for (auto& p : trained) {
        if (p.key().rfind("blocks.", 0) == 0) {
            INFO(p.key());
            CHECK(torch::equal(p.value(), preParams[p.key()]));
            ++compared;
        }
    }
    for (auto& b : m.network->named_buffers(true)) {
        if (b.key().rfind("blocks.", 0) == 0) {
            INFO(b.key());
            CHECK(torch::equal(b.value(), preBuffers[b.key()]));
        }
    }
    CHECK(compared == 16);  // 2 kept blocks x 2 convs x (weight, bias, bn_weight, bn_bias)
    CHECK(m.manifest.training.at("init_from").asString() == o.initFrom);
}

TEST_CASE("distillation from a teacher model trains and records the teacher", "[train]") {
    TempDir dir("litefer-train");
    const std::string data = writeNoiseSplit(dir, "train", 24, 4);
    torch::manual_seed(6);
    nn::Network teacher = nn::createNetwork("vgg-lite");
    ModelManifest tm;
    tm.name = "teacher";
    tm.trainingData = "none";
    tm.trainingSplit = "none";
    nn::saveModel(dir.file("teacher.lfm"), *teacher, tm);
    auto o = quickOptions(dir, data);
    o.teacherPath = dir.file("teacher.lfm");
    o.kdWeight = 0.7;
    o.epochs = 2;
    std::ostringstream log;
    train::TrainResult r = train::train(o, log);
    REQUIRE(r.finished);
    CHECK(std::isfinite(r.history.back().trainLoss));
    CHECK(nn::readManifest(r.modelPath).training.at("teacher").asString() == o.teacherPath);
}

TEST_CASE("bad training options are refused with a clear message", "[train]") {
    TempDir dir("litefer-train");
    auto o = quickOptions(dir, writeNoiseSplit(dir, "train", 7, 5));
    o.initFrom = dir.file("pre.lfm");
    REQUIRE_THROWS_WITH(train::train(o, std::cerr), Catch::Contains("vgg-retrain"));
    o.initFrom.clear();
    o.network = "nope";
    REQUIRE_THROWS_WITH(train::train(o, std::cerr), Catch::Contains("unknown network"));
    o.network = "vgg-lite";
    o.trainPath = dir.file("missing.lfpack");
    REQUIRE_THROWS_WITH(train::train(o, std::cerr), Catch::Contains("missing.lfpack"));
}

TEST_CASE("test-time augmentation views have the documented shapes", "[train][tta]") {
    auto x = torch::rand({3, 1, 48, 48});
    CHECK(train::ttaViews(x, train::Tta::None).sizes() == torch::IntArrayRef({3, 1, 48, 48}));
    auto flip = train::ttaViews(x, train::Tta::Flip);
    CHECK(flip.sizes() == torch::IntArrayRef({6, 1, 48, 48}));
    CHECK(torch::equal(flip.narrow(0, 3, 3), x.flip({3})));
    auto ten = train::ttaViews(x, train::Tta::TenCrop);
    CHECK(ten.sizes() == torch::IntArrayRef({30, 1, 48, 48}));
    // View 0 is the top-left 44x44 crop resized to 48; view 1 its mirror.
    CHECK(torch::allclose(ten.narrow(0, 3, 3), ten.narrow(0, 0, 3).flip({3})));
    CHECK(train::parseTta("tencrop") == train::Tta::TenCrop);
    REQUIRE_THROWS_WITH(train::parseTta("twelve"), Catch::Contains("none, flip or tencrop"));
}

TEST_CASE("augmentation is reproducible from its seed and off when disabled", "[train]") {
    auto x = torch::rand({4, 1, 48, 48});
    train::AugmentOptions opts;
    std::mt19937_64 a(9), b(9), c(10);
    auto ya = train::augmentBatch(x, opts, a);
    CHECK(ya.sizes() == x.sizes());
    CHECK(torch::equal(ya, train::augmentBatch(x, opts, b)));
    CHECK_FALSE(torch::equal(ya, train::augmentBatch(x, opts, c)));
    opts.enabled = false;
    CHECK(torch::equal(x, train::augmentBatch(x, opts, a)));
}

TEST_CASE("evaluation with TTA on a trained-looking model gives valid metrics", "[train][tta]") {
    TempDir dir("litefer-train");
    PackedDataset d = readPacked(writeNoiseSplit(dir, "test", 21, 6));
    nn::Network net = nn::createNetwork("vgg-lite");
    for (auto tta : {train::Tta::None, train::Tta::Flip, train::Tta::TenCrop}) {
        auto probs = train::predict(*net, d, Normalization{}, tta, torch::kCPU, 8);
        REQUIRE(probs.sizes() == torch::IntArrayRef({21, 7}));
        CHECK(torch::allclose(probs.sum(1), torch::ones({21}), 1e-5, 1e-5));
        Metrics m = train::metricsFromProbabilities(probs, d);
        CHECK(m.total == 21);
    }
}
