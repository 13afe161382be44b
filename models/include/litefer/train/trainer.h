#pragma once
// The trainer behind `litefer-cli train`. LibTorch only: it reads packed datasets (see
// packed_dataset.h), so it runs unchanged on the GPU machine.
//
// Output folder:
//   checkpoint/{model.pt, optimizer.pt, state.json}  after every epoch (state.json written last,
//                                                    atomically: it is the commit point)
//   best.lfm            model file of the best epoch on val so far
//   train_log.jsonl     one JSON object per epoch
//   curve.png           loss and accuracy per epoch
//   model.lfm           final model (best epoch) with its manifest and metrics
//   metrics.json        val metrics and, if a test split was given, test metrics with and
//                       without test-time augmentation (evaluated once, at the end)
//   confusion_test.png  confusion matrix on test (no TTA)
#include <functional>
#include <ostream>
#include <string>

#include "litefer/manifest.h"
#include "litefer/metrics.h"
#include "litefer/train/augment.h"

namespace litefer::train {

struct TrainOptions {
    std::string network = "vgg-lite";
    std::string trainPath, valPath, testPath;  ///< packed splits; test optional
    std::string outDir;
    int epochs = 40;
    int batchSize = 64;
    std::string optimizer = "sgd";  ///< "sgd" (Nesterov momentum) | "adamw"
    double lr = 0.05;
    double momentum = 0.9;
    double weightDecay = 5e-4;
    std::string schedule = "cosine";  ///< "cosine" | "plateau"
    int warmupEpochs = 1;             ///< linear warm-up from lr/10, per iteration
    double minLrFraction = 0.01;      ///< cosine floor, as a fraction of lr
    int plateauPatience = 3;          ///< epochs without val improvement before lr *= factor
    double plateauFactor = 0.5;
    double labelSmoothing = 0.0;
    double mixupAlpha = 0.0;  ///< 0 = off; else lambda ~ Beta(alpha, alpha) per batch
    std::uint64_t seed = 1;
    int threads = 0;             ///< LibTorch CPU threads (0 = one per core)
    std::string device = "cpu";  ///< "cpu" | "cuda"
    bool amp = false;            ///< bfloat16 autocast on CUDA
    bool resume = false;         ///< continue from outDir/checkpoint if present
    /// Retraining: a vgg-pretrain model file whose kept blocks initialise vgg-retrain-v1/v2.
    std::string initFrom;
    int freezeEpochs = 0;          ///< kept blocks frozen for this many epochs
    double finetuneLrScale = 0.1;  ///< kept blocks' lr relative to lr once unfrozen
    /// Knowledge distillation from a teacher model file (any architecture).
    std::string teacherPath;
    double kdTemperature = 4.0;
    double kdWeight = 0.5;   ///< loss = (1-w) * CE + w * T^2 * KL(teacher || student)
    std::int64_t limit = 0;  ///< use only the first N training images (0 = all)
    AugmentOptions augment;
    Normalization normalization;
    bool progressBar = true;
    std::string commandLine;  ///< recorded in the manifest
    std::string trainingData = "FER2013";
    /// Testing aid: stop (as if killed) after this many epochs of this invocation (0 = never).
    int stopAfterEpochs = 0;
    /// Wall-clock budget of this invocation in seconds (0 = none). After epochs 1 and 2 the
    /// measured epoch time sets how many epochs fit (never more than `epochs`), so the
    /// schedule still completes; and before each further epoch, one that would not finish in
    /// time (with a reserve for the final test evaluation) is not started: the run ends with
    /// the best epoch so far. The epochs run, planned and the budget go into the manifest.
    double timeBudgetSeconds = 0;
};

struct EpochRecord {
    int epoch = 0;
    double lr = 0, trainLoss = 0, trainAccuracy = 0, valLoss = 0, valAccuracy = 0;
    double valMacroF1 = 0, seconds = 0, imagesPerSecond = 0;
};

struct TrainResult {
    int epochsRun = 0;  ///< epochs completed in total (including before a resume)
    bool finished = false;
    bool shortenedByTimeBudget = false;  ///< fewer epochs than asked because of the budget
    int bestEpoch = 0;
    double bestValAccuracy = 0;
    std::vector<EpochRecord> history;
    std::string modelPath;  ///< model.lfm when finished
};

/// Throws std::runtime_error / std::invalid_argument with a clear message for bad options or
/// unreadable inputs. Progress goes to `log`.
TrainResult train(const TrainOptions& options, std::ostream& log);

}  // namespace litefer::train
