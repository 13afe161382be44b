// EmotionClassifier: loading, batching, probabilities, devices, and a golden output.
#include "support/torch_helpers.h"  // first: see the note in it

#include <catch2/catch.hpp>

#include <filesystem>
#include <numeric>
#include <random>

#include <opencv2/imgproc.hpp>

#include "litefer/core/emotion_classifier.h"
#include "litefer/core/preprocess.h"
#include "litefer/nn/model_file.h"
#include "litefer/nn/registry.h"

using namespace litefer;
namespace fs = std::filesystem;

namespace {

/// A vgg-lite model with deterministic (RNG-free) weights, saved once per test run.
const std::string& goldenModelPath() {
    static const std::string path = [] {
        fs::path p = fs::temp_directory_path() /
                     ("litefer-golden-" + std::to_string(std::random_device{}()) + ".lfm");
        nn::Network net = nn::createNetwork("vgg-lite");
        test::deterministicInit(*net);
        ModelManifest m;
        m.name = "golden";
        m.trainingData = "none (deterministic weights)";
        m.trainingSplit = "none";
        nn::saveModel(p.string(), *net, m);
        return p.string();
    }();
    return path;
}

/// A fixed 48x48 face-like pattern: radial gradient with two dark "eyes".
cv::Mat goldenCrop() {
    cv::Mat img(48, 48, CV_8UC1);
    for (int y = 0; y < 48; ++y) {
        for (int x = 0; x < 48; ++x) {
            const double d = std::hypot(x - 23.5, y - 23.5);
            img.at<std::uint8_t>(y, x) = static_cast<std::uint8_t>(std::max(0.0, 220.0 - d * 4.0));
        }
    }
    cv::circle(img, {16, 18}, 3, cv::Scalar(30), cv::FILLED);
    cv::circle(img, {32, 18}, 3, cv::Scalar(30), cv::FILLED);
    return img;
}

core::ClassifierOptions cpuOptions() {
    core::ClassifierOptions o;
    o.device = core::Device::Cpu;
    o.threads = 2;
    return o;
}

}  // namespace

TEST_CASE("golden: a fixed model gives pinned probabilities on a fixed face", "[classifier]") {
    core::EmotionClassifier clf(goldenModelPath(), cpuOptions());
    auto scores = clf.classify({goldenCrop()});
    REQUIRE(scores.size() == 1);
    // Pinned from a reference run (Debian LibTorch 1.13.1, CPU). A change here means the network,
    // the preprocessing, the normalisation or BN folding changed behaviour.
    const EmotionScores expected = {0.0845475f, 0.0004180f, 0.0000110f, 0.1558128f,
                                    0.0000000f, 0.7592102f, 0.0000005f};
    for (std::size_t i = 0; i < kNumEmotions; ++i) {
        INFO(kEmotionNames[i]);
        CHECK(scores[0][i] == Approx(expected[i]).margin(1e-5));
    }
}

TEST_CASE("probabilities sum to one and batching gives the same answers as singles",
          "[classifier]") {
    core::EmotionClassifier clf(goldenModelPath(), cpuOptions());
    std::vector<cv::Mat> crops;
    cv::RNG rng(7);
    for (int i = 0; i < 5; ++i) {
        cv::Mat m(48, 48, CV_8UC1);
        rng.fill(m, cv::RNG::UNIFORM, 0, 256);
        crops.push_back(m);
    }
    crops.push_back(goldenCrop());
    auto batch = clf.classify(crops);
    REQUIRE(batch.size() == crops.size());
    for (std::size_t i = 0; i < crops.size(); ++i) {
        const float sum = std::accumulate(batch[i].begin(), batch[i].end(), 0.0f);
        CHECK(sum == Approx(1.0f).margin(1e-5));
        auto single = clf.classify({crops[i]});
        for (std::size_t k = 0; k < kNumEmotions; ++k) {
            CHECK(single[0][k] == Approx(batch[i][k]).margin(1e-5));
        }
    }
    CHECK(clf.classify({}).empty());
}

TEST_CASE("folded and unfolded inference agree within 1e-5", "[classifier]") {
    auto opts = cpuOptions();
    core::EmotionClassifier folded(goldenModelPath(), opts);
    opts.foldBatchNorm = false;
    core::EmotionClassifier plain(goldenModelPath(), opts);
    auto a = folded.classify({goldenCrop()});
    auto b = plain.classify({goldenCrop()});
    for (std::size_t k = 0; k < kNumEmotions; ++k) {
        CHECK(a[0][k] == Approx(b[0][k]).margin(1e-5));
    }
}

TEST_CASE("a crop of the wrong size or type is rejected", "[classifier]") {
    core::EmotionClassifier clf(goldenModelPath(), cpuOptions());
    REQUIRE_THROWS_AS(clf.classify({cv::Mat(64, 64, CV_8UC1, cv::Scalar(0))}),
                      std::invalid_argument);
    REQUIRE_THROWS_AS(clf.classify({cv::Mat(48, 48, CV_8UC3, cv::Scalar(0))}),
                      std::invalid_argument);
}

TEST_CASE("the crop from a colour image of any size is 48x48 grey", "[classifier]") {
    cv::Mat bgr(120, 90, CV_8UC3, cv::Scalar(10, 200, 30));
    cv::Mat crop = core::toNetworkCrop(bgr);
    CHECK(crop.rows == 48);
    CHECK(crop.cols == 48);
    CHECK(crop.type() == CV_8UC1);
    CHECK(core::toNetworkCrop(goldenCrop()).at<std::uint8_t>(18, 16) == 30);
    REQUIRE_THROWS_AS(core::toNetworkCrop(cv::Mat()), std::invalid_argument);
}

TEST_CASE("the classifier reports its model, size and device", "[classifier]") {
    core::EmotionClassifier clf(goldenModelPath(), cpuOptions());
    CHECK(clf.manifest().architecture == "vgg-lite");
    CHECK(clf.stats().parameters == clf.manifest().parameters);
    CHECK(clf.stats().macs > 0);
    CHECK(clf.deviceDescription() == "CPU, 2 threads");
}

TEST_CASE("a missing model is reported with its path", "[classifier]") {
    REQUIRE_THROWS_WITH(core::EmotionClassifier("/no/such/model.lfm", cpuOptions()),
                        Catch::Contains("/no/such/model.lfm"));
}

TEST_CASE("device names parse and cuda without a GPU is a clear error", "[classifier]") {
    CHECK(core::parseDevice("auto") == core::Device::Auto);
    CHECK(core::parseDevice("cpu") == core::Device::Cpu);
    REQUIRE_THROWS_WITH(core::parseDevice("tpu"), Catch::Contains("auto, cpu or cuda"));
    if (!torch::cuda::is_available()) {
        core::ClassifierOptions o;
        o.device = core::Device::Cuda;
        REQUIRE_THROWS_WITH(core::EmotionClassifier(goldenModelPath(), o), Catch::Contains("cuda"));
    }
}
