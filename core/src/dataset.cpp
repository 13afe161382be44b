#include "litefer/core/dataset.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <utility>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace litefer::core {

namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------------------------
// Class names

struct NamedLabel {
    std::string_view name;
    Emotion emotion;
};

// Canonical names first, then synonyms seen in public FER datasets (FER+, CK+, JAFFE, KDEF,
// ExpW folder releases). Lower case; matching lower-cases the input.
constexpr std::array<NamedLabel, 24> kClassNames = {{
    {"angry", Emotion::Angry},
    {"disgust", Emotion::Disgust},
    {"fear", Emotion::Fear},
    {"happy", Emotion::Happy},
    {"sad", Emotion::Sad},
    {"surprise", Emotion::Surprise},
    {"neutral", Emotion::Neutral},
    {"anger", Emotion::Angry},
    {"mad", Emotion::Angry},
    {"disgusted", Emotion::Disgust},
    {"fearful", Emotion::Fear},
    {"scared", Emotion::Fear},
    {"afraid", Emotion::Fear},
    {"happiness", Emotion::Happy},
    {"joy", Emotion::Happy},
    {"sadness", Emotion::Sad},
    {"surprised", Emotion::Surprise},
    {"0", Emotion::Angry},
    {"1", Emotion::Disgust},
    {"2", Emotion::Fear},
    {"3", Emotion::Happy},
    {"4", Emotion::Sad},
    {"5", Emotion::Surprise},
    {"6", Emotion::Neutral},
}};
constexpr std::string_view kDropTarget = "drop";

std::string toLower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

std::optional<Emotion> builtinLabel(std::string_view lower) {
    for (const auto& n : kClassNames) {
        if (n.name == lower) {
            return n.emotion;
        }
    }
    return std::nullopt;
}

// A user target: "drop", a canonical name or synonym, or a FER id.
std::optional<ClassMapping> resolveTarget(std::string_view target) {
    std::string lower = toLower(trim(target));
    if (lower == kDropTarget) {
        return ClassMapping{ClassMapping::Kind::Drop, Emotion::Neutral};
    }
    if (auto e = builtinLabel(lower)) {
        return ClassMapping{ClassMapping::Kind::Label, *e};
    }
    return std::nullopt;
}

std::string knownNamesList();

/// The user's override for a lower-case class name, if any. Throws std::invalid_argument when
/// its target is not a label (possible when overrides were filled without parseClassMap).
std::optional<ClassMapping> overrideFor(std::string_view lower, const ClassMapOptions& options) {
    for (const auto& [key, target] : options.overrides) {
        if (toLower(key) == lower) {
            if (auto m = resolveTarget(target)) {
                return m;
            }
            throw std::invalid_argument("class map target '" + target + "' for '" + key +
                                        "' is not a label (" + knownNamesList() +
                                        ", a synonym, 0..6) or drop");
        }
    }
    return std::nullopt;
}

std::string knownNamesList() {
    std::string out;
    for (std::string_view n : kEmotionNames) {
        out += out.empty() ? "" : ", ";
        out += n;
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Files

/// Reads a whole file into `buf` (reused between calls to avoid per-image allocations).
/// Returns an empty string on success, else the reason.
std::string readWholeFile(const fs::path& path, std::vector<std::uint8_t>& buf,
                          std::size_t maxBytes) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) {
        return "cannot open the file";
    }
    const std::streamoff end = in.tellg();
    if (end < 0) {
        return "cannot read the file size";
    }
    const auto size = static_cast<std::size_t>(end);
    if (size > maxBytes) {
        return "file too large (" + std::to_string(size) + " bytes)";
    }
    buf.resize(size);
    in.seekg(0);
    if (size > 0 && !in.read(reinterpret_cast<char*>(buf.data()), end)) {
        return "read error";
    }
    return {};
}

/// Decodes one image file to 48x48 grey. Returns the reason on failure, "" on success.
std::string decodeGrey48(const fs::path& path, std::vector<std::uint8_t>& buf, cv::Mat& out) {
    constexpr std::size_t kMaxImageBytes = std::size_t{64} << 20;
    if (std::string why = readWholeFile(path, buf, kMaxImageBytes); !why.empty()) {
        return why;
    }
    if (buf.empty()) {
        return "empty file";
    }
    if (buf.size() >= 3 && buf[0] == 0xFF && buf[1] == 0xD8 && buf[2] == 0xFF &&
        !jpegHasEndMarker(buf.data(), buf.size())) {
        return "truncated JPEG (no end-of-image marker)";
    }
    cv::Mat grey;
    try {
        // imdecode is what imread does after reading the file; we read it ourselves once so
        // the JPEG check above and the decoder see the same bytes.
        grey = cv::imdecode(cv::Mat(1, static_cast<int>(buf.size()), CV_8UC1, buf.data()),
                            cv::IMREAD_GRAYSCALE);
    } catch (const cv::Exception& e) {
        return "decoder error: " + e.err;
    }
    if (grey.empty()) {
        return "unreadable image (corrupt, truncated, or not a JPEG/PNG/BMP)";
    }
    if (grey.rows != kPackSide || grey.cols != kPackSide) {
        cv::resize(grey, out, cv::Size(kPackSide, kPackSide), 0, 0, cv::INTER_AREA);
    } else {
        out = grey;
    }
    if (!out.isContinuous()) {
        out = out.clone();
    }
    return {};
}

bool hasImageExtension(const fs::path& p) {
    const std::string ext = toLower(p.extension().string());
    return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp";
}

bool isHidden(const fs::path& p) {
    const std::string name = p.filename().string();
    return !name.empty() && name[0] == '.';
}

/// Sorted subdirectories (hidden ones skipped). Throws std::runtime_error naming `dir`.
std::vector<fs::path> subdirectories(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code ec2;
        if (it->is_directory(ec2) && !isHidden(it->path())) {
            out.push_back(it->path());
        }
    }
    if (ec) {
        throw std::runtime_error(dir.string() + ": cannot list the folder (" + ec.message() +
                                 "); check that it exists and is readable");
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// Sorted image files directly inside `dir` (by extension, any case; hidden files skipped).
std::vector<fs::path> imageFiles(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code ec2;
        if (it->is_regular_file(ec2) && !isHidden(it->path()) && hasImageExtension(it->path())) {
            out.push_back(it->path());
        }
    }
    if (ec) {
        throw std::runtime_error(dir.string() + ": cannot list the folder (" + ec.message() +
                                 "); check that it is readable");
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string joinNames(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) {
        out += out.empty() ? "" : ", ";
        out += n;
    }
    return out.empty() ? "none" : out;
}

// ---------------------------------------------------------------------------------------------
// CSV

/// Splits one CSV line (no line break) into fields. A field may be quoted ("..."; a doubled
/// quote inside stays doubled, which is harmless for the numeric fields we read). Returns false
/// on an unterminated quote.
bool splitCsvLine(std::string_view line, std::vector<std::string_view>& fields) {
    fields.clear();
    std::size_t i = 0;
    while (true) {
        // Leading spaces before a quote are tolerated.
        std::size_t start = i;
        while (start < line.size() && (line[start] == ' ' || line[start] == '\t')) {
            ++start;
        }
        if (start < line.size() && line[start] == '"') {
            std::size_t j = start + 1;
            while (true) {
                j = line.find('"', j);
                if (j == std::string_view::npos) {
                    return false;
                }
                if (j + 1 < line.size() && line[j + 1] == '"') {
                    j += 2;
                    continue;
                }
                break;
            }
            fields.push_back(line.substr(start + 1, j - start - 1));
            std::size_t comma = line.find(',', j + 1);
            if (comma == std::string_view::npos) {
                return true;
            }
            i = comma + 1;
        } else {
            std::size_t comma = line.find(',', i);
            if (comma == std::string_view::npos) {
                fields.push_back(trim(line.substr(i)));
                return true;
            }
            fields.push_back(trim(line.substr(i, comma - i)));
            i = comma + 1;
        }
    }
}

std::optional<std::string> splitForUsage(std::string_view usage) {
    const std::string u = toLower(trim(usage));
    if (u == "training" || u == "train") {
        return "train";
    }
    if (u == "publictest" || u == "val" || u == "validation") {
        return "val";
    }
    if (u == "privatetest" || u == "test") {
        return "test";
    }
    return std::nullopt;
}

/// Parses exactly kPackImageBytes grey values (0..255) separated by spaces/tabs into `out`.
/// Returns "" or the reason.
std::string parsePixels(std::string_view text, std::uint8_t* out) {
    std::size_t count = 0;
    const char* p = text.data();
    const char* end = p + text.size();
    while (true) {
        while (p < end && (*p == ' ' || *p == '\t')) {
            ++p;
        }
        if (p == end) {
            break;
        }
        const char* tokenEnd = p;
        while (tokenEnd < end && *tokenEnd != ' ' && *tokenEnd != '\t') {
            ++tokenEnd;
        }
        unsigned value = 0;
        auto [ptr, ec] = std::from_chars(p, tokenEnd, value);
        if (ec == std::errc::result_out_of_range ||
            (ec == std::errc() && ptr == tokenEnd && value > 255)) {
            return "pixel " + std::to_string(count + 1) + " is " + std::string(p, tokenEnd) +
                   ", outside 0..255";
        }
        if (ec != std::errc() || ptr != tokenEnd) {
            return "pixel " + std::to_string(count + 1) + " '" +
                   std::string(p,
                               std::min<std::size_t>(static_cast<std::size_t>(tokenEnd - p), 20)) +
                   "' is not a number";
        }
        if (count < kPackImageBytes) {
            out[count] = static_cast<std::uint8_t>(value);
        }
        ++count;
        p = tokenEnd;
    }
    if (count != kPackImageBytes) {
        return std::to_string(count) + " pixel values, expected " +
               std::to_string(kPackImageBytes) + " (48x48)";
    }
    return {};
}

}  // namespace

// ---------------------------------------------------------------------------------------------

void LoadReport::addProblem(std::string message) {
    ++skipped;
    if (problems.size() < kMaxProblems) {
        problems.push_back(std::move(message));
    }
}

void parseClassMap(std::string_view spec, ClassMapOptions& options) {
    while (!spec.empty()) {
        const std::size_t comma = spec.find(',');
        std::string_view pair = trim(spec.substr(0, comma));
        spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
        if (pair.empty()) {
            continue;
        }
        const std::size_t eq = pair.find('=');
        const std::string_view name = eq == std::string_view::npos ? "" : trim(pair.substr(0, eq));
        if (name.empty()) {
            throw std::invalid_argument("class map entry '" + std::string(pair) +
                                        "' is not NAME=LABEL (e.g. contempt=drop,anger=angry)");
        }
        const std::string_view target = trim(pair.substr(eq + 1));
        if (!resolveTarget(target)) {
            throw std::invalid_argument("class map entry '" + std::string(pair) + "': '" +
                                        std::string(target) + "' is not a label (" +
                                        knownNamesList() + ", a synonym, 0..6) or drop");
        }
        options.overrides[toLower(name)] = toLower(target);
    }
}

ClassMapping mapClassName(std::string_view name, const ClassMapOptions& options) {
    const std::string lower = toLower(trim(name));
    if (auto m = overrideFor(lower, options)) {
        return *m;
    }
    if (auto e = builtinLabel(lower)) {
        return {ClassMapping::Kind::Label, *e};
    }
    return {};
}

std::vector<std::string> listSplitFolders(const std::string& root) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
        throw std::runtime_error(root +
                                 ": not a folder; give the dataset root that holds the "
                                 "split folders (train/, val/, test/) or a .csv file");
    }
    std::vector<std::string> out;
    for (const auto& p : subdirectories(root)) {
        out.push_back(p.filename().string());
    }
    return out;
}

PackedDataset loadImageFolderSplit(const std::string& root, const std::string& split,
                                   const ClassMapOptions& options, LoadReport& report,
                                   const ProgressFn& progress) {
    const std::vector<std::string> splits = listSplitFolders(root);
    if (std::find(splits.begin(), splits.end(), split) == splits.end()) {
        throw std::runtime_error(root + ": no split folder '" + split +
                                 "' (split folders found: " + joinNames(splits) +
                                 "); choose existing ones with --splits, or point --source at "
                                 "the folder that holds <split>/<class>/<image>");
    }
    const fs::path splitDir = fs::path(root) / split;

    // Map the class folders first, so an unknown name fails before any decoding.
    struct ClassDir {
        fs::path dir;
        Emotion emotion;
        std::vector<fs::path> files;
    };
    std::vector<ClassDir> classes;
    std::vector<std::string> unknown;
    for (const auto& dir : subdirectories(splitDir)) {
        const std::string name = dir.filename().string();
        const ClassMapping m = mapClassName(name, options);
        if (m.kind == ClassMapping::Kind::Label) {
            classes.push_back({dir, m.emotion, imageFiles(dir)});
        } else if (m.kind == ClassMapping::Kind::Drop || options.dropUnknown) {
            const std::size_t n = imageFiles(dir).size();
            report.dropped += n;
            report.notes.push_back("dropped class folder " + dir.string() + " (" +
                                   std::to_string(n) + " images)");
        } else {
            unknown.push_back(name);
        }
    }
    if (!unknown.empty()) {
        const std::string& first = unknown.front();
        throw std::runtime_error(
            splitDir.string() + ": unknown class folder" + (unknown.size() > 1 ? "s " : " ") +
            joinNames(unknown) + " (known: " + knownNamesList() +
            ", common synonyms, 0..6); map it with --class-map " + first + "=<label> (or " + first +
            "=drop), or pass --drop-unknown to drop every unknown class");
    }
    if (std::size_t loose = imageFiles(splitDir).size(); loose > 0) {
        report.notes.push_back(std::to_string(loose) + " images directly in " + splitDir.string() +
                               " ignored (not inside a class folder)");
    }

    std::size_t total = 0;
    for (const auto& c : classes) {
        total += c.files.size();
    }
    if (total == 0) {
        throw std::runtime_error(splitDir.string() +
                                 ": no .jpg/.jpeg/.png/.bmp image in any class folder; expected "
                                 "the layout <root>/<split>/<class>/<image>");
    }

    PackedDataset out;
    out.split = split;
    out.source = "image-folder:" + splitDir.string();
    out.labels.reserve(total);
    out.pixels.reserve(total * kPackImageBytes);
    std::vector<std::uint8_t> buf;
    cv::Mat grey;
    std::size_t done = 0;
    for (const auto& c : classes) {
        for (const auto& file : c.files) {
            if (std::string why = decodeGrey48(file, buf, grey); why.empty()) {
                out.add(c.emotion, grey.ptr<std::uint8_t>());
            } else {
                report.addProblem(file.string() + ": " + why);
                ++out.skipped;
            }
            ++done;
            if (progress) {
                progress(done, total);
            }
        }
    }
    if (out.empty()) {
        throw std::runtime_error(splitDir.string() + ": none of its " + std::to_string(total) +
                                 " images could be read (first: " +
                                 (report.problems.empty() ? "?" : report.problems.front()) +
                                 "); check that the files are JPEG, PNG or BMP images");
    }
    return out;
}

std::map<std::string, PackedDataset> loadFer2013Csv(const std::string& path,
                                                    const ClassMapOptions& options,
                                                    LoadReport& report) {
    constexpr std::size_t kMaxCsvBytes = std::size_t{4} << 30;
    std::vector<std::uint8_t> bytes;
    if (std::string why = readWholeFile(path, bytes, kMaxCsvBytes); !why.empty()) {
        throw std::runtime_error(path + ": " + why + "; check the path to the FER2013 CSV");
    }
    std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (text.substr(0, 3) == "\xEF\xBB\xBF") {
        text.remove_prefix(3);
    }

    // FER ids after the user's class map: a label, or nullopt = drop.
    std::array<std::optional<Emotion>, kNumEmotions> remap;
    for (std::size_t id = 0; id < kNumEmotions; ++id) {
        remap[id] = static_cast<Emotion>(id);
        for (const std::string& key : {std::string(kEmotionNames[id]), std::to_string(id)}) {
            if (auto m = overrideFor(key, options)) {
                remap[id] =
                    m->kind == ClassMapping::Kind::Drop ? std::nullopt : std::optional(m->emotion);
            }
        }
    }

    std::map<std::string, PackedDataset> out;
    std::map<std::string, std::int64_t> skippedBySplit;
    std::vector<std::string_view> fields;
    std::array<std::uint8_t, kPackImageBytes> pixels{};
    std::size_t columnCount = 0;
    std::optional<std::size_t> emotionCol, pixelsCol, usageCol;
    std::size_t lineNo = 0;
    std::size_t dataRows = 0;
    std::array<std::size_t, kNumEmotions> droppedById{};
    const std::string where = path + ":";

    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) {
            nl = text.size();
        }
        std::string_view line = text.substr(pos, nl - pos);
        pos = nl + 1;
        ++lineNo;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (trim(line).empty()) {
            continue;
        }
        const bool parsed = splitCsvLine(line, fields);

        if (columnCount == 0) {  // header
            if (!parsed) {
                throw std::runtime_error(where + std::to_string(lineNo) +
                                         ": header has an unterminated quote; expected the "
                                         "FER2013 header emotion,pixels,Usage");
            }
            columnCount = fields.size();
            for (std::size_t i = 0; i < fields.size(); ++i) {
                const std::string name = toLower(fields[i]);
                if (name == "emotion") {
                    emotionCol = i;
                } else if (name == "pixels") {
                    pixelsCol = i;
                } else if (name == "usage") {
                    usageCol = i;
                }
            }
            if (!emotionCol || !pixelsCol) {
                throw std::runtime_error(path + ": header '" + std::string(line.substr(0, 80)) +
                                         "' has no " + (!emotionCol ? "'emotion'" : "'pixels'") +
                                         " column; expected the FER2013 header "
                                         "emotion,pixels,Usage (any order)");
            }
            if (!usageCol) {
                report.notes.push_back(path + " has no Usage column: every row goes to 'train'");
            }
            continue;
        }

        ++dataRows;
        const std::string at = where + std::to_string(lineNo) + ": ";
        if (!parsed) {
            report.addProblem(at + "unterminated quoted field");
            continue;
        }
        if (fields.size() != columnCount) {
            report.addProblem(at + std::to_string(fields.size()) + " fields, expected " +
                              std::to_string(columnCount));
            continue;
        }
        std::string split = "train";
        if (usageCol) {
            auto s = splitForUsage(fields[*usageCol]);
            if (!s) {
                report.addProblem(at + "unknown Usage '" +
                                  std::string(fields[*usageCol].substr(0, 20)) +
                                  "' (expected Training, PublicTest or PrivateTest)");
                continue;
            }
            split = *s;
        }
        const std::string_view labelText = trim(fields[*emotionCol]);
        int label = -1;
        auto [ptr, ec] =
            std::from_chars(labelText.data(), labelText.data() + labelText.size(), label);
        if (ec != std::errc() || ptr != labelText.data() + labelText.size() || labelText.empty()) {
            report.addProblem(at + "emotion '" + std::string(labelText.substr(0, 20)) +
                              "' is not a number");
            ++skippedBySplit[split];
            continue;
        }
        if (label < 0 || label >= static_cast<int>(kNumEmotions)) {
            report.addProblem(at + "emotion " + std::to_string(label) + " is outside 0..6");
            ++skippedBySplit[split];
            continue;
        }
        if (std::string why = parsePixels(fields[*pixelsCol], pixels.data()); !why.empty()) {
            report.addProblem(at + why);
            ++skippedBySplit[split];
            continue;
        }
        const auto id = static_cast<std::size_t>(label);
        if (!remap[id]) {
            ++report.dropped;
            ++droppedById[id];
            continue;
        }
        PackedDataset& ds = out[split];
        ds.add(*remap[id], pixels.data());
    }

    for (std::size_t id = 0; id < kNumEmotions; ++id) {
        if (droppedById[id] > 0) {
            report.notes.push_back("dropped " + std::to_string(droppedById[id]) + " rows of " +
                                   std::string(kEmotionNames[id]) + " (class map)");
        }
    }
    if (out.empty()) {
        throw std::runtime_error(
            path + ": no valid row (" + std::to_string(dataRows) + " data rows, " +
            std::to_string(report.skipped) + " skipped" +
            (report.problems.empty() ? std::string() : "; first: " + report.problems.front()) +
            "); expected FER2013 rows emotion,pixels,Usage with 2304 grey values 0..255");
    }
    for (auto& [split, ds] : out) {
        ds.split = split;
        ds.source = "fer2013-csv:" + path;
        ds.skipped = skippedBySplit[split];
    }
    return out;
}

// See dataset.h. True when a JPEG stream reaches its end-of-image marker (FF D9). Walks the marker
// segments
/// up to the first start-of-scan (so an EXIF thumbnail's own FF D9 does not count), then looks
/// for FF D9 in the rest: entropy-coded data byte-stuffs FF as FF 00, so FF D9 there is a real
/// marker. OpenCV decodes truncated JPEGs into full-size images with grey fill (only a warning
/// on stderr), so this check is what catches them. Trailing bytes after EOI are accepted.
bool jpegHasEndMarker(const std::uint8_t* p, std::size_t n) {
    std::size_t i = 2;  // after SOI (FF D8), checked by the caller
    while (i + 1 < n) {
        if (p[i] != 0xFF) {
            return false;  // not at a marker: malformed header
        }
        const std::uint8_t marker = p[i + 1];
        if (marker == 0xFF) {  // fill byte
            ++i;
            continue;
        }
        if (marker == 0xD9) {
            return true;  // EOI before any scan: nothing to decode, but not truncated
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // markers without length
            i += 2;
            continue;
        }
        if (i + 3 >= n) {
            return false;
        }
        const std::size_t len = (static_cast<std::size_t>(p[i + 2]) << 8) | p[i + 3];
        if (len < 2) {
            return false;
        }
        const std::size_t next = i + 2 + len;
        if (marker == 0xDA) {  // start of scan: search the remainder for EOI
            for (std::size_t j = next; j + 1 < n; ++j) {
                if (p[j] == 0xFF && p[j + 1] == 0xD9) {
                    return true;
                }
            }
            return false;
        }
        i = next;
    }
    return false;
}

}  // namespace litefer::core
