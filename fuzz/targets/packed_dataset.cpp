// Fuzz target: litefer::readPacked (.lfpack dataset files). Contract checked: failures are
// std::runtime_error (a length from the file that is trusted before being checked shows up as
// std::bad_alloc / std::length_error, or an ASan report, instead), and an accepted file holds
// the PackedDataset invariant (packed_dataset.h).
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "fuzz_support.h"
#include "litefer/labels.h"
#include "litefer/packed_dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string& path = litefer::fuzz::memFile().write(data, size);
    litefer::PackedDataset d;
    try {
        d = litefer::readPacked(path);
    } catch (const std::runtime_error&) {
        return 0;
    }
    if (d.pixels.size() != d.labels.size() * litefer::kPackImageBytes) {
        litefer::fuzz::contractViolation("readPacked: pixels do not match the label count");
    }
    std::int64_t total = 0;
    for (std::size_t c = 0; c < d.classCounts.size(); ++c) {
        total += d.classCounts[c];
    }
    for (std::uint8_t l : d.labels) {
        if (l >= litefer::kNumEmotions) {
            litefer::fuzz::contractViolation("readPacked: label out of range");
        }
    }
    if (total != static_cast<std::int64_t>(d.size())) {
        litefer::fuzz::contractViolation("readPacked: class_counts do not add up to the count");
    }
    return 0;
}
