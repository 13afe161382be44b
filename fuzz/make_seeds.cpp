// Writes the seed corpus of the fuzz targets (fuzz/corpus/<target>/), with the project's own
// writers where it has them (json::Value::dump, ModelManifest::toJson, writePacked,
// nn::detail::encodeWeights/writeContainer) and by hand for the formats it only reads (the
// FER2013 CSV, YuNet's raw outputs). Every seed is a few KB at most. Run by make_seeds.sh:
//
//   fuzz_make_seeds OUT_DIR SHIPPED_MODEL.lfm
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "litefer/files.h"
#include "litefer/json.h"
#include "litefer/manifest.h"
#include "litefer/nn/model_file.h"
#include "litefer/nn/registry.h"
#include "litefer/packed_dataset.h"
#include "litefer/sha256.h"
#ifdef LITEFER_SEEDS_WITH_CORE
#include "litefer/core/session_recorder.h"
#endif

namespace fs = std::filesystem;
using litefer::json::Value;

namespace {

std::string gOut;

void seed(const std::string& target, const std::string& name, const std::string& bytes) {
    const fs::path dir = fs::path(gOut) / target;
    fs::create_directories(dir);
    litefer::writeFileAtomic((dir / name).string(), bytes);
}

template <typename T>
void put(std::string& out, T v) {
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    out.append(buf, sizeof(T));
}

std::string container(const std::string& manifestJson, const std::string& weights) {
    // The layout of nn::detail::writeContainer, in memory (it writes to a path).
    std::string out("LFMODEL\0", 8);
    put<std::uint32_t>(out, 1);
    put<std::uint32_t>(out, static_cast<std::uint32_t>(manifestJson.size()));
    out += manifestJson;
    put<std::uint64_t>(out, weights.size());
    out += weights;
    return out;
}

void jsonSeeds(const litefer::ModelManifest& shipped) {
    seed("json", "manifest.json", shipped.toJson().dump(2));
    Value v = Value::object();
    v["null"] = nullptr;
    v["bools"] = Value::array();
    v["bools"].push(true);
    v["bools"].push(false);
    v["int"] = std::int64_t{-9223372036854775807 - 1};
    v["uint"] = std::uint64_t{18446744073709551615u};
    v["double"] = 0.1;
    v["tiny"] = 5e-324;
    v["big"] = 1.7976931348623157e308;
    v["text"] = "quote \" backslash \\ tab \t e\xC3\xA9 smile \xF0\x9F\x98\x80";
    Value nested = Value::array();
    Value inner = Value::object();
    inner["a"] = Value::array();
    nested.push(inner);
    v["nested"] = nested;
    seed("json", "types.json", v.dump());
    seed("json", "types_indented.json", v.dump(4));
    seed("json", "escapes.json", R"(["\u0000\u001f\ud83d\ude00\/\b\f\n\r", -0.0, 1E+2, 1e-2])");
    seed("json", "deep.json", std::string(150, '[') + std::string(150, ']'));
    seed("json", "summary.json",
         R"({"faces":[{"id":1,"seconds":2.5,"share":{"happy":0.75,"neutral":0.25},)"
         R"("uncertain_share":0.1}],"segments":[]})");
}

void manifestSeeds(const litefer::ModelManifest& shipped) {
    seed("manifest", "shipped.json", shipped.toJson().dump(2));
    litefer::ModelManifest m;
    m.name = "minimal";
    m.architecture = "vgg-lite";
    m.labels = litefer::canonicalLabels();
    m.probeLogits = {1, 2, 3, 4, 5, 6, 7};
    seed("manifest", "minimal.json", m.toJson().dump());
}

void packedSeeds() {
    const fs::path tmp = fs::temp_directory_path() / "litefer-seed.lfpack";
    std::vector<std::uint8_t> img(litefer::kPackImageBytes);
    for (std::size_t i = 0; i < img.size(); ++i) {
        img[i] = static_cast<std::uint8_t>(i * 7 % 256);
    }
    litefer::PackedDataset one;
    one.split = "test";
    one.source = "fuzz seed";
    one.add(litefer::Emotion::Happy, img.data());
    litefer::writePacked(tmp.string(), one);
    seed("packed_dataset", "one_image.lfpack", litefer::readFileBytes(tmp.string()));
    litefer::PackedDataset two = one;
    two.split = "train";
    two.skipped = 3;
    two.add(litefer::Emotion::Angry, img.data());
    litefer::writePacked(tmp.string(), two);
    seed("packed_dataset", "two_images.lfpack", litefer::readFileBytes(tmp.string()));
    litefer::PackedDataset empty;
    empty.split = "val";
    litefer::writePacked(tmp.string(), empty);
    seed("packed_dataset", "empty.lfpack", litefer::readFileBytes(tmp.string()));
    fs::remove(tmp);
}

void modelSeeds(const litefer::ModelManifest& shipped, const std::string& shippedPath) {
    litefer::nn::Network net = litefer::nn::createNetwork("vgg-lite");
    const std::string weights =
        litefer::nn::detail::encodeWeights(*net, litefer::nn::WeightsDtype::Float32);
    const std::string weights16 =
        litefer::nn::detail::encodeWeights(*net, litefer::nn::WeightsDtype::Float16);
    // model_weights: prefixes of real weights sections (the tensor records of the first layers).
    seed("model_weights", "vgg_lite_f32_prefix", weights.substr(0, 3000));
    seed("model_weights", "vgg_lite_f16_prefix", weights16.substr(0, 2000));
    std::string countOnly;
    put<std::uint32_t>(countOnly, 0);
    seed("model_weights", "no_tensors", countOnly);

    // model_file: containers whose manifest matches their (small) weights section, so loading
    // reaches the checksum and the tensor records.
    auto withWeights = [&](const std::string& w) {
        litefer::ModelManifest m = shipped;
        m.weightsSha256 = litefer::sha256Hex(w);
        m.weightsBytes = static_cast<std::int64_t>(w.size());
        return container(m.toJson().dump(), w);
    };
    seed("model_file", "shipped_manifest_prefix_weights", withWeights(weights.substr(0, 600)));
    seed("model_file", "shipped_manifest_no_tensors", withWeights(countOnly));
    // The shipped file cut after its manifest and a few weight bytes (truncated).
    const std::string real = litefer::readFileBytes(shippedPath);
    std::uint32_t manifestLen = 0;
    std::memcpy(&manifestLen, real.data() + 12, sizeof manifestLen);
    seed("model_file", "shipped_truncated", real.substr(0, 16 + manifestLen + 8 + 200));
    seed("model_file", "header_only", real.substr(0, 16));
}

void fer2013Seeds() {
    auto pixels = [](int base) {
        std::string p;
        for (std::size_t i = 0; i < litefer::kPackImageBytes; ++i) {
            p += (i ? " " : "") + std::to_string((base + static_cast<int>(i)) % 10);
        }
        return p;
    };
    seed("fer2013_csv", "two_rows.csv",
         "emotion,pixels,Usage\n3," + pixels(0) + ",Training\n6," + pixels(3) + ",PublicTest\n");
    seed("fer2013_csv", "bom_crlf_quoted.csv",
         "\xEF\xBB\xBF\"Usage\",\"emotion\",\"pixels\"\r\nPrivateTest,0,\"" + pixels(1) + "\"\r\n");
    seed("fer2013_csv", "no_usage.csv", "pixels,emotion\n" + pixels(5) + ",4\n\n");
    seed("fer2013_csv", "bad_rows.csv",
         "emotion,pixels,Usage\n9,1 2 3,Training\n1," + pixels(7) + ",Somewhere\n");
}

std::string floats(const std::vector<float>& v) {
    std::string out(v.size() * sizeof(float), '\0');
    std::memcpy(out.data(), v.data(), out.size());
    return out;
}

void yunetSeeds() {
    // 32x32 input: strides 8, 16, 32 have 16, 4 and 1 cells. The outputs in order: cls x3,
    // obj x3, bbox x3 (4 per cell), kps x3 (10 per cell).
    const int cells[3] = {16, 4, 1};
    std::vector<float> v;
    const int perCell[4] = {1, 1, 4, 10};
    for (int g = 0; g < 4; ++g) {
        for (int s = 0; s < 3; ++s) {
            for (int c = 0; c < cells[s]; ++c) {
                for (int k = 0; k < perCell[g]; ++k) {
                    float x = 0.0f;
                    const bool face = (s == 0 && (c == 5 || c == 6)) || (s == 1 && c == 0);
                    if (face && g < 2) {
                        x = c == 6 ? 0.8f : 0.95f;
                    } else if (face && g == 2) {
                        x = k < 2 ? 0.5f : std::log(1.5f);
                    } else if (face && g == 3) {
                        x = 0.1f * static_cast<float>(k);
                    }
                    v.push_back(x);
                }
            }
        }
    }
    const std::string body = floats(v);
    seed("yunet_decode", "three_faces_32x32", std::string("\x00\x80\x3c\x00\x00", 5) + body);
    seed("yunet_decode", "views_topk1", std::string("\x00\x10\x3c\x02\x02", 5) + body);
    seed("yunet_decode", "dnn_shape", std::string("\x00\x10\x3c\x00\x04", 5) + body);
    seed("yunet_decode", "wrong_size", std::string("\x00\x10\x3c\x00\x01", 5) + body);
    seed("yunet_decode", "bad_iou", std::string("\x00\x10\xff\x00\x00", 5) + body);
    const float special[] = {NAN, INFINITY, -INFINITY, 1e30f, -1e30f, 0.99f, 88.0f, -0.0f};
    seed("yunet_decode", "specials_128x128",
         std::string("\x0f\x01\x3c\x00\x00", 5) +
             std::string(reinterpret_cast<const char*>(special), sizeof special));
}

#ifdef LITEFER_SEEDS_WITH_CORE
void sessionSeeds() {
    namespace core = litefer::core;
    const fs::path folder = fs::temp_directory_path() / "litefer-seed-session";
    fs::remove_all(folder);
    core::SessionInfo info;
    info.participant = "P01";
    info.session = "seed, \"quoted\"";
    info.source = "face.mp4";
    info.sourceKind = "video file";
    info.resolution = cv::Size(64, 48);
    info.fps = 25.0;
    info.modelName = "vgg-lite FER2013";
    info.detector = "yunet";
    core::RecorderOptions options;
    options.writeVideo = false;
    options.minFreeBytes = 0;
    {
        core::SessionRecorder recorder(folder.string(), info, options);
        const cv::Mat frame(48, 64, CV_8UC3, cv::Scalar(90, 120, 150));
        for (int i = 0; i < 3; ++i) {
            core::FrameResult r;
            r.frameId = static_cast<std::uint64_t>(i);
            r.timestampMs = 40.0 * i;
            r.frame = frame;
            for (int f = 0; f < i; ++f) {
                core::TrackedFace t;
                t.id = f + 1;
                t.face.box = cv::Rect2f(4.5f + 10.0f * static_cast<float>(f), 6.25f, 20.0f, 22.0f);
                t.face.score = 0.875f;
                t.hasScores = f == 0;
                t.raw = {0.05f, 0.0f, 0.05f, 0.6f, 0.1f, 0.1f, 0.1f};
                t.smoothed = {0.1f, 0.0f, 0.1f, 0.5f, 0.1f, 0.1f, 0.1f};
                t.label = litefer::Emotion::Happy;
                t.uncertain = f != 0;
                r.faces.push_back(t);
            }
            recorder.record(r);
        }
        recorder.addMarker(0.0, "baseline");
        recorder.addMarker(45.5, "stimulus, \"B\"", "note with\na line break");
        recorder.finish("source ended");
    }
    auto read = [&](const char* name) { return litefer::readFileBytes((folder / name).string()); };
    const std::string sessionJson = read(core::kSessionJson);
    const std::string frames = read(core::kFramesCsv);
    const std::string markers = read(core::kMarkersCsv);
    const std::string summary = read(core::kSummaryJson);
    const std::string sep = "\n--8<--\n";  // fuzz/targets/session_files.cpp
    seed("session_files", "session.json", sessionJson);
    seed("session_files", "frames.csv", frames);
    seed("session_files", "markers.csv", markers);
    seed("session_files", "folder_complete",
         sessionJson + sep + frames + sep + markers + sep + summary);
    seed("session_files", "folder_crashed",
         sessionJson + sep + frames.substr(0, frames.size() - 9) + sep + markers);
    fs::remove_all(folder);
}
#endif

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: fuzz_make_seeds OUT_DIR SHIPPED_MODEL.lfm\n";
        return 2;
    }
    gOut = argv[1];
    const std::string shippedPath = argv[2];
    const litefer::ModelManifest shipped = litefer::nn::readManifest(shippedPath);
    jsonSeeds(shipped);
    manifestSeeds(shipped);
    packedSeeds();
    modelSeeds(shipped, shippedPath);
    fer2013Seeds();
    yunetSeeds();
#ifdef LITEFER_SEEDS_WITH_CORE
    sessionSeeds();
#endif
    std::cout << "seeds written to " << gOut << '\n';
    return 0;
}
