#pragma once
// EmotionClassifier: a loaded, checked model ready for inference. Public API without LibTorch
// types, so Qt code can include it.
#include <opencv2/core.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "litefer/labels.h"
#include "litefer/manifest.h"

namespace litefer::core {

enum class Device { Auto, Cpu, Cuda };

/// "auto" | "cpu" | "cuda" -> Device. Throws std::invalid_argument otherwise.
Device parseDevice(const std::string& name);

struct ClassifierOptions {
    Device device = Device::Auto;  ///< Auto = CUDA when LibTorch has it and a GPU is present
    /// LibTorch intra-op threads on the CPU; 0 = one per core. Debian's LibTorch otherwise runs on
    /// 1 thread. Note: a process-wide LibTorch setting.
    int threads = 0;
    bool foldBatchNorm = true;  ///< fold BN into convolutions (same outputs within 1e-5, faster)
    bool warmUp = true;         ///< run a few forwards at load (the first is 2-5x slower)
};

/// Facts about the loaded network, counted from its layers.
struct NetworkStats {
    std::int64_t parameters = 0;
    std::int64_t macs = 0;  ///< multiply-adds per face
    int depth = 0;
};

class EmotionClassifier {
  public:
    /// Loads and checks `modelPath` (see nn/model_file.h). Throws std::runtime_error whose
    /// message names the file and the fix.
    explicit EmotionClassifier(const std::string& modelPath, const ClassifierOptions& options = {});
    ~EmotionClassifier();
    EmotionClassifier(EmotionClassifier&&) noexcept;
    EmotionClassifier& operator=(EmotionClassifier&&) noexcept;

    /// `crops`: 48x48 CV_8UC1 faces from toNetworkCrop(). All are classified in one batch.
    /// Returns softmax probabilities in canonical label order, one per crop (empty in, empty out).
    /// Throws std::invalid_argument for a crop of the wrong size or type.
    /// Not thread-safe: call from one thread at a time.
    std::vector<EmotionScores> classify(const std::vector<cv::Mat>& crops);

    const ModelManifest& manifest() const;
    const NetworkStats& stats() const;
    const std::string& modelPath() const;
    /// "CPU, 2 threads" or "CUDA".
    std::string deviceDescription() const;
    bool onCuda() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace litefer::core
