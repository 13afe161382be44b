#pragma once
// Classification metrics from a confusion matrix (rows = true class, columns = predicted), in
// canonical label order. Torch-free: the evaluator fills the matrix, this computes the rest.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "litefer/json.h"
#include "litefer/labels.h"

namespace litefer {

struct ClassMetrics {
    double precision = 0, recall = 0, f1 = 0;  ///< 0 where undefined (no predictions / support)
    std::int64_t support = 0;                  ///< true examples of the class
};

struct Metrics {
    std::int64_t total = 0, correct = 0;
    double accuracy = 0;
    double macroF1 = 0;  ///< unweighted mean of the per-class F1
    std::array<ClassMetrics, kNumEmotions> perClass{};
    std::vector<std::vector<std::int64_t>> confusion;  ///< 7 x 7

    json::Value toJson() const;
    /// Human-readable report: accuracy, macro-F1, per-class table and the confusion matrix.
    std::string report() const;
};

class ConfusionMatrix {
  public:
    ConfusionMatrix();
    /// Throws std::out_of_range for labels outside 0..6.
    void add(int trueLabel, int predicted);
    const std::vector<std::vector<std::int64_t>>& counts() const { return counts_; }
    Metrics metrics() const;

  private:
    std::vector<std::vector<std::int64_t>> counts_;
};

/// Throws std::invalid_argument unless `confusion` is 7 x 7 with non-negative counts.
Metrics computeMetrics(const std::vector<std::vector<std::int64_t>>& confusion);

/// The nearest-rank p-quantile of `values` (p in [0, 1]: 0.5 the lower median, 0.95 the p95),
/// the value such that at least p of the samples are <= it. 0 for no values. For latency
/// statistics (litefer-cli bench-pipeline, the GUI's statistics panel).
double percentile(std::vector<double> values, double p);

}  // namespace litefer
