// Fuzz target: a model manifest's JSON (litefer::json::parse + ModelManifest::fromJson), the
// part of a .lfm file that is text. Contract checked: fromJson throws only json::Error, and a
// manifest it accepts survives toJson -> fromJson unchanged.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "litefer/json.h"
#include "litefer/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using litefer::ModelManifest;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    ModelManifest m;
    try {
        m = ModelManifest::fromJson(litefer::json::parse(text));
    } catch (const litefer::json::Error&) {
        return 0;
    }
    const litefer::json::Value once = m.toJson();
    ModelManifest again;
    try {
        again = ModelManifest::fromJson(litefer::json::parse(once.dump(2)));
    } catch (const litefer::json::Error&) {
        litefer::fuzz::contractViolation("an accepted manifest does not read back");
    }
    if (again.toJson() != once) {
        litefer::fuzz::contractViolation("manifest changed through toJson -> fromJson");
    }
    return 0;
}
