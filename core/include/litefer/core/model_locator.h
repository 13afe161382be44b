#pragma once
// Where the app finds its models: the ones shipped in resources/models/ (installed to
// <prefix>/share/litefer/models/) and the default one.
#include <string>
#include <vector>

namespace litefer::core {

/// File name of the default model the app ships.
inline constexpr const char* kDefaultModelFile = "vgg-lite-fer2013.lfm";

/// Folders searched for shipped models, in order: $LITEFER_MODELS_DIR, the folder beside the
/// executable's `../share/litefer/models` (installed layout), and the source tree's
/// `resources/models` (build tree). Only existing folders are returned.
std::vector<std::string> modelSearchPath();

/// The default model's path: $LITEFER_MODEL if set, else kDefaultModelFile in the search path.
/// Throws std::runtime_error listing the places searched and the fix when none exists.
std::string defaultModelPath();

/// Every *.lfm file in the search path (first occurrence of each file name wins), sorted.
std::vector<std::string> shippedModels();

}  // namespace litefer::core
