// Fuzz target: litefer::core::loadFer2013Csv (the FER2013 CSV reader of `litefer-cli pack`).
// Contract checked: failures are std::runtime_error (dataset.h), bad rows are skipped rather
// than failing, and every split returned holds the PackedDataset invariant.
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

#include "fuzz_support.h"
#include "litefer/core/dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string& path = litefer::fuzz::memFile().write(data, size);
    litefer::core::ClassMapOptions options;
    litefer::core::LoadReport report;
    std::map<std::string, litefer::PackedDataset> splits;
    try {
        splits = litefer::core::loadFer2013Csv(path, options, report);
    } catch (const std::runtime_error&) {
        return 0;
    }
    if (splits.empty()) {
        litefer::fuzz::contractViolation("loadFer2013Csv returned no split without throwing");
    }
    for (const auto& [name, d] : splits) {
        if (d.pixels.size() != d.labels.size() * litefer::kPackImageBytes) {
            litefer::fuzz::contractViolation("loadFer2013Csv: pixels do not match the labels");
        }
        for (std::uint8_t l : d.labels) {
            if (l >= litefer::kNumEmotions) {
                litefer::fuzz::contractViolation("loadFer2013Csv: label out of range");
            }
        }
    }
    if (report.problems.size() > litefer::core::LoadReport::kMaxProblems ||
        report.problems.size() > report.skipped) {
        litefer::fuzz::contractViolation("loadFer2013Csv: report counts inconsistent");
    }
    return 0;
}
