// `litefer-cli bench-models`: forward-pass latency of every network on this machine, with the
// machine's own single-precision matrix-multiply rate as the ceiling, measured in the same run.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "args.h"
#include "commands.h"
#include "litefer/json.h"
#include "litefer/manifest.h"
#include "litefer/nn/complexity.h"
#include "litefer/nn/registry.h"
#include "litefer/nn/runtime.h"
#include "litefer/version.h"

namespace litefer::cli {

namespace {

constexpr int kWarmUpRuns = 5;
constexpr std::int64_t kGemmSide = 1024;

struct Timing {
    double medianMs = 0, p95Ms = 0;
};

Timing timeRuns(int runs, const std::function<void()>& fn) {
    for (int i = 0; i < kWarmUpRuns; ++i) {
        fn();
    }
    std::vector<double> ms;
    ms.reserve(static_cast<std::size_t>(runs));
    for (int i = 0; i < runs; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        fn();
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count());
    }
    std::sort(ms.begin(), ms.end());
    auto at = [&](double q) {
        return ms[std::min(ms.size() - 1,
                           static_cast<std::size_t>(q * static_cast<double>(ms.size())))];
    };
    return {at(0.5), at(0.95)};
}

std::string cpuModel() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("model name", 0) == 0) {
            return line.substr(line.find(':') + 2);
        }
    }
    return "unknown CPU";
}

}  // namespace

int runBenchModels(int argc, const char* const* argv) {
    Args args(
        "bench-models",
        {{"json", "", "print JSON instead of a table", "", false},
         {"runs", "N", "timed runs per network and batch size (>= 50)", "50", false},
         {"threads", "N", "LibTorch CPU threads (0 = one per core)", "0", false},
         {"device", "DEV", "cpu or cuda", "cpu", false},
         {"networks", "LIST", "comma-separated networks (default: all)", "", false},
         {"no-fold", "", "do not fold batch-norm (time the training-form network)", "", false}});
    args.parse(argc, argv, 2);
    if (args.flag("help")) {
        std::cout << args.help(
            "Median and p95 forward latency at batch 1 and 8 for every network (after warm-up, "
            "InferenceMode, BN folded), the achieved GFLOP/s, and the machine's sgemm GFLOP/s "
            "ceiling measured in the same run. Target: vgg-retrain-v2 >= 50% of the ceiling at "
            "batch 8.",
            "[--json] [--runs N] [--threads N] [--networks a,b]");
        return kExitOk;
    }
    const int runs = args.intValue("runs", 50);
    if (runs < 50) {
        throw UsageError("--runs must be at least 50");
    }
    const int threads = nn::setTorchThreads(args.intValue("threads", 0));
    const std::string deviceName = args.value("device", "cpu");
    if (deviceName != "cpu" && deviceName != "cuda") {
        throw UsageError("--device must be cpu or cuda");
    }
    const torch::Device device = nn::torchDevice(deviceName);
    auto sync = [&] {
        if (device.is_cuda()) {
            torch::cuda::synchronize();
        }
    };
    std::vector<std::string> names;
    if (auto list = args.value("networks"); list && !list->empty()) {
        std::stringstream ss(*list);
        for (std::string n; std::getline(ss, n, ',');) {
            nn::createNetwork(n);  // validates the name
            names.push_back(n);
        }
    } else {
        for (const auto& info : nn::networkInfos()) {
            names.push_back(info.name);
        }
    }
    const bool json = args.flag("json");

    torch::InferenceMode inference;
    // Ceiling: square float32 matrix multiply through the same LibTorch and BLAS.
    auto a = torch::randn({kGemmSide, kGemmSide}, torch::TensorOptions(device));
    auto b = torch::randn({kGemmSide, kGemmSide}, torch::TensorOptions(device));
    const Timing gemm = timeRuns(runs, [&] {
        torch::mm(a, b);
        sync();
    });
    const double gemmGflops =
        2.0 * std::pow(static_cast<double>(kGemmSide), 3) / (gemm.medianMs * 1e6);

    json::Value out = json::Value::object();
    out["litefer_version"] = kVersion;
    out["created"] = isoTimestampUtc();
    json::Value machine = json::Value::object();
    machine["cpu"] = cpuModel();
    machine["cores"] = static_cast<int>(std::thread::hardware_concurrency());
    machine["torch_threads"] = threads;
    machine["device"] = deviceName;
    machine["torch_version"] = TORCH_VERSION;
    out["machine"] = machine;
    json::Value ceiling = json::Value::object();
    ceiling["op"] = "sgemm " + std::to_string(kGemmSide) + "^3";
    ceiling["median_ms"] = gemm.medianMs;
    ceiling["gflops"] = gemmGflops;
    out["ceiling"] = ceiling;
    out["runs"] = runs;
    out["batchnorm_folded"] = !args.flag("no-fold");

    if (!json) {
        std::printf("machine: %s, %d torch threads, %s, LibTorch %s\n", cpuModel().c_str(), threads,
                    deviceName.c_str(), TORCH_VERSION);
        std::printf("ceiling: sgemm %lld^3 median %.2f ms = %.1f GFLOP/s\n\n",
                    static_cast<long long>(kGemmSide), gemm.medianMs, gemmGflops);
        std::printf("%-16s %10s %9s %9s %9s %9s %9s %9s %8s\n", "network", "MMACs", "b1 med",
                    "b1 p95", "b8 med", "b8 p95", "b1 GF/s", "b8 GF/s", "b8 %ceil");
    }
    json::Value results = json::Value::array();
    double v2Share = -1;
    for (const auto& name : names) {
        nn::Network net = nn::createNetwork(name);
        const nn::Complexity c = nn::measureComplexity(*net);
        net->to(device);
        net->eval();
        if (!args.flag("no-fold")) {
            nn::foldBatchNorm(*net);
        }
        json::Value r = json::Value::object();
        r["name"] = name;
        r["parameters"] = c.parameters;
        r["macs"] = c.macs;
        std::array<Timing, 2> t;
        std::array<double, 2> gflops{};
        const std::array<std::int64_t, 2> batches = {1, 8};
        for (std::size_t i = 0; i < batches.size(); ++i) {
            auto x = torch::randn({batches[i], 1, 48, 48}, torch::TensorOptions(device));
            t[i] = timeRuns(runs, [&] {
                net->forward(x);
                sync();
            });
            gflops[i] = 2.0 * static_cast<double>(c.macs * batches[i]) / (t[i].medianMs * 1e6);
            json::Value bj = json::Value::object();
            bj["batch"] = batches[i];
            bj["median_ms"] = t[i].medianMs;
            bj["p95_ms"] = t[i].p95Ms;
            bj["gflops"] = gflops[i];
            bj["share_of_ceiling"] = gflops[i] / gemmGflops;
            r["batch" + std::to_string(batches[i])] = bj;
        }
        if (name == "vgg-retrain-v2") {
            v2Share = gflops[1] / gemmGflops;
        }
        results.push(r);
        if (!json) {
            std::printf("%-16s %10.1f %9.2f %9.2f %9.2f %9.2f %9.1f %9.1f %7.0f%%\n", name.c_str(),
                        static_cast<double>(c.macs) / 1e6, t[0].medianMs, t[0].p95Ms, t[1].medianMs,
                        t[1].p95Ms, gflops[0], gflops[1], 100.0 * gflops[1] / gemmGflops);
            std::fflush(stdout);
        }
    }
    out["networks"] = results;
    if (v2Share >= 0) {
        json::Value target = json::Value::object();
        target["what"] = "vgg-retrain-v2 batch 8 GFLOP/s >= 50% of the sgemm ceiling";
        target["share"] = v2Share;
        target["met"] = v2Share >= 0.5;
        out["target"] = target;
    }
    if (json) {
        std::cout << out.dump(2) << '\n';
    } else {
        std::printf("\nLatencies in ms (median, p95 of %d runs after %d warm-up runs).\n", runs,
                    kWarmUpRuns);
        if (v2Share >= 0) {
            std::printf("Target vgg-retrain-v2 >= 50%% of ceiling at batch 8: %.0f%% (%s)\n",
                        100.0 * v2Share, v2Share >= 0.5 ? "met" : "NOT met");
        }
    }
    return kExitOk;
}

}  // namespace litefer::cli
