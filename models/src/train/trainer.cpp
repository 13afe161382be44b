#include "litefer/train/trainer.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "litefer/files.h"
#include "litefer/json.h"
#include "litefer/nn/complexity.h"
#include "litefer/nn/input.h"
#include "litefer/nn/model_file.h"
#include "litefer/nn/registry.h"
#include "litefer/nn/runtime.h"
#include "litefer/packed_dataset.h"
#include "litefer/plot.h"
#include "litefer/train/evaluate.h"

namespace litefer::train {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// Mixed precision on CUDA: bfloat16 autocast (no loss scaling needed). The autocast API was
/// renamed in LibTorch 2.4; both spellings are kept so the trainer builds against either.
class AutocastScope {
  public:
    explicit AutocastScope(bool on) : on_(on) {
        if (!on_) {
            return;
        }
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
        at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
        at::autocast::set_autocast_enabled(at::kCUDA, true);
#else
        at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
        at::autocast::set_enabled(true);
#endif
    }
    ~AutocastScope() {
        if (!on_) {
            return;
        }
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
        at::autocast::set_autocast_enabled(at::kCUDA, false);
#else
        at::autocast::set_enabled(false);
#endif
        at::autocast::clear_cache();
    }
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;

  private:
    bool on_;
};

struct SplitTensors {
    torch::Tensor pixels;  // uint8 [N, 48, 48], CPU
    torch::Tensor labels;  // int64 [N], CPU
    PackedDataset data;
};

/// Reads a packed split; with `limit` > 0 keeps a seeded random subset of that many images
/// (packed files are ordered by class, so a prefix would be one class).
SplitTensors loadSplit(const std::string& path, std::int64_t limit, std::uint64_t seed) {
    SplitTensors s;
    s.data = readPacked(path);  // throws naming the file
    if (limit > 0 && static_cast<std::size_t>(limit) < s.data.size()) {
        std::vector<std::size_t> idx(s.data.size());
        std::iota(idx.begin(), idx.end(), 0);
        std::mt19937_64 rng(seed);
        std::shuffle(idx.begin(), idx.end(), rng);
        idx.resize(static_cast<std::size_t>(limit));
        std::sort(idx.begin(), idx.end());
        PackedDataset subset;
        subset.split = s.data.split;
        subset.source = s.data.source;
        for (std::size_t i : idx) {
            subset.add(static_cast<Emotion>(s.data.labels[i]), s.data.image(i));
        }
        s.data = std::move(subset);
    }
    if (s.data.empty()) {
        throw std::runtime_error("packed dataset '" + path + "' holds no images");
    }
    const auto n = static_cast<std::int64_t>(s.data.size());
    s.pixels = torch::from_blob(s.data.pixels.data(), {n, kPackSide, kPackSide}, torch::kUInt8);
    s.labels = torch::from_blob(s.data.labels.data(), {n}, torch::kUInt8).to(torch::kInt64);
    return s;
}

/// Per-sample cross-entropy with label smoothing `eps` (uniform over the 7 classes).
torch::Tensor smoothedCe(const torch::Tensor& logits, const torch::Tensor& y, double eps) {
    auto logp = torch::log_softmax(logits, 1);
    auto nll = -logp.gather(1, y.unsqueeze(1)).squeeze(1);
    if (eps <= 0) {
        return nll;
    }
    return (1.0 - eps) * nll - eps * logp.mean(1);
}

/// Hinton et al. 2015: T^2 * KL(softmax(t/T) || softmax(s/T)), per sample.
torch::Tensor distillation(const torch::Tensor& student, const torch::Tensor& teacher, double t) {
    auto pt = torch::softmax(teacher / t, 1);
    auto kl =
        (pt * (torch::log_softmax(teacher / t, 1) - torch::log_softmax(student / t, 1))).sum(1);
    return kl * (t * t);
}

double sampleBeta(double alpha, std::mt19937_64& rng) {
    std::gamma_distribution<double> g(alpha, 1.0);
    const double a = g(rng), b = g(rng);
    return a + b > 0 ? a / (a + b) : 0.5;
}

struct ScheduleState {
    double plateauFactor = 1.0;
    double plateauBest = -1.0;
    int plateauBad = 0;
};

double lrFactor(const TrainOptions& o, const ScheduleState& s, double t /* epochs done */) {
    if (t < o.warmupEpochs) {
        return 0.1 + 0.9 * t / o.warmupEpochs;
    }
    if (o.schedule == "plateau") {
        return s.plateauFactor;
    }
    const double span = std::max(1.0, static_cast<double>(o.epochs - o.warmupEpochs));
    const double progress = std::min(1.0, (t - o.warmupEpochs) / span);
    return o.minLrFraction + (1.0 - o.minLrFraction) * 0.5 * (1.0 + std::cos(M_PI * progress));
}

void setGroupLr(torch::optim::Optimizer& opt, std::size_t group, double lr) {
    auto& options = opt.param_groups()[group].options();
    if (auto* sgd = dynamic_cast<torch::optim::SGDOptions*>(&options)) {
        sgd->lr(lr);
    } else if (auto* adamw = dynamic_cast<torch::optim::AdamWOptions*>(&options)) {
        adamw->lr(lr);
    }
}

json::Value recordJson(const EpochRecord& r) {
    json::Value v = json::Value::object();
    v["epoch"] = r.epoch;
    v["lr"] = r.lr;
    v["train_loss"] = r.trainLoss;
    v["train_accuracy"] = r.trainAccuracy;
    v["val_loss"] = r.valLoss;
    v["val_accuracy"] = r.valAccuracy;
    v["val_macro_f1"] = r.valMacroF1;
    v["seconds"] = r.seconds;
    v["images_per_second"] = r.imagesPerSecond;
    return v;
}

EpochRecord recordFromJson(const json::Value& v) {
    EpochRecord r;
    r.epoch = v.at("epoch").asInt();
    r.lr = v.at("lr").asDouble();
    r.trainLoss = v.at("train_loss").asDouble();
    r.trainAccuracy = v.at("train_accuracy").asDouble();
    r.valLoss = v.at("val_loss").asDouble();
    r.valAccuracy = v.at("val_accuracy").asDouble();
    r.valMacroF1 = v.at("val_macro_f1").asDouble();
    r.seconds = v.at("seconds").asDouble();
    r.imagesPerSecond = v.at("images_per_second").asDouble();
    return r;
}

void writeCurve(const std::string& path, const std::vector<EpochRecord>& history,
                const std::string& title) {
    plot::LineChart chart;
    chart.title = title;
    chart.xLabel = "epoch";
    chart.yLabel = "loss / accuracy";
    plot::Series trainLoss{"train loss", {}, {}, plot::paletteColor(0)};
    plot::Series valLoss{"val loss", {}, {}, plot::paletteColor(1)};
    plot::Series trainAcc{"train accuracy", {}, {}, plot::paletteColor(2)};
    plot::Series valAcc{"val accuracy", {}, {}, plot::paletteColor(3)};
    for (const auto& r : history) {
        const auto e = static_cast<double>(r.epoch);
        for (auto* s : {&trainLoss, &valLoss, &trainAcc, &valAcc}) {
            s->x.push_back(e);
        }
        trainLoss.y.push_back(r.trainLoss);
        valLoss.y.push_back(r.valLoss);
        trainAcc.y.push_back(r.trainAccuracy);
        valAcc.y.push_back(r.valAccuracy);
    }
    chart.series = {trainLoss, valLoss, trainAcc, valAcc};
    writeFileAtomic(path, plot::renderLineChart(chart).png());
}

void progressBar(std::ostream& log, int epoch, int epochs, std::int64_t done, std::int64_t total,
                 double loss, double acc, double ips) {
    constexpr int kWidth = 28;
    const int filled = static_cast<int>(kWidth * done / std::max<std::int64_t>(total, 1));
    const double eta = ips > 0 ? static_cast<double>(total - done) / ips : 0;
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "\repoch %d/%d [%s%s] %lld/%lld loss %.4f acc %.2f%% %.0f img/s ETA %d:%02d ",
                  epoch, epochs, std::string(static_cast<std::size_t>(filled), '=').c_str(),
                  std::string(static_cast<std::size_t>(kWidth - filled), ' ').c_str(),
                  static_cast<long long>(done), static_cast<long long>(total), loss, 100.0 * acc,
                  ips, static_cast<int>(eta) / 60, static_cast<int>(eta) % 60);
    log << buf << std::flush;
}

json::Value metricsSummary(const Metrics& m, bool withConfusion) {
    json::Value v = json::Value::object();
    v["accuracy"] = m.accuracy;
    v["macro_f1"] = m.macroF1;
    v["images"] = m.total;
    json::Value recall = json::Value::object();
    for (std::size_t c = 0; c < kNumEmotions; ++c) {
        recall[std::string(kEmotionNames[c])] = m.perClass[c].recall;
    }
    v["recall"] = recall;
    if (withConfusion) {
        v["confusion"] = m.toJson().at("confusion");
    }
    return v;
}

void validate(const TrainOptions& o) {
    if (o.trainPath.empty() || o.valPath.empty() || o.outDir.empty()) {
        throw std::invalid_argument("training needs --train, --val and --out");
    }
    nn::createNetwork(o.network);  // validates the name
    if (o.epochs < 1 || o.batchSize < 1) {
        throw std::invalid_argument("epochs and batch size must be >= 1");
    }
    if (o.optimizer != "sgd" && o.optimizer != "adamw") {
        throw std::invalid_argument("optimizer must be sgd or adamw");
    }
    if (o.schedule != "cosine" && o.schedule != "plateau") {
        throw std::invalid_argument("schedule must be cosine or plateau");
    }
    nn::torchDevice(o.device);  // validates the name and that CUDA is there when asked for
    if (o.amp && o.device != "cuda") {
        throw std::invalid_argument("--amp (mixed precision) is for --device cuda only");
    }
    if (!o.initFrom.empty() && o.network != "vgg-retrain-v1" && o.network != "vgg-retrain-v2") {
        throw std::invalid_argument("--init-from is for vgg-retrain-v1 and vgg-retrain-v2");
    }
    if (o.labelSmoothing < 0 || o.labelSmoothing >= 1 || o.mixupAlpha < 0 || o.kdWeight < 0 ||
        o.kdWeight > 1 || o.kdTemperature <= 0) {
        throw std::invalid_argument(
            "label smoothing in [0,1), mixup >= 0, kd weight in [0,1], "
            "temperature > 0");
    }
}

struct Checkpoint {
    fs::path dir;
    fs::path state() const { return dir / "state.json"; }
};

}  // namespace

TrainResult train(const TrainOptions& options, std::ostream& log) {
    validate(options);
    TrainOptions o = options;  // o.epochs may shrink to fit o.timeBudgetSeconds
    const auto wallStart = Clock::now();
    fs::create_directories(o.outDir);
    const fs::path out(o.outDir);
    Checkpoint ckpt{out / "checkpoint"};
    fs::create_directories(ckpt.dir);

    nn::setTorchThreads(o.threads);
    const torch::Device device = nn::torchDevice(o.device);
    if (device.is_cuda()) {
        at::globalContext().setBenchmarkCuDNN(true);  // fixed 48x48 shapes: pick the fastest
    }

    SplitTensors trainSet = loadSplit(o.trainPath, o.limit, o.seed);
    SplitTensors valSet = loadSplit(o.valPath, 0, 0);
    const auto n = static_cast<std::int64_t>(trainSet.data.size());
    // The training set lives on the training device (66 MB for FER2013): batches are gathered
    // there, with no host-to-device copy per iteration.
    const torch::Tensor trainPixels = trainSet.pixels.to(device);
    const torch::Tensor trainLabels = trainSet.labels.to(device);
    log << "train: " << n << " images from " << o.trainPath << "\nval:   " << valSet.data.size()
        << " images from " << o.valPath << '\n';

    // The network, initialised from the seed (and from a VGG-pretrain model when retraining).
    torch::manual_seed(o.seed);
    nn::Network net = nn::createNetwork(o.network);
    auto* retrain = dynamic_cast<nn::VggRetrainImpl*>(net.get());
    if (!o.initFrom.empty()) {
        nn::LoadedModel pre = nn::loadModel(o.initFrom);
        retrain->copyKeptBlocksFrom(*pre.network);
        log << "kept blocks copied from " << o.initFrom << '\n';
    }
    net->to(device);

    nn::Network teacher;
    if (!o.teacherPath.empty()) {
        nn::LoadedModel t = nn::loadModel(o.teacherPath);
        teacher = t.network;
        teacher->to(device);
        teacher->eval();
        nn::foldBatchNorm(*teacher);
        log << "distilling from " << o.teacherPath << " (" << t.manifest.architecture << ", T "
            << o.kdTemperature << ", weight " << o.kdWeight << ")\n";
    }

    // Two parameter groups: the kept VGG blocks (fine-tuned at a lower rate) and the rest.
    std::vector<torch::Tensor> kept, rest;
    for (auto& p : net->named_parameters(true)) {
        (retrain != nullptr && !o.initFrom.empty() && p.key().rfind("blocks.", 0) == 0 ? kept
                                                                                       : rest)
            .push_back(p.value());
    }
    std::vector<torch::optim::OptimizerParamGroup> groups;
    auto makeOptions = [&]() -> std::unique_ptr<torch::optim::OptimizerOptions> {
        if (o.optimizer == "sgd") {
            return std::make_unique<torch::optim::SGDOptions>(torch::optim::SGDOptions(o.lr)
                                                                  .momentum(o.momentum)
                                                                  .nesterov(true)
                                                                  .weight_decay(o.weightDecay));
        }
        return std::make_unique<torch::optim::AdamWOptions>(
            torch::optim::AdamWOptions(o.lr).weight_decay(o.weightDecay));
    };
    groups.emplace_back(rest, makeOptions());
    if (!kept.empty()) {
        groups.emplace_back(kept, makeOptions());
    }
    std::unique_ptr<torch::optim::Optimizer> opt;
    if (o.optimizer == "sgd") {
        opt = std::make_unique<torch::optim::SGD>(groups, torch::optim::SGDOptions(o.lr));
    } else {
        opt = std::make_unique<torch::optim::AdamW>(groups, torch::optim::AdamWOptions(o.lr));
    }

    // State, possibly resumed.
    TrainResult result;
    ScheduleState sched;
    int startEpoch = 1;
    std::string bestPath = (out / "best.lfm").string();
    if (o.resume && fs::exists(ckpt.state())) {
        json::Value st = json::parse(readFileBytes(ckpt.state().string()));
        if (st.at("network").asString() != o.network) {
            throw std::runtime_error("checkpoint in " + ckpt.dir.string() + " is for network " +
                                     st.at("network").asString() + ", not " + o.network +
                                     "; use another --out or the same --network");
        }
        const int done = st.at("epoch").asInt();
        torch::serialize::InputArchive modelArchive, optArchive;
        modelArchive.load_from((ckpt.dir / st.at("model_file").asString()).string(), device);
        net->load(modelArchive);
        optArchive.load_from((ckpt.dir / st.at("optimizer_file").asString()).string(), device);
        opt->load(optArchive);
        for (const auto& r : st.at("history").asArray()) {
            result.history.push_back(recordFromJson(r));
        }
        result.bestEpoch = st.at("best_epoch").asInt();
        result.bestValAccuracy = st.at("best_val_accuracy").asDouble();
        sched.plateauFactor = st.at("plateau_factor").asDouble();
        sched.plateauBest = st.at("plateau_best").asDouble();
        sched.plateauBad = st.at("plateau_bad").asInt();
        if (const json::Value* e = st.find("epochs"); e != nullptr && o.timeBudgetSeconds > 0) {
            o.epochs = std::min(o.epochs, std::max(done, e->asInt()));  // as fitted before
        }
        startEpoch = done + 1;
        log << "resumed after epoch " << done << " from " << ckpt.dir.string() << '\n';
    }
    {  // the per-epoch log, rewritten from the (possibly resumed) history
        std::string text;
        for (const auto& r : result.history) {
            text += recordJson(r).dump() + '\n';
        }
        writeFileAtomic((out / "train_log.jsonl").string(), text);
    }
    std::ofstream epochLog(out / "train_log.jsonl", std::ios::app);

    auto saveManifestBase = [&](const std::string& name) {
        ModelManifest m;
        m.name = name;
        m.normalization = o.normalization;
        m.trainingData = o.trainingData;
        m.trainingSplit = "trained on " + fs::path(o.trainPath).filename().string() + " (" +
                          std::to_string(n) + " images); epoch selected on " +
                          fs::path(o.valPath).filename().string() + " accuracy";
        json::Value t = json::Value::object();
        t["command"] = o.commandLine;
        t["epochs"] = o.epochs;
        t["batch_size"] = o.batchSize;
        t["optimizer"] = o.optimizer;
        t["lr"] = o.lr;
        t["weight_decay"] = o.weightDecay;
        t["schedule"] = o.schedule;
        t["warmup_epochs"] = o.warmupEpochs;
        t["label_smoothing"] = o.labelSmoothing;
        t["mixup_alpha"] = o.mixupAlpha;
        t["seed"] = static_cast<std::int64_t>(o.seed);
        t["augment"] = o.augment.enabled;
        t["device"] = o.device;
        if (!o.initFrom.empty()) {
            t["init_from"] = o.initFrom;
            t["freeze_epochs"] = o.freezeEpochs;
        }
        if (!o.teacherPath.empty()) {
            t["teacher"] = o.teacherPath;
            t["kd_temperature"] = o.kdTemperature;
            t["kd_weight"] = o.kdWeight;
        }
        m.training = t;
        return m;
    };

    const std::int64_t itersPerEpoch = (n + o.batchSize - 1) / o.batchSize;
    int ranThisCall = 0;
    for (int epoch = startEpoch; epoch <= o.epochs; ++epoch) {
        const auto epochStart = Clock::now();
        const bool frozen = retrain != nullptr && !o.initFrom.empty() && epoch <= o.freezeEpochs;
        if (retrain != nullptr) {
            retrain->freezeKeptBlocks(frozen);
        }
        // Every random draw of this epoch derives from (seed, epoch): a resumed run repeats it.
        std::mt19937_64 rng(o.seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(epoch));
        torch::manual_seed(o.seed * 1000003ULL + static_cast<std::uint64_t>(epoch));
        std::vector<std::int64_t> order(static_cast<std::size_t>(n));
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), rng);
        auto orderT = torch::from_blob(order.data(), {n}, torch::kInt64).to(device);

        net->train();
        // Running sums stay on the device; reading them (.item) waits for the device, so it
        // happens only for the progress bar and at the end of the epoch.
        auto lossSum = torch::zeros({}, torch::TensorOptions(device).dtype(torch::kFloat64));
        auto correct = torch::zeros({}, torch::TensorOptions(device).dtype(torch::kInt64));
        std::int64_t seen = 0;
        double lr = o.lr;
        for (std::int64_t it = 0; it < itersPerEpoch; ++it) {
            const double t =
                (epoch - 1) + static_cast<double>(it) / static_cast<double>(itersPerEpoch);
            lr = o.lr * lrFactor(o, sched, t);
            setGroupLr(*opt, 0, lr);
            if (opt->param_groups().size() > 1) {
                setGroupLr(*opt, 1, lr * o.finetuneLrScale);
            }
            const std::int64_t start = it * o.batchSize;
            const std::int64_t b = std::min<std::int64_t>(o.batchSize, n - start);
            auto idx = orderT.narrow(0, start, b);
            auto x = nn::normalizePixels(trainPixels.index_select(0, idx), o.normalization);
            x = augmentBatch(x, o.augment, rng);
            auto y = trainLabels.index_select(0, idx);

            torch::Tensor y2;
            double lam = 1.0;
            if (o.mixupAlpha > 0) {
                lam = sampleBeta(o.mixupAlpha, rng);
                std::vector<std::int64_t> perm(static_cast<std::size_t>(b));
                std::iota(perm.begin(), perm.end(), 0);
                std::shuffle(perm.begin(), perm.end(), rng);
                auto permT = torch::from_blob(perm.data(), {b}, torch::kInt64).to(device);
                x = lam * x + (1.0 - lam) * x.index_select(0, permT);
                y2 = y.index_select(0, permT);
            }
            torch::Tensor logits, loss;
            {
                AutocastScope autocast(o.amp);
                logits = net->forward(x).to(torch::kFloat32);
                loss = smoothedCe(logits, y, o.labelSmoothing) * lam;
                if (y2.defined()) {
                    loss = loss + smoothedCe(logits, y2, o.labelSmoothing) * (1.0 - lam);
                }
                if (teacher) {
                    torch::Tensor tl;
                    {
                        torch::NoGradGuard noGrad;
                        tl = teacher->forward(x).to(torch::kFloat32);
                    }
                    loss = (1.0 - o.kdWeight) * loss +
                           o.kdWeight * distillation(logits, tl, o.kdTemperature);
                }
                loss = loss.mean();
            }
            opt->zero_grad();
            loss.backward();
            opt->step();

            lossSum += loss.detach().to(torch::kFloat64) * static_cast<double>(b);
            correct += logits.detach().argmax(1).eq(y).sum();
            seen += b;
            if (o.progressBar && (it % 10 == 0 || it + 1 == itersPerEpoch)) {
                progressBar(
                    log, epoch, o.epochs, seen, n,
                    lossSum.item<double>() / static_cast<double>(seen),
                    static_cast<double>(correct.item<std::int64_t>()) / static_cast<double>(seen),
                    static_cast<double>(seen) / secondsSince(epochStart));
            }
        }
        const double trainSeconds = secondsSince(epochStart);

        const auto valStart = Clock::now();
        auto valProbs = predict(*net, valSet.data, o.normalization, Tta::None, device);
        Metrics val = metricsFromProbabilities(valProbs, valSet.data);
        const double valLoss =
            -torch::log(valProbs.gather(1, valSet.labels.unsqueeze(1)).clamp_min(1e-12))
                 .mean()
                 .item<double>();

        const double valSeconds = secondsSince(valStart);
        EpochRecord rec;
        rec.epoch = epoch;
        rec.lr = lr;
        rec.trainLoss = lossSum.item<double>() / static_cast<double>(seen);
        rec.trainAccuracy =
            static_cast<double>(correct.item<std::int64_t>()) / static_cast<double>(seen);
        rec.valLoss = valLoss;
        rec.valAccuracy = val.accuracy;
        rec.valMacroF1 = val.macroF1;
        rec.seconds = secondsSince(epochStart);
        rec.imagesPerSecond = static_cast<double>(n) / trainSeconds;
        result.history.push_back(rec);
        epochLog << recordJson(rec).dump() << '\n' << std::flush;
        char line[240];
        std::snprintf(line, sizeof line,
                      "%sepoch %d/%d  lr %.5f  train loss %.4f acc %.2f%%  val loss %.4f acc "
                      "%.2f%% macro-F1 %.3f  %.0f s (%.0f img/s)%s\n",
                      o.progressBar ? "\n" : "", epoch, o.epochs, lr, rec.trainLoss,
                      100 * rec.trainAccuracy, rec.valLoss, 100 * rec.valAccuracy, rec.valMacroF1,
                      rec.seconds, rec.imagesPerSecond, frozen ? "  [kept blocks frozen]" : "");
        log << line << std::flush;
        writeCurve((out / "curve.png").string(), result.history,
                   o.network + " on " + o.trainingData);

        if (val.accuracy > result.bestValAccuracy) {
            result.bestValAccuracy = val.accuracy;
            result.bestEpoch = epoch;
            ModelManifest m = saveManifestBase(o.network + " " + o.trainingData);
            m.metrics["val"] = metricsSummary(val, false);
            m.training["best_epoch"] = epoch;
            net->to(torch::kCPU);
            nn::saveModel(bestPath, *net, m);
            net->to(device);
        }
        if (o.schedule == "plateau" && epoch > o.warmupEpochs) {
            if (val.accuracy > sched.plateauBest) {
                sched.plateauBest = val.accuracy;
                sched.plateauBad = 0;
            } else if (++sched.plateauBad >= o.plateauPatience) {
                sched.plateauFactor *= o.plateauFactor;
                sched.plateauBad = 0;
                log << "val accuracy has not improved for " << o.plateauPatience
                    << " epochs: lr factor now " << sched.plateauFactor << '\n';
            }
        }

        // Time budget: decided before the checkpoint below, which records the epoch count, so
        // that a resume keeps the same schedule.
        if (o.timeBudgetSeconds > 0 && epoch < o.epochs) {
            // What the end needs: best model reloaded, val once, test without TTA, flip and
            // ten-crop (13 val-sized passes in all), plus a margin for loading and writing.
            const double reserve = 14.0 * valSeconds * (o.testPath.empty() ? 0.2 : 1.0) + 10.0;
            const double left = o.timeBudgetSeconds - secondsSince(wallStart) - reserve;
            const int fit = epoch + static_cast<int>(std::floor(left / rec.seconds));
            int epochs = o.epochs;
            if (epoch <= 2) {
                epochs = std::clamp(fit, epoch, options.epochs);  // refit on the first epochs
            } else if (fit <= epoch) {
                epochs = epoch;  // the next epoch would overrun the budget
            }
            if (epochs != o.epochs) {
                log << "time budget " << o.timeBudgetSeconds << " s: " << epochs << " of "
                    << options.epochs << " epochs fit (" << rec.seconds << " s per epoch)\n";
                o.epochs = epochs;
                result.shortenedByTimeBudget = o.epochs < options.epochs;
            }
        }

        // Checkpoint: epoch-numbered archives first, then state.json (atomic) as the commit point.
        {
            const std::string modelFile = "model-" + std::to_string(epoch) + ".pt";
            const std::string optFile = "optimizer-" + std::to_string(epoch) + ".pt";
            torch::serialize::OutputArchive ma, oa;
            net->save(ma);
            ma.save_to((ckpt.dir / modelFile).string());
            opt->save(oa);
            oa.save_to((ckpt.dir / optFile).string());
            json::Value st = json::Value::object();
            st["network"] = o.network;
            st["epoch"] = epoch;
            st["model_file"] = modelFile;
            st["optimizer_file"] = optFile;
            st["epochs"] = o.epochs;
            st["best_epoch"] = result.bestEpoch;
            st["best_val_accuracy"] = result.bestValAccuracy;
            st["plateau_factor"] = sched.plateauFactor;
            st["plateau_best"] = sched.plateauBest;
            st["plateau_bad"] = sched.plateauBad;
            json::Value hist = json::Value::array();
            for (const auto& r : result.history) {
                hist.push(recordJson(r));
            }
            st["history"] = hist;
            writeFileAtomic(ckpt.state().string(), st.dump(2));
            for (const auto& entry : fs::directory_iterator(ckpt.dir)) {
                const std::string name = entry.path().filename().string();
                if (name.size() > 3 && name.substr(name.size() - 3) == ".pt" && name != modelFile &&
                    name != optFile) {
                    fs::remove(entry.path());
                }
            }
        }
        result.epochsRun = epoch;
        if (o.stopAfterEpochs > 0 && ++ranThisCall >= o.stopAfterEpochs && epoch < o.epochs) {
            log << "stopping after " << ranThisCall << " epoch(s) as asked; resume with --resume\n";
            return result;
        }
    }
    result.epochsRun = o.epochs;

    // Final model: the best epoch, evaluated once on test (if given) with and without TTA.
    nn::LoadedModel best = nn::loadModel(bestPath);
    best.network->to(device);
    ModelManifest m = best.manifest;
    m.training["epochs"] = o.epochs;
    json::Value metricsOut = json::Value::object();
    metricsOut["epochs_run"] = o.epochs;
    metricsOut["epochs_planned"] = options.epochs;
    if (o.timeBudgetSeconds > 0) {
        m.training["epochs_planned"] = options.epochs;
        m.training["time_budget_seconds"] = o.timeBudgetSeconds;
    }
    {
        auto probs = predict(*best.network, valSet.data, o.normalization, Tta::None, device);
        Metrics val = metricsFromProbabilities(probs, valSet.data);
        metricsOut["val"] = val.toJson();
        m.metrics["val"] = metricsSummary(val, false);
    }
    if (!o.testPath.empty()) {
        SplitTensors testSet = loadSplit(o.testPath, 0, 0);
        json::Value test = json::Value::object();
        for (Tta tta : {Tta::None, Tta::Flip, Tta::TenCrop}) {
            auto probs = predict(*best.network, testSet.data, o.normalization, tta, device);
            Metrics tm = metricsFromProbabilities(probs, testSet.data);
            test[ttaName(tta)] = tm.toJson();
            m.metrics["test_tta_" + ttaName(tta)] = metricsSummary(tm, tta == Tta::None);
            log << "test (" << ttaName(tta) << "): accuracy " << 100.0 * tm.accuracy
                << "%, macro-F1 " << tm.macroF1 << '\n';
            if (tta == Tta::None) {
                log << tm.report();
                std::vector<std::string> labels(kEmotionNames.begin(), kEmotionNames.end());
                writeFileAtomic(
                    (out / "confusion_test.png").string(),
                    plot::renderConfusionMatrix(tm.confusion, labels, o.network + " - test, no TTA")
                        .png());
            }
        }
        metricsOut["test"] = test;
    }
    m.training["wall_seconds_this_run"] = secondsSince(wallStart);
    best.network->to(torch::kCPU);
    const std::string finalPath = (out / "model.lfm").string();
    nn::saveModel(finalPath, *best.network, m);
    writeFileAtomic((out / "model.json").string(), nn::readManifest(finalPath).toJson().dump(2));
    metricsOut["best_epoch"] = result.bestEpoch;
    writeFileAtomic((out / "metrics.json").string(), metricsOut.dump(2));
    result.finished = true;
    result.modelPath = finalPath;
    log << "best epoch " << result.bestEpoch << " (val accuracy " << 100.0 * result.bestValAccuracy
        << "%); model written to " << finalPath << '\n';
    return result;
}

}  // namespace litefer::train
