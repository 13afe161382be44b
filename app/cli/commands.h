#pragma once
// litefer-cli subcommands. Each `run*` function receives the whole argv (argv[1] is the command
// name) and returns the process exit code (see ExitCode). Commands throw UsageError for bad
// command lines and std::exception for runtime failures; main() turns both into messages.

namespace litefer::cli {

enum ExitCode : int {
    kExitOk = 0,
    kExitFailure = 1,  ///< runtime failure: bad input file, I/O error, target not met
    kExitUsage = 2,    ///< bad command line
};

// LibTorch-only commands (always built).
int runModels(int argc, const char* const* argv);
int runBenchModels(int argc, const char* const* argv);
int runModelInfo(int argc, const char* const* argv);
int runConvert(int argc, const char* const* argv);
int runTrain(int argc, const char* const* argv);
int runEval(int argc, const char* const* argv);

#ifdef LITEFER_HAVE_OPENCV
// Commands that need OpenCV (not in LITEFER_TORCH_ONLY builds).
int runPack(int argc, const char* const* argv);
int runAnalyze(int argc, const char* const* argv);
int runBenchPipeline(int argc, const char* const* argv);
int runSoak(int argc, const char* const* argv);
#endif

}  // namespace litefer::cli
