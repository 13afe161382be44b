#pragma once
// Packed datasets: one split of 48x48 grey face crops with canonical labels, in one binary file
// (`<split>.lfpack`) that training and evaluation read in a single call. Torch-free and
// OpenCV-free, so the GPU machine (LibTorch only) can read what `litefer-cli pack` wrote here.
//
// File layout (all integers little-endian):
//   8 bytes   magic "LFPACK\0\1"
//   u32       format version (kPackFormatVersion)
//   u32       header length H
//   H bytes   UTF-8 JSON header: format "litefer-pack", version, height, width, count N,
//             labels (the 7 canonical names, in order), class_counts [7], split, source,
//             created (ISO 8601 UTC), payload_sha256 (hex SHA-256 of the record bytes), skipped
//   N records 1 label byte (0..6, FER2013 order, see labels.h) + 48*48 grey pixels, row-major
//
// Pixels are stored as they came out of the loader (grey 0..255, no normalisation): the
// mean/std normalisation belongs to the model manifest, not to the data.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "litefer/labels.h"

namespace litefer {

/// Side of every packed image, in pixels.
inline constexpr int kPackSide = 48;
/// Bytes of one packed image (kPackSide * kPackSide grey pixels).
inline constexpr std::size_t kPackImageBytes =
    static_cast<std::size_t>(kPackSide) * static_cast<std::size_t>(kPackSide);
/// The only format version this code reads and writes.
inline constexpr std::uint32_t kPackFormatVersion = 1;
/// Conventional file extension, with the dot.
inline constexpr const char* kPackExtension = ".lfpack";

/// One split in memory. Invariant (checked by writePacked, guaranteed by readPacked):
/// pixels.size() == labels.size() * kPackImageBytes and every label is < kNumEmotions.
struct PackedDataset {
    std::vector<std::uint8_t> labels;  ///< canonical ids 0..6, one per image
    std::vector<std::uint8_t> pixels;  ///< size() images of kPackImageBytes, row-major
    std::string split;                 ///< "train", "val", "test", ...
    std::string source;                ///< free text: where the images came from
    /// Images per class. Filled by readPacked and by add(); writePacked recomputes it from
    /// labels, so code that fills labels directly need not keep it up to date.
    std::array<std::int64_t, kNumEmotions> classCounts{};
    std::int64_t skipped = 0;  ///< input items the loader skipped (unreadable, invalid)
    std::string created;       ///< ISO 8601 UTC; set by readPacked (writePacked stamps "now")

    std::size_t size() const { return labels.size(); }
    bool empty() const { return labels.empty(); }
    /// Pixels of image i (kPackImageBytes, row-major). Requires i < size().
    const std::uint8_t* image(std::size_t i) const { return pixels.data() + i * kPackImageBytes; }
    /// Appends one image: `grey48` points at kPackImageBytes row-major pixels.
    void add(Emotion label, const std::uint8_t* grey48);
};

/// Writes `data` to `path` atomically (a temporary file renamed over the target, so readers
/// never see half a file). Computes class_counts, count and payload_sha256 from the data.
/// Throws std::invalid_argument if the invariant above does not hold, std::runtime_error
/// (naming the path) if the file cannot be written.
void writePacked(const std::string& path, const PackedDataset& data);

/// Reads and fully validates a packed file: magic, version, header JSON and its fields,
/// payload size against count, label bytes, class_counts and the SHA-256 checksum. Never
/// trusts a length from the file before checking it against the file size.
/// Throws std::runtime_error whose message names the file, the problem and the fix.
/// Cost: one read of the file, one SHA-256 pass, one copy of the pixels.
PackedDataset readPacked(const std::string& path);

}  // namespace litefer
