// `litefer-cli train` and `litefer-cli eval`.
#include <iostream>
#include <sstream>

#include "args.h"
#include "commands.h"
#include "litefer/files.h"
#include "litefer/nn/model_file.h"
#include "litefer/nn/registry.h"
#include "litefer/nn/runtime.h"
#include "litefer/plot.h"
#include "litefer/train/evaluate.h"
#include "litefer/train/trainer.h"

#ifdef LITEFER_HAVE_OPENCV
#include <filesystem>

#include "litefer/core/dataset.h"
#endif

namespace litefer::cli {

namespace {

std::string joinArgs(int argc, const char* const* argv) {
    std::string s;
    for (int i = 0; i < argc; ++i) {
        s += (i ? " " : "") + std::string(argv[i]);
    }
    return s;
}

/// A packed file, or (in builds with OpenCV) an image-folder root or a FER2013 CSV, whose
/// `split` is loaded on the fly.
PackedDataset loadEvalData(const std::string& path, const std::string& split) {
#ifdef LITEFER_HAVE_OPENCV
    namespace fs = std::filesystem;
    const bool folder = fs::is_directory(path);
    const bool csv = fs::path(path).extension() == ".csv";
    if (folder || csv) {
        core::LoadReport report;
        PackedDataset d;
        if (folder) {
            d = core::loadImageFolderSplit(path, split, core::ClassMapOptions{}, report);
        } else {
            auto splits = core::loadFer2013Csv(path, core::ClassMapOptions{}, report);
            auto it = splits.find(split);
            if (it == splits.end()) {
                throw std::runtime_error(path + " has no rows of split '" + split + "'");
            }
            d = std::move(it->second);
        }
        for (const auto& p : report.problems) {
            std::cerr << "skipped: " << p << '\n';
        }
        if (report.skipped > 0) {
            std::cerr << report.skipped << " item(s) skipped in " << path << '\n';
        }
        return d;
    }
#else
    (void)split;
#endif
    return readPacked(path);
}

}  // namespace

int runTrain(int argc, const char* const* argv) {
    const train::TrainOptions d;
    auto num = [](double v) {
        std::ostringstream s;
        s << v;
        return s.str();
    };
    Args args("train",
              {{"network", "NAME", "network to train (litefer-cli models)", d.network},
               {"train", "FILE", "packed training split (litefer-cli pack)", ""},
               {"val", "FILE", "packed validation split: selects the best epoch", ""},
               {"test", "FILE", "packed test split: evaluated once at the end", ""},
               {"out", "DIR", "output folder (checkpoints, logs, model.lfm)", ""},
               {"epochs", "N", "epochs", std::to_string(d.epochs)},
               {"batch", "N", "batch size", std::to_string(d.batchSize)},
               {"optimizer", "NAME", "sgd (Nesterov) or adamw", d.optimizer},
               {"lr", "X", "peak learning rate", num(d.lr)},
               {"momentum", "X", "SGD momentum", num(d.momentum)},
               {"weight-decay", "X", "weight decay", num(d.weightDecay)},
               {"schedule", "NAME", "cosine or plateau (reduce on plateau)", d.schedule},
               {"warmup", "N", "warm-up epochs", std::to_string(d.warmupEpochs)},
               {"patience", "N", "plateau: epochs without improvement",
                std::to_string(d.plateauPatience)},
               {"label-smoothing", "X", "label smoothing", num(d.labelSmoothing)},
               {"mixup", "ALPHA", "mixup Beta(alpha, alpha); 0 = off", num(d.mixupAlpha)},
               {"no-augment", "", "disable augmentation", ""},
               {"seed", "N", "random seed", std::to_string(d.seed)},
               {"threads", "N", "CPU threads (0 = one per core)", std::to_string(d.threads)},
               {"device", "DEV", "cpu or cuda", d.device},
               {"amp", "", "bfloat16 mixed precision (cuda)", ""},
               {"resume", "", "continue from OUT/checkpoint after an interruption", ""},
               {"init-from", "FILE", "vgg-pretrain model whose kept blocks start a retrain", ""},
               {"freeze-epochs", "N", "epochs the kept blocks stay frozen",
                std::to_string(d.freezeEpochs)},
               {"finetune-lr-scale", "X", "kept blocks' lr relative to --lr once unfrozen",
                num(d.finetuneLrScale)},
               {"teacher", "FILE", "distil from this model file", ""},
               {"kd-temperature", "T", "distillation temperature", num(d.kdTemperature)},
               {"kd-weight", "W", "distillation weight in the loss", num(d.kdWeight)},
               {"limit", "N", "use only the first N training images", "0"},
               {"data-name", "TEXT", "training data name for the manifest", d.trainingData},
               {"no-progress", "", "no progress bar (one line per epoch)", ""},
               {"stop-after", "N", "stop after N epochs of this run (testing resume)", "0"},
               {"time-budget", "S",
                "wall seconds for this call: fewer epochs if they would not fit (0 = none)",
                "0"}});
    args.parse(argc, argv, 2);
    if (args.flag("help")) {
        std::cout << args.help(
            "Train a network on packed data, select the best epoch on val, "
            "and write OUT/model.lfm with its manifest and metrics.",
            "--network NAME --train FILE --val FILE [--test FILE] --out DIR "
            "[options]");
        return kExitOk;
    }
    train::TrainOptions o;
    o.network = args.value("network", d.network);
    o.trainPath = args.value("train", "");
    o.valPath = args.value("val", "");
    o.testPath = args.value("test", "");
    o.outDir = args.value("out", "");
    if (o.trainPath.empty() || o.valPath.empty() || o.outDir.empty()) {
        throw UsageError("--train, --val and --out are required");
    }
    o.epochs = args.intValue("epochs", d.epochs);
    o.batchSize = args.intValue("batch", d.batchSize);
    o.optimizer = args.value("optimizer", d.optimizer);
    o.lr = args.doubleValue("lr", d.lr);
    o.momentum = args.doubleValue("momentum", d.momentum);
    o.weightDecay = args.doubleValue("weight-decay", d.weightDecay);
    o.schedule = args.value("schedule", d.schedule);
    o.warmupEpochs = args.intValue("warmup", d.warmupEpochs);
    o.plateauPatience = args.intValue("patience", d.plateauPatience);
    o.labelSmoothing = args.doubleValue("label-smoothing", d.labelSmoothing);
    o.mixupAlpha = args.doubleValue("mixup", d.mixupAlpha);
    o.augment.enabled = !args.flag("no-augment");
    o.seed = static_cast<std::uint64_t>(args.intValue("seed", 1));
    o.threads = args.intValue("threads", d.threads);
    o.device = args.value("device", d.device);
    o.amp = args.flag("amp");
    o.resume = args.flag("resume");
    o.initFrom = args.value("init-from", "");
    o.freezeEpochs = args.intValue("freeze-epochs", d.freezeEpochs);
    o.finetuneLrScale = args.doubleValue("finetune-lr-scale", d.finetuneLrScale);
    o.teacherPath = args.value("teacher", "");
    o.kdTemperature = args.doubleValue("kd-temperature", d.kdTemperature);
    o.kdWeight = args.doubleValue("kd-weight", d.kdWeight);
    o.limit = args.intValue("limit", 0);
    o.trainingData = args.value("data-name", d.trainingData);
    o.progressBar = !args.flag("no-progress");
    o.stopAfterEpochs = args.intValue("stop-after", 0);
    o.timeBudgetSeconds = args.doubleValue("time-budget", 0);
    if (o.timeBudgetSeconds < 0) {
        throw UsageError("--time-budget must be >= 0 seconds");
    }
    o.commandLine = joinArgs(argc, argv);
    train::TrainResult r = train::train(o, std::cerr);
    return r.finished || o.stopAfterEpochs > 0 ? kExitOk : kExitFailure;
}

int runEval(int argc, const char* const* argv) {
    Args args("eval", {{"model", "FILE", "model file (.lfm)", ""},
                       {"data", "PATH",
                        "packed split (.lfpack), or an image-folder root or FER2013 CSV", ""},
                       {"split", "NAME", "split to read from a folder or CSV", "test"},
                       {"tta", "MODE", "none, flip, tencrop or all", "all"},
                       {"json", "", "print JSON", ""},
                       {"confusion-png", "FILE", "write the confusion matrix (first TTA mode)", ""},
                       {"device", "DEV", "cpu or cuda", "cpu"},
                       {"threads", "N", "CPU threads (0 = one per core)", "0"}});
    args.parse(argc, argv, 2);
    if (args.flag("help")) {
        std::cout << args.help(
            "Accuracy, per-class precision/recall/F1, macro-F1 and the "
            "confusion matrix of a model on a packed split, with and without "
            "test-time augmentation.",
            "--model FILE --data FILE [--tta MODE] [--json]");
        return kExitOk;
    }
    const std::string modelPath = args.value("model", "");
    const std::string dataPath = args.value("data", "");
    if (modelPath.empty() || dataPath.empty()) {
        throw UsageError("--model and --data are required");
    }
    std::vector<train::Tta> modes;
    const std::string tta = args.value("tta", "all");
    if (tta == "all") {
        modes = {train::Tta::None, train::Tta::Flip, train::Tta::TenCrop};
    } else {
        modes = {train::parseTta(tta)};
    }
    const std::string dev = args.value("device", "cpu");
    if (dev != "cpu" && dev != "cuda") {
        throw UsageError("--device must be cpu or cuda");
    }
    const torch::Device device = nn::torchDevice(dev);
    nn::setTorchThreads(args.intValue("threads", 0));
    nn::LoadedModel model = nn::loadModel(modelPath);
    model.network->to(device);
    nn::foldBatchNorm(*model.network);
    const PackedDataset data = loadEvalData(dataPath, args.value("split", "test"));
    json::Value out = json::Value::object();
    out["model"] = modelPath;
    out["architecture"] = model.manifest.architecture;
    out["data"] = dataPath;
    out["split"] = data.split;
    for (std::size_t i = 0; i < modes.size(); ++i) {
        auto probs =
            train::predict(*model.network, data, model.manifest.normalization, modes[i], device);
        Metrics m = train::metricsFromProbabilities(probs, data);
        out[train::ttaName(modes[i])] = m.toJson();
        if (!args.flag("json")) {
            std::cout << "== " << modelPath << " on " << dataPath << " (split " << data.split
                      << "), test-time augmentation: " << train::ttaName(modes[i]) << '\n'
                      << m.report() << '\n';
        }
        if (i == 0) {
            if (auto png = args.value("confusion-png"); png && !png->empty()) {
                std::vector<std::string> labels(kEmotionNames.begin(), kEmotionNames.end());
                writeFileAtomic(*png, plot::renderConfusionMatrix(
                                          m.confusion, labels,
                                          model.manifest.architecture + " - " + data.split +
                                              ", TTA " + train::ttaName(modes[i]))
                                          .png());
            }
        }
    }
    if (args.flag("json")) {
        std::cout << out.dump(2) << '\n';
    }
    return kExitOk;
}

}  // namespace litefer::cli
