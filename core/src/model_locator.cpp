#include "litefer/core/model_locator.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <stdexcept>

namespace litefer::core {

namespace fs = std::filesystem;

namespace {

fs::path executableDir() {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : exe.parent_path();
}

}  // namespace

std::vector<std::string> modelSearchPath() {
    std::vector<fs::path> candidates;
    if (const char* env = std::getenv("LITEFER_MODELS_DIR"); env != nullptr && *env != '\0') {
        candidates.emplace_back(env);
    }
    if (fs::path dir = executableDir(); !dir.empty()) {
        candidates.push_back(dir / ".." / "share" / "litefer" / "models");
    }
#ifdef LITEFER_SOURCE_MODELS_DIR
    candidates.emplace_back(LITEFER_SOURCE_MODELS_DIR);
#endif
    std::vector<std::string> out;
    for (const auto& c : candidates) {
        std::error_code ec;
        if (fs::is_directory(c, ec)) {
            out.push_back(fs::weakly_canonical(c, ec).string());
        }
    }
    return out;
}

std::string defaultModelPath() {
    if (const char* env = std::getenv("LITEFER_MODEL"); env != nullptr && *env != '\0') {
        return env;
    }
    const auto dirs = modelSearchPath();
    for (const auto& d : dirs) {
        fs::path p = fs::path(d) / kDefaultModelFile;
        if (fs::exists(p)) {
            return p.string();
        }
    }
    std::string searched;
    for (const auto& d : dirs) {
        searched += (searched.empty() ? "" : ", ") + d;
    }
    throw std::runtime_error(
        std::string("the default model ") + kDefaultModelFile +
        " was not found (searched: " + (searched.empty() ? "no model folder exists" : searched) +
        "). Reinstall LiteFER, set LITEFER_MODEL=FILE, or pass --model FILE.");
}

std::vector<std::string> shippedModels() {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto& d : modelSearchPath()) {
        std::vector<fs::path> files;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(d, ec)) {
            if (e.path().extension() == ".lfm") {
                files.push_back(e.path());
            }
        }
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            if (seen.insert(f.filename().string()).second) {
                out.push_back(f.string());
            }
        }
    }
    return out;
}

}  // namespace litefer::core
