// Fuzz target: litefer::json::parse (manifests, metrics, settings, session files).
// Contract checked beyond "no crash": whatever parses, dump() (compact and indented) writes text
// that parses back to an equal value (json.h).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "litefer/json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using litefer::json::Value;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    Value v;
    try {
        v = litefer::json::parse(text);
    } catch (const litefer::json::Error&) {
        return 0;  // rejected: the expected outcome for most inputs
    }
    for (int indent : {-1, 2}) {
        const std::string out = v.dump(indent);
        Value back;
        try {
            back = litefer::json::parse(out);
        } catch (const litefer::json::Error&) {
            litefer::fuzz::contractViolation("dump() wrote text that parse() rejects");
        }
        if (back != v) {
            litefer::fuzz::contractViolation("parse(dump(v)) != v");
        }
    }
    return 0;
}
