#pragma once
// Dataset readers: turn the two common distributions of FER data into PackedDataset splits
// (see litefer/packed_dataset.h), skipping and reporting bad items instead of failing on them.
//
// - Image folders: `<root>/<split>/<class>/<image>` with extensions jpg, jpeg, png, bmp (any
//   case). Class folder names map to canonical labels through mapClassName().
// - The FER2013 CSV (`emotion,pixels,Usage`, columns in any order): one row per face, 2304
//   space-separated grey values; Usage Training/PublicTest/PrivateTest -> train/val/test.
//
// Every image ends up as 48x48 grey uint8 (cv::INTER_AREA resize when needed, stretched, not
// cropped: the inputs are expected to be face crops already), labels in FER2013 order. Colour
// files are turned grey by OpenCV's decoder (cv::IMREAD_GRAYSCALE: libjpeg's luma for JPEG,
// BT.601 weights otherwise), the same conversion cv::imread applies.
// Nothing here is thread-safe across calls sharing a LoadReport; separate calls are independent.
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "litefer/labels.h"
#include "litefer/packed_dataset.h"

namespace litefer::core {

/// How dataset class names become canonical labels.
struct ClassMapOptions {
    /// User overrides, applied before the built-in names: lower-case class name -> target, where
    /// target is a canonical label name or synonym, a FER id "0".."6", or "drop".
    std::map<std::string, std::string> overrides;
    /// Drop class folders whose name is unknown instead of failing (e.g. "contempt").
    bool dropUnknown = false;
};

/// Parses "contempt=drop,anger=angry" (comma-separated NAME=TARGET pairs, as given to
/// `--class-map`) into `options.overrides`. Throws std::invalid_argument naming the bad pair
/// when a pair has no '=' or its target is not a label, a synonym, 0..6 or "drop".
void parseClassMap(std::string_view spec, ClassMapOptions& options);

/// Result of mapping one class name.
struct ClassMapping {
    enum class Kind { Label, Drop, Unknown };
    Kind kind = Kind::Unknown;
    Emotion emotion = Emotion::Neutral;  ///< meaningful only when kind == Label
};

/// Maps a class (folder) name, case-insensitively: a user override first, then the canonical
/// names and common synonyms (anger/mad, disgusted, fearful/scared/afraid, happiness/joy,
/// sadness, surprised), then "0".."6" as FER2013 ids. Numeric names follow FER2013 order only:
/// RAF-DB (1..7) and AffectNet (0..7) number their classes differently and need --class-map.
/// Returns Kind::Unknown for anything else (dropUnknown is applied by the loaders, not here).
ClassMapping mapClassName(std::string_view name, const ClassMapOptions& options);

/// What a loader skipped or dropped, for the user. Problems are kept up to kMaxProblems
/// messages; the counts are always complete.
struct LoadReport {
    static constexpr std::size_t kMaxProblems = 20;
    std::vector<std::string> problems;  ///< "<file>[:<line>]: <reason>", first kMaxProblems
    std::size_t skipped = 0;            ///< bad items (unreadable image, invalid CSV row)
    std::vector<std::string> notes;     ///< intentional exclusions, e.g. dropped class folders
    std::size_t dropped = 0;            ///< items excluded on purpose (dropped classes)

    /// Counts one skipped item and keeps its message while fewer than kMaxProblems are kept.
    void addProblem(std::string message);
};

/// Called as (items done, items total) while a loader works; may be empty.
using ProgressFn = std::function<void(std::size_t, std::size_t)>;

/// Split folder names under an image-folder root, sorted. Throws std::runtime_error if the
/// root is not a directory.
std::vector<std::string> listSplitFolders(const std::string& root);

/// Loads `<root>/<split>/<class>/*` (classes and files in sorted order, so the result is
/// deterministic). Unreadable images (empty decode, truncated JPEG without its end marker,
/// decoder exceptions) are skipped and reported in `report`, and counted in the result's
/// `skipped`. Throws std::runtime_error naming the folder and the fix when the split folder
/// does not exist (listing the splits that do), when a class folder name is unknown and
/// options.dropUnknown is false, or when no image of the split could be read.
PackedDataset loadImageFolderSplit(const std::string& root, const std::string& split,
                                   const ClassMapOptions& options, LoadReport& report,
                                   const ProgressFn& progress = {});

/// Loads a FER2013-style CSV into splits keyed "train", "val", "test" (Usage Training,
/// PublicTest, PrivateTest; also accepted: train, val/validation, test, any case). Without a
/// Usage column every row goes to "train". Rows with a wrong field or pixel count, a
/// non-number, a pixel outside 0..255, a label outside 0..6 or an unknown Usage are skipped and
/// reported with their 1-based line number. Handles CRLF, a UTF-8 BOM, blank lines and quoted
/// fields. `options.overrides` may remap or drop FER ids by name or number (e.g.
/// "disgust=angry"). Throws std::runtime_error naming the file when it cannot be read, its
/// header lacks the emotion or pixels column, or no row is valid.
std::map<std::string, PackedDataset> loadFer2013Csv(const std::string& path,
                                                    const ClassMapOptions& options,
                                                    LoadReport& report);

/// True when the JPEG stream `p[0..n)` (starting with FF D8) reaches its end-of-image marker.
/// OpenCV decodes truncated JPEGs into full-size images with grey fill (only a warning on
/// stderr), so image readers call this before decoding. Used by the dataset loaders and by
/// the still-image and folder sources.
bool jpegHasEndMarker(const std::uint8_t* p, std::size_t n);

}  // namespace litefer::core
