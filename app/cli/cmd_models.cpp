// `litefer-cli models`, `litefer-cli model-info` and `litefer-cli convert`.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "args.h"
#include "commands.h"
#include "litefer/json.h"
#include "litefer/nn/complexity.h"
#include "litefer/nn/model_file.h"
#include "litefer/nn/registry.h"

namespace litefer::cli {

int runModels(int argc, const char* const* argv) {
    Args args("models", {{"json", "", "print JSON instead of a table", "", false}});
    args.parse(argc, argv, 2);
    if (args.flag("help")) {
        std::cout << args.help(
            "List every network with its depth, parameters and multiply-adds "
            "per 48x48 image, counted from the layers, beside the poster's "
            "Table 1 figures.",
            "[--json]");
        return kExitOk;
    }
    json::Value list = json::Value::array();
    if (!args.flag("json")) {
        std::printf("%-16s %6s %12s %10s  %-28s %s\n", "network", "depth", "parameters", "MMACs",
                    "poster (depth/params/acc)", "description");
    }
    for (const auto& info : nn::networkInfos()) {
        const nn::Complexity c = nn::measureComplexity(*nn::createNetwork(info.name));
        if (args.flag("json")) {
            json::Value v = json::Value::object();
            v["name"] = info.name;
            v["description"] = info.summary;
            v["depth"] = c.depth;
            v["parameters"] = c.parameters;
            v["macs"] = c.macs;
            json::Value poster = json::Value::object();
            poster["depth"] = info.posterDepth ? json::Value(*info.posterDepth) : json::Value();
            poster["parameters_millions"] =
                info.posterParamsMillions ? json::Value(*info.posterParamsMillions) : json::Value();
            poster["fer2013_accuracy_percent"] =
                info.posterAccuracy ? json::Value(*info.posterAccuracy) : json::Value();
            v["poster"] = poster;
            list.push(v);
            continue;
        }
        char poster[64] = "-";
        if (info.posterDepth) {
            std::snprintf(poster, sizeof poster, "%d / %.1fM / %.1f%%", *info.posterDepth,
                          *info.posterParamsMillions, *info.posterAccuracy);
        }
        std::printf("%-16s %6d %12lld %10.1f  %-28s %s\n", info.name.c_str(), c.depth,
                    static_cast<long long>(c.parameters), static_cast<double>(c.macs) / 1e6, poster,
                    info.summary.c_str());
    }
    if (args.flag("json")) {
        std::cout << list.dump(2) << '\n';
    } else {
        std::cout << "\nDepth counts weight layers on the main path, a depthwise-separable pair "
                     "once; MMACs are millions of multiply-adds per image.\n";
    }
    return kExitOk;
}

int runModelInfo(int argc, const char* const* argv) {
    Args args("model-info", {});
    args.parse(argc, argv, 2);
    if (args.flag("help") || args.positional().size() != 1) {
        std::cout << args.help(
            "Load a model file with every check (signature, manifest, "
            "labels, checksum, shapes, self-test) and print its manifest.",
            "FILE");
        return args.flag("help") ? kExitOk : kExitUsage;
    }
    nn::LoadedModel m = nn::loadModel(args.positional()[0]);  // throws with the path
    std::cout << m.manifest.toJson().dump(2) << '\n';
    return kExitOk;
}

int runConvert(int argc, const char* const* argv) {
    Args args("convert", {{"out", "FILE", "the converted model file (required)", ""},
                          {"dtype", "TYPE", "weights storage: float16 or float32", "float16"}});
    args.parse(argc, argv, 2);
    if (args.flag("help") || args.positional().size() != 1) {
        std::cout << args.help(
            "Rewrite a model file with its weights stored as float16 (half the size; "
            "computation stays float32) or float32. The manifest, training facts and "
            "metrics are kept; the checksum and probe logits are recomputed, and the "
            "largest change of the probe logits is printed.",
            "FILE --out FILE [--dtype float16|float32]");
        return args.flag("help") ? kExitOk : kExitUsage;
    }
    const std::string in = args.positional()[0];
    const std::string outPath = args.value("out", "");
    const std::string dtypeName = args.value("dtype", "float16");
    if (outPath.empty()) {
        throw UsageError("--out FILE is required");
    }
    if (dtypeName != "float16" && dtypeName != "float32") {
        throw UsageError("--dtype must be float16 or float32, not '" + dtypeName + "'");
    }
    nn::LoadedModel m = nn::loadModel(in);  // every check; throws naming the file
    ModelManifest manifest = m.manifest;
    manifest.training["converted_from"] =
        std::filesystem::path(in).filename().string() + " (weights " + m.manifest.weightsDtype +
        ", sha256 " + m.manifest.weightsSha256 + ")";
    const ModelManifest written =
        nn::saveModel(outPath, *m.network, manifest,
                      dtypeName == "float16" ? nn::WeightsDtype::Float16 : nn::WeightsDtype::Float32);
    double maxDiff = 0.0;
    for (std::size_t i = 0; i < written.probeLogits.size() && i < m.manifest.probeLogits.size();
         ++i) {
        maxDiff = std::max(maxDiff, std::abs(written.probeLogits[i] - m.manifest.probeLogits[i]));
    }
    std::printf("%s: %s, weights %lld -> %lld bytes (%s); probe logits changed by at most %.2e\n",
                outPath.c_str(), written.architecture.c_str(),
                static_cast<long long>(m.manifest.weightsBytes),
                static_cast<long long>(written.weightsBytes), dtypeName.c_str(), maxDiff);
    return kExitOk;
}

}  // namespace litefer::cli
