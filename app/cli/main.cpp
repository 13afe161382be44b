// litefer-cli: the command-line face of LiteFER (model facts, benchmarks, datasets, training,
// evaluation, headless analysis). See `litefer-cli --help`.
#include <cstring>
#include <exception>
#include <iostream>
#include <string_view>

#include "args.h"
#include "commands.h"
#include "litefer/version.h"

namespace {

using litefer::cli::kExitFailure;
using litefer::cli::kExitOk;
using litefer::cli::kExitUsage;

struct CommandEntry {
    const char* name;
    const char* summary;
    int (*run)(int, const char* const*);
};

constexpr CommandEntry kCommands[] = {
    {"models", "list the networks with depth, parameters and multiply-adds",
     litefer::cli::runModels},
    {"model-info", "check a model file and print its manifest", litefer::cli::runModelInfo},
    {"convert", "rewrite a model file with float16 (or float32) weights", litefer::cli::runConvert},
    {"bench-models", "benchmark every network's forward pass on this machine",
     litefer::cli::runBenchModels},
    {"train", "train a network on packed data (select on val, report test once)",
     litefer::cli::runTrain},
    {"eval", "evaluate a model on a packed split, with and without test-time augmentation",
     litefer::cli::runEval},
#ifdef LITEFER_HAVE_OPENCV
    {"pack", "pack an image-folder or FER2013 CSV dataset into binary split files",
     litefer::cli::runPack},
    {"analyze", "analyse a camera, video, image(s) or stream and record a session folder",
     litefer::cli::runAnalyze},
    {"bench-pipeline", "benchmark the whole pipeline (per stage, end to end) on video files",
     litefer::cli::runBenchPipeline},
    {"soak", "loop a video through the pipeline with recording; check memory, fds, rows",
     litefer::cli::runSoak},
#endif
};

void printHelp(std::ostream& out) {
    out << "litefer-cli " << litefer::kVersion
        << " - facial expression recognition tools\n\n"
           "Usage: litefer-cli <command> [options]\n"
           "       litefer-cli <command> --help\n"
           "       litefer-cli --version\n\nCommands:\n";
    for (const auto& c : kCommands) {
        std::string_view name = c.name;
        out << "  " << name << std::string(name.size() < 16 ? 16 - name.size() : 1, ' ')
            << c.summary << '\n';
    }
    out << "\nExit codes: 0 success, 1 failure (message on stderr), 2 bad command line.\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        printHelp(std::cerr);
        return kExitUsage;
    }
    std::string_view cmd = argv[1];
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        printHelp(std::cout);
        return kExitOk;
    }
    if (cmd == "--version" || cmd == "-V") {
        std::cout << "litefer-cli " << litefer::kVersion << '\n';
        return kExitOk;
    }
    for (const auto& c : kCommands) {
        if (cmd == c.name) {
            try {
                return c.run(argc, argv);
            } catch (const litefer::cli::UsageError& e) {
                std::cerr << "litefer-cli " << c.name << ": " << e.what() << "\n(see litefer-cli "
                          << c.name << " --help)\n";
                return kExitUsage;
            } catch (const std::exception& e) {
                std::cerr << "litefer-cli " << c.name << ": error: " << e.what() << '\n';
                return kExitFailure;
            }
        }
    }
    std::cerr << "litefer-cli: unknown command '" << cmd << "'\n\n";
    printHelp(std::cerr);
    return kExitUsage;
}
