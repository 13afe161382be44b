#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>

#include <unistd.h>

#include "litefer/files.h"
#include "litefer/json.h"
#include "litefer/packed_dataset.h"
#include "litefer/sha256.h"
#include "support/temp_dir.h"

using namespace litefer;
namespace fs = std::filesystem;

namespace {

using litefer::test::TempDir;

constexpr std::size_t kPreamble = 16;
constexpr std::size_t kRecord = 1 + kPackImageBytes;

/// n images; image i has label i % 7 and pixels (i * 31 + p) % 256.
PackedDataset makeDataset(std::size_t n) {
    PackedDataset ds;
    ds.split = "train";
    ds.source = "unit test";
    ds.skipped = 3;
    std::vector<std::uint8_t> img(kPackImageBytes);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t p = 0; p < kPackImageBytes; ++p) {
            img[p] = static_cast<std::uint8_t>((i * 31 + p) % 256);
        }
        ds.add(static_cast<Emotion>(i % kNumEmotions), img.data());
    }
    return ds;
}

std::size_t headerLength(const std::string& bytes) {
    std::size_t h = 0;
    for (int k = 3; k >= 0; --k) {
        h = (h << 8) | static_cast<unsigned char>(bytes[12 + static_cast<std::size_t>(k)]);
    }
    return h;
}

/// Rewrites the JSON header of a packed file through `edit`, keeping the preamble consistent.
std::string withHeader(const std::string& bytes, const std::function<void(json::Value&)>& edit) {
    const std::size_t h = headerLength(bytes);
    json::Value header = json::parse(bytes.substr(kPreamble, h));
    edit(header);
    const std::string text = header.dump(2);
    std::string out = bytes.substr(0, 12);
    for (int k = 0; k < 4; ++k) {
        out.push_back(static_cast<char>((text.size() >> (8 * k)) & 0xFF));
    }
    return out + text + bytes.substr(kPreamble + h);
}

/// Runs readPacked and returns its error message ("" if it did not throw).
std::string readError(const std::string& path) {
    try {
        readPacked(path);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return {};
}

}  // namespace

TEST_CASE("a packed dataset survives a write and read round trip", "[packed]") {
    TempDir dir("litefer-packed");
    const std::string path = dir.file("train.lfpack");
    PackedDataset ds = makeDataset(30);
    writePacked(path, ds);

    PackedDataset back = readPacked(path);
    REQUIRE(back.size() == 30);
    REQUIRE(back.labels == ds.labels);
    REQUIRE(back.pixels == ds.pixels);
    REQUIRE(back.split == "train");
    REQUIRE(back.source == "unit test");
    REQUIRE(back.skipped == 3);
    REQUIRE(back.classCounts == std::array<std::int64_t, kNumEmotions>{5, 5, 4, 4, 4, 4, 4});
    REQUIRE(back.created.size() == 20);
    REQUIRE(back.created.back() == 'Z');
    REQUIRE(back.image(29)[0] == static_cast<std::uint8_t>((29 * 31) % 256));
    REQUIRE(std::memcmp(back.image(7), ds.image(7), kPackImageBytes) == 0);
}

TEST_CASE("a packed file has the documented layout and header", "[packed]") {
    TempDir dir("litefer-packed");
    const std::string path = dir.file("val.lfpack");
    PackedDataset ds = makeDataset(9);
    ds.split = "val";
    ds.classCounts = {};  // stale counts are recomputed on write
    writePacked(path, ds);

    const std::string bytes = readFileBytes(path);
    REQUIRE(bytes.compare(0, 8, std::string("LFPACK\0\1", 8)) == 0);
    REQUIRE(bytes[8] == 1);
    REQUIRE(bytes[9] == 0);
    const std::size_t h = headerLength(bytes);
    REQUIRE(bytes.size() == kPreamble + h + 9 * kRecord);
    json::Value header = json::parse(bytes.substr(kPreamble, h));
    REQUIRE(header.at("format").asString() == "litefer-pack");
    REQUIRE(header.at("version").asInt64() == 1);
    REQUIRE(header.at("height").asInt64() == 48);
    REQUIRE(header.at("width").asInt64() == 48);
    REQUIRE(header.at("count").asInt64() == 9);
    REQUIRE(header.at("split").asString() == "val");
    REQUIRE(header.at("skipped").asInt64() == 3);
    REQUIRE(header.at("labels").size() == 7);
    REQUIRE(header.at("labels").asArray()[5].asString() == "surprise");
    REQUIRE(header.at("class_counts").asArray()[0].asInt64() == 2);
    REQUIRE(header.at("class_counts").asArray()[6].asInt64() == 1);
    REQUIRE(header.at("payload_sha256").asString() == sha256Hex(bytes.substr(kPreamble + h)));
    // Record 4: label byte then its pixels.
    REQUIRE(bytes[kPreamble + h + 4 * kRecord] == 4);
    REQUIRE(static_cast<unsigned char>(bytes[kPreamble + h + 4 * kRecord + 1]) == (4 * 31) % 256);
}

TEST_CASE("an empty split round-trips", "[packed]") {
    TempDir dir("litefer-packed");
    PackedDataset ds;
    ds.split = "test";
    writePacked(dir.file("e.lfpack"), ds);
    PackedDataset back = readPacked(dir.file("e.lfpack"));
    REQUIRE(back.empty());
    REQUIRE(back.split == "test");
}

TEST_CASE("writing rejects inconsistent data", "[packed]") {
    TempDir dir("litefer-packed");
    PackedDataset ds = makeDataset(3);
    ds.pixels.pop_back();
    REQUIRE_THROWS_AS(writePacked(dir.file("a.lfpack"), ds), std::invalid_argument);
    ds = makeDataset(3);
    ds.labels[1] = 7;
    REQUIRE_THROWS_AS(writePacked(dir.file("a.lfpack"), ds), std::invalid_argument);
    REQUIRE_FALSE(fileExists(dir.file("a.lfpack")));
}

TEST_CASE("corrupt packed files are rejected with the file, the problem and the fix", "[packed]") {
    TempDir dir("litefer-packed");
    const std::string good = dir.file("good.lfpack");
    writePacked(good, makeDataset(14));
    const std::string bytes = readFileBytes(good);
    const std::size_t h = headerLength(bytes);
    const std::string bad = dir.file("bad.lfpack");

    auto expectError = [&](const std::string& content, const std::string& problem) {
        writeFileAtomic(bad, content);
        const std::string msg = readError(bad);
        INFO("message: " << msg);
        REQUIRE_FALSE(msg.empty());
        REQUIRE_THAT(msg, Catch::Contains(bad));
        REQUIRE_THAT(msg, Catch::Contains(problem));
        REQUIRE_THAT(msg, Catch::Contains("litefer-cli pack"));
    };

    SECTION("missing file") {
        const std::string msg = readError(dir.file("nope.lfpack"));
        REQUIRE_THAT(msg, Catch::Contains("nope.lfpack"));
        REQUIRE_THAT(msg, Catch::Contains("litefer-cli pack"));
    }
    SECTION("truncated records") {
        expectError(bytes.substr(0, bytes.size() - 100), "truncated records");
    }
    SECTION("truncated inside the header") {
        expectError(bytes.substr(0, kPreamble + h / 2), "truncated header");
    }
    SECTION("truncated inside the preamble") {
        expectError(bytes.substr(0, 10), "truncated");
    }
    SECTION("empty file") {
        expectError("", "not a LiteFER packed dataset");
    }
    SECTION("extra bytes after the records") {
        expectError(bytes + "x", "size mismatch");
    }
    SECTION("flipped payload byte") {
        std::string c = bytes;
        c[kPreamble + h + 5 * kRecord + 100] ^= 0x01;
        expectError(c, "checksum mismatch");
    }
    SECTION("wrong magic") {
        std::string c = bytes;
        c[0] = 'X';
        expectError(c, "not a LiteFER packed dataset");
    }
    SECTION("a PNG is not a packed dataset") {
        expectError(std::string("\x89PNG\r\n\x1a\n", 8) + std::string(100, '\0'),
                    "not a LiteFER packed dataset");
    }
    SECTION("unsupported version") {
        std::string c = bytes;
        c[8] = 2;
        expectError(c, "version 2 is not supported");
    }
    SECTION("label byte above 6") {
        std::string c = bytes;
        c[kPreamble + h + 2 * kRecord] = 9;
        expectError(c, "record 2 has label byte 9");
    }
    SECTION("labels that disagree with class_counts") {
        std::string c = bytes;
        c[kPreamble + h + 0 * kRecord] = 1;  // an angry image relabelled disgust
        expectError(c, "class_counts");
    }
    SECTION("header that is not JSON") {
        std::string c = bytes;
        c[kPreamble] = 'x';
        expectError(c, "not valid JSON");
    }
    SECTION("header count that disagrees with the records") {
        expectError(withHeader(bytes, [](json::Value& v) { v["count"] = 13; }), "size mismatch");
        expectError(withHeader(bytes, [](json::Value& v) { v["count"] = 15; }),
                    "truncated records");
        expectError(withHeader(bytes, [](json::Value& v) { v["count"] = INT64_C(1) << 62; }),
                    "truncated records");
        expectError(withHeader(bytes, [](json::Value& v) { v["count"] = -1; }), "negative");
    }
    SECTION("header fields with wrong values or types") {
        expectError(withHeader(bytes, [](json::Value& v) { v["width"] = 64; }), "'width'");
        expectError(withHeader(bytes, [](json::Value& v) { v["count"] = "14"; }), "'count'");
        expectError(withHeader(bytes, [](json::Value& v) { v["format"] = "other"; }), "'format'");
        expectError(withHeader(bytes,
                               [](json::Value& v) {
                                   json::Value& names = v["labels"];
                                   names.asArray()[0] = "anger";
                               }),
                    "labels");
        expectError(withHeader(bytes, [](json::Value& v) { v["class_counts"] = 3; }),
                    "class_counts");
        expectError(withHeader(bytes, [](json::Value& v) { v = json::Value::array(); }),
                    "not an object");
    }
}

TEST_CASE("random bytes and random damage never crash the reader", "[packed][fuzz]") {
    TempDir dir("litefer-packed");
    const std::string good = dir.file("good.lfpack");
    writePacked(good, makeDataset(5));
    const std::string bytes = readFileBytes(good);
    const std::string bad = dir.file("fuzz.lfpack");
    std::mt19937 rng(1234);
    auto byte = [&rng] { return static_cast<char>(rng() & 0xFF); };

    for (int iter = 0; iter < 300; ++iter) {
        std::string c;
        switch (iter % 3) {
            case 0: {  // pure noise
                c.resize(rng() % 3000);
                for (char& ch : c) {
                    ch = byte();
                }
                break;
            }
            case 1: {  // valid magic and version, noise after
                c = bytes.substr(0, 12);
                c.resize(12 + rng() % 3000);
                for (std::size_t i = 12; i < c.size(); ++i) {
                    c[i] = byte();
                }
                break;
            }
            default: {  // a valid file with a few bytes changed and maybe cut
                c = bytes;
                for (int k = 0; k < 3; ++k) {
                    c[rng() % c.size()] = byte();
                }
                if (rng() % 2 == 0) {
                    c.resize(rng() % c.size());
                }
                break;
            }
        }
        writeFileAtomic(bad, c);
        try {
            PackedDataset ds = readPacked(bad);
            REQUIRE(ds.pixels.size() == ds.size() * kPackImageBytes);
        } catch (const std::runtime_error& e) {
            REQUIRE_THAT(e.what(), Catch::Contains(bad));
        }
    }
}
