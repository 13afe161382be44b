// `litefer-cli models` and `litefer-cli model-info`.
#include <cstdio>
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

}  // namespace litefer::cli
