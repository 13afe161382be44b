#include "litefer/packed_dataset.h"

#include <cstring>
#include <stdexcept>
#include <string_view>

#include "litefer/files.h"
#include "litefer/json.h"
#include "litefer/sha256.h"
#include "litefer/timestamp.h"

namespace litefer {

namespace {

constexpr std::array<std::uint8_t, 8> kMagic = {'L', 'F', 'P', 'A', 'C', 'K', 0x00, 0x01};
constexpr std::size_t kPreambleBytes = 8 + 4 + 4;  // magic, version, header length
constexpr std::size_t kRecordBytes = 1 + kPackImageBytes;
constexpr const char* kFormatName = "litefer-pack";
constexpr const char* kFix = "re-create it with litefer-cli pack";

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
    throw std::runtime_error(path + ": " + problem + "; " + kFix);
}

void putU32(std::string& out, std::uint32_t v) {
    for (int shift = 0; shift < 32; shift += 8) {
        out.push_back(static_cast<char>((v >> shift) & 0xFFu));
    }
}

std::uint32_t getU32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

void checkInvariant(const PackedDataset& data) {
    if (data.pixels.size() != data.labels.size() * kPackImageBytes) {
        throw std::invalid_argument("packed dataset '" + data.split + "' has " +
                                    std::to_string(data.labels.size()) + " labels but " +
                                    std::to_string(data.pixels.size()) + " pixel bytes (expected " +
                                    std::to_string(data.labels.size() * kPackImageBytes) + ")");
    }
    for (std::size_t i = 0; i < data.labels.size(); ++i) {
        if (data.labels[i] >= kNumEmotions) {
            throw std::invalid_argument("packed dataset '" + data.split + "': image " +
                                        std::to_string(i) + " has label " +
                                        std::to_string(data.labels[i]) + " (valid: 0..6)");
        }
    }
}

// Header field accessors: each names the field in its error so a damaged header is
// diagnosable from the message alone.
const json::Value& field(const json::Value& header, const char* name, const std::string& path) {
    const json::Value* v = header.find(name);
    if (v == nullptr) {
        fail(path, std::string("header has no '") + name + "' field");
    }
    return *v;
}

std::int64_t intField(const json::Value& header, const char* name, const std::string& path) {
    try {
        return field(header, name, path).asInt64();
    } catch (const json::Error& e) {
        fail(path, std::string("header field '") + name + "' is not an integer (" + e.what() + ")");
    }
}

std::string stringField(const json::Value& header, const char* name, const std::string& path) {
    try {
        return field(header, name, path).asString();
    } catch (const json::Error& e) {
        fail(path, std::string("header field '") + name + "' is not a string (" + e.what() + ")");
    }
}

void expectInt(const json::Value& header, const char* name, std::int64_t expected,
               const std::string& path) {
    std::int64_t v = intField(header, name, path);
    if (v != expected) {
        fail(path, std::string("header field '") + name + "' is " + std::to_string(v) +
                       ", expected " + std::to_string(expected));
    }
}

}  // namespace

void PackedDataset::add(Emotion label, const std::uint8_t* grey48) {
    auto id = static_cast<std::size_t>(label);
    labels.push_back(static_cast<std::uint8_t>(id));
    pixels.insert(pixels.end(), grey48, grey48 + kPackImageBytes);
    ++classCounts[id];
}

void writePacked(const std::string& path, const PackedDataset& data) {
    checkInvariant(data);

    std::array<std::int64_t, kNumEmotions> counts{};
    for (std::uint8_t label : data.labels) {
        ++counts[label];
    }

    // Hash the records as they will be laid out, without building a second copy of them.
    Sha256 sha;
    for (std::size_t i = 0; i < data.size(); ++i) {
        sha.update(&data.labels[i], 1);
        sha.update(data.image(i), kPackImageBytes);
    }
    auto digest = sha.finish();

    json::Value header = json::Value::object();
    header["format"] = json::Value(std::string(kFormatName));
    header["version"] = json::Value(static_cast<std::int64_t>(kPackFormatVersion));
    header["height"] = json::Value(static_cast<std::int64_t>(kPackSide));
    header["width"] = json::Value(static_cast<std::int64_t>(kPackSide));
    header["count"] = json::Value(static_cast<std::int64_t>(data.size()));
    json::Value names = json::Value::array();
    for (std::string_view name : kEmotionNames) {
        names.push(json::Value(std::string(name)));
    }
    header["labels"] = std::move(names);
    json::Value classCounts = json::Value::array();
    for (std::int64_t c : counts) {
        classCounts.push(json::Value(c));
    }
    header["class_counts"] = std::move(classCounts);
    header["split"] = json::Value(data.split);
    header["source"] = json::Value(data.source);
    header["created"] = json::Value(isoTimestampUtc());
    header["payload_sha256"] = json::Value(toHex(digest.data(), digest.size()));
    header["skipped"] = json::Value(data.skipped);
    std::string headerText = header.dump(2);
    headerText.push_back('\n');
    if (headerText.size() > UINT32_MAX) {
        throw std::invalid_argument("packed dataset '" + data.split +
                                    "': header too large (source text too long)");
    }

    std::string bytes;
    bytes.reserve(kPreambleBytes + headerText.size() + data.size() * kRecordBytes);
    bytes.append(reinterpret_cast<const char*>(kMagic.data()), kMagic.size());
    putU32(bytes, kPackFormatVersion);
    putU32(bytes, static_cast<std::uint32_t>(headerText.size()));
    bytes += headerText;
    for (std::size_t i = 0; i < data.size(); ++i) {
        bytes.push_back(static_cast<char>(data.labels[i]));
        bytes.append(reinterpret_cast<const char*>(data.image(i)), kPackImageBytes);
    }
    writeFileAtomic(path, bytes);
}

PackedDataset readPacked(const std::string& path) {
    auto bytes = [&] {
        try {
            return readFileBytes(path);
        } catch (const std::exception& e) {
            // e.what() reads "cannot read <path>: <reason>".
            throw std::runtime_error(std::string(e.what()) + "; check the path or " + kFix);
        }
    }();
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
    const std::size_t size = bytes.size();

    // Preamble. A short file that starts like our magic is truncated; anything else is not ours.
    const std::size_t magicBytes = size < kMagic.size() ? size : kMagic.size();
    if (std::memcmp(data, kMagic.data(), magicBytes) != 0 || size == 0) {
        fail(path, "not a LiteFER packed dataset (wrong magic bytes)");
    }
    if (size < kPreambleBytes) {
        fail(path, "truncated: " + std::to_string(size) + " bytes, shorter than the " +
                       std::to_string(kPreambleBytes) + "-byte preamble");
    }
    const std::uint32_t version = getU32(data + 8);
    if (version != kPackFormatVersion) {
        throw std::runtime_error(path + ": packed format version " + std::to_string(version) +
                                 " is not supported (this build reads version " +
                                 std::to_string(kPackFormatVersion) +
                                 "); use a matching LiteFER build or " + kFix);
    }
    const std::size_t headerBytes = getU32(data + 12);
    if (headerBytes > size - kPreambleBytes) {
        fail(path, "truncated header: it declares " + std::to_string(headerBytes) +
                       " bytes but only " + std::to_string(size - kPreambleBytes) + " follow");
    }

    // Header.
    json::Value header;
    try {
        header = json::parse(
            std::string_view(reinterpret_cast<const char*>(data + kPreambleBytes), headerBytes));
    } catch (const json::Error& e) {
        fail(path, std::string("header is not valid JSON (") + e.what() + ")");
    }
    if (!header.isObject()) {
        fail(path, "header is JSON but not an object");
    }
    if (stringField(header, "format", path) != kFormatName) {
        fail(path, "header field 'format' is not \"" + std::string(kFormatName) + "\"");
    }
    expectInt(header, "version", kPackFormatVersion, path);
    expectInt(header, "height", kPackSide, path);
    expectInt(header, "width", kPackSide, path);
    const std::int64_t count = intField(header, "count", path);
    if (count < 0) {
        fail(path, "header field 'count' is negative (" + std::to_string(count) + ")");
    }
    std::array<std::int64_t, kNumEmotions> declaredCounts{};
    try {
        const auto& names = field(header, "labels", path).asArray();
        bool same = names.size() == kNumEmotions;
        for (std::size_t i = 0; same && i < kNumEmotions; ++i) {
            same = names[i].asString() == kEmotionNames[i];
        }
        if (!same) {
            fail(path, "header 'labels' are not the canonical 7 labels in FER2013 order");
        }
        const auto& counts = field(header, "class_counts", path).asArray();
        if (counts.size() != kNumEmotions) {
            fail(path, "header 'class_counts' has " + std::to_string(counts.size()) +
                           " entries, expected 7");
        }
        for (std::size_t i = 0; i < kNumEmotions; ++i) {
            declaredCounts[i] = counts[i].asInt64();
        }
    } catch (const json::Error& e) {
        fail(path, std::string("header 'labels' or 'class_counts' has the wrong type (") +
                       e.what() + ")");
    }

    PackedDataset out;
    out.split = stringField(header, "split", path);
    out.source = stringField(header, "source", path);
    out.created = stringField(header, "created", path);
    out.skipped = intField(header, "skipped", path);
    const std::string declaredSha = stringField(header, "payload_sha256", path);

    // Records: compare sizes by division so a huge count cannot overflow.
    const std::uint8_t* payload = data + kPreambleBytes + headerBytes;
    const std::size_t payloadBytes = size - kPreambleBytes - headerBytes;
    const auto n = static_cast<std::uint64_t>(count);
    if (n > payloadBytes / kRecordBytes) {
        fail(path, "truncated records: header count " + std::to_string(count) + " needs " +
                       std::to_string(kRecordBytes) + " bytes each but only " +
                       std::to_string(payloadBytes) + " bytes follow (room for " +
                       std::to_string(payloadBytes / kRecordBytes) + " records)");
    }
    if (payloadBytes != n * kRecordBytes) {
        fail(path, "size mismatch: header count " + std::to_string(count) + " needs " +
                       std::to_string(n * kRecordBytes) + " bytes of records but " +
                       std::to_string(payloadBytes) + " follow");
    }

    out.labels.resize(static_cast<std::size_t>(n));
    out.pixels.resize(static_cast<std::size_t>(n) * kPackImageBytes);
    for (std::size_t i = 0; i < out.labels.size(); ++i) {
        const std::uint8_t* rec = payload + i * kRecordBytes;
        if (rec[0] >= kNumEmotions) {
            fail(path, "record " + std::to_string(i) + " has label byte " + std::to_string(rec[0]) +
                           " (valid: 0..6)");
        }
        out.labels[i] = rec[0];
        ++out.classCounts[rec[0]];
        std::memcpy(out.pixels.data() + i * kPackImageBytes, rec + 1, kPackImageBytes);
    }
    if (out.classCounts != declaredCounts) {
        fail(path, "header 'class_counts' do not match the labels in the records");
    }

    Sha256 sha;
    sha.update(payload, payloadBytes);
    auto digest = sha.finish();
    if (toHex(digest.data(), digest.size()) != declaredSha) {
        fail(path,
             "checksum mismatch: the records' SHA-256 differs from payload_sha256 (the "
             "file is corrupt)");
    }
    return out;
}

}  // namespace litefer
