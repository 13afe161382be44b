#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "litefer/core/dataset.h"
#include "support/temp_dir.h"

using namespace litefer;
using namespace litefer::core;
namespace fs = std::filesystem;

namespace {

using litefer::test::TempDir;

void writeText(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << text;
    REQUIRE(out.good());
}

/// 2304 space-separated values (seed + i) % 256, optionally replacing value `at` by `token`.
std::string pixelText(int seed, std::size_t count = kPackImageBytes, std::size_t at = SIZE_MAX,
                      const std::string& token = "") {
    std::string out;
    for (std::size_t i = 0; i < count; ++i) {
        out += i == 0 ? "" : " ";
        out += i == at ? token : std::to_string((static_cast<std::size_t>(seed) + i) % 256);
    }
    return out;
}

bool hasProblem(const LoadReport& report, const std::string& a, const std::string& b) {
    return std::any_of(report.problems.begin(), report.problems.end(), [&](const std::string& p) {
        return p.find(a) != std::string::npos && p.find(b) != std::string::npos;
    });
}

std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return {};
}

/// A 48x48 grey image filled with `value`.
cv::Mat flat(int value, int side = kPackSide) {
    return cv::Mat(side, side, CV_8UC1, cv::Scalar(value));
}

/// A smooth test pattern (compresses like a face, not like noise).
cv::Mat gradient(int side) {
    cv::Mat m(side, side, CV_8UC1);
    for (int y = 0; y < side; ++y) {
        for (int x = 0; x < side; ++x) {
            m.at<std::uint8_t>(y, x) = static_cast<std::uint8_t>((x * 3 + y * 2) % 256);
        }
    }
    return m;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Class names

TEST_CASE("class names map case-insensitively with synonyms and FER ids", "[dataset]") {
    ClassMapOptions none;
    auto label = [&](const char* name) {
        ClassMapping m = mapClassName(name, none);
        REQUIRE(m.kind == ClassMapping::Kind::Label);
        return m.emotion;
    };
    REQUIRE(label("angry") == Emotion::Angry);
    REQUIRE(label("Anger") == Emotion::Angry);
    REQUIRE(label("HAPPINESS") == Emotion::Happy);
    REQUIRE(label("Surprised") == Emotion::Surprise);
    REQUIRE(label("fearful") == Emotion::Fear);
    REQUIRE(label("sadness") == Emotion::Sad);
    REQUIRE(label("disgusted") == Emotion::Disgust);
    REQUIRE(label("Neutral") == Emotion::Neutral);
    REQUIRE(label("0") == Emotion::Angry);
    REQUIRE(label("6") == Emotion::Neutral);
    REQUIRE(mapClassName("contempt", none).kind == ClassMapping::Kind::Unknown);
    REQUIRE(mapClassName("7", none).kind == ClassMapping::Kind::Unknown);
    REQUIRE(mapClassName("calm", none).kind == ClassMapping::Kind::Unknown);
}

TEST_CASE("a user class map overrides built-in names and can drop classes", "[dataset]") {
    ClassMapOptions opts;
    parseClassMap("contempt=drop, Anger=sad,1=angry,,", opts);
    REQUIRE(mapClassName("Contempt", opts).kind == ClassMapping::Kind::Drop);
    REQUIRE(mapClassName("anger", opts).emotion == Emotion::Sad);
    REQUIRE(mapClassName("1", opts).emotion == Emotion::Angry);
    REQUIRE(mapClassName("angry", opts).emotion == Emotion::Angry);

    REQUIRE_THROWS_WITH(parseClassMap("contempt", opts), Catch::Contains("NAME=LABEL"));
    REQUIRE_THROWS_WITH(parseClassMap("contempt=meh", opts), Catch::Contains("'meh'"));
    REQUIRE_THROWS_AS(parseClassMap("=angry", opts), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// FER2013 CSV

TEST_CASE("CSV rows go to their splits and bad rows are skipped with line numbers",
          "[dataset][csv]") {
    TempDir dir("litefer-dataset");
    const fs::path csv = dir.path() / "fer.csv";
    // CRLF line endings, a quoted pixel field, a trailing newline, a blank line.
    std::string text = "emotion,pixels,Usage\r\n";
    text += "3," + pixelText(10) + ",Training\r\n";                               // line 2: ok
    text += "2," + pixelText(1, kPackImageBytes - 1) + ",PublicTest\r\n";         // 3: 2303
    text += "4," + pixelText(2, kPackImageBytes, 17, "abc") + ",Training\r\n";    // 4: not number
    text += "7," + pixelText(3) + ",Training\r\n";                                // 5: label 7
    text += "1," + pixelText(4, kPackImageBytes, 5, "300") + ",PrivateTest\r\n";  // 6: 300
    text += "0,\"" + pixelText(20) + "\",PublicTest\r\n";                         // 7: ok
    text += "\r\n";                                                               // 8: blank
    text += "6," + pixelText(30) + ",PrivateTest\r\n";                            // 9: ok
    text += "x," + pixelText(40) + ",Training\r\n";                               // 10: label
    writeText(csv, text);

    LoadReport report;
    auto splits = loadFer2013Csv(csv.string(), {}, report);

    REQUIRE(report.skipped == 5);
    CHECK(hasProblem(report, "fer.csv:3:", "2303 pixel values"));
    CHECK(hasProblem(report, "fer.csv:4:", "'abc' is not a number"));
    CHECK(hasProblem(report, "fer.csv:5:", "emotion 7 is outside 0..6"));
    CHECK(hasProblem(report, "fer.csv:6:", "is 300, outside 0..255"));
    CHECK(hasProblem(report, "fer.csv:10:", "emotion 'x' is not a number"));

    REQUIRE(splits.size() == 3);
    const PackedDataset& train = splits.at("train");
    const PackedDataset& val = splits.at("val");
    const PackedDataset& test = splits.at("test");
    REQUIRE(train.size() == 1);
    REQUIRE(val.size() == 1);
    REQUIRE(test.size() == 1);
    REQUIRE(train.labels[0] == 3);
    REQUIRE(val.labels[0] == 0);
    REQUIRE(test.labels[0] == 6);
    REQUIRE(train.image(0)[0] == 10);
    REQUIRE(train.image(0)[kPackImageBytes - 1] == (10 + kPackImageBytes - 1) % 256);
    REQUIRE(val.image(0)[100] == 120);
    REQUIRE(test.image(0)[47 * 48] == (30 + 47 * 48) % 256);
    REQUIRE(train.classCounts[3] == 1);
    REQUIRE(train.skipped == 3);
    REQUIRE(val.skipped == 1);
    REQUIRE(test.skipped == 1);
    REQUIRE(train.split == "train");
    REQUIRE_THAT(train.source, Catch::Contains("fer.csv"));
}

TEST_CASE("CSV columns may come in any order and without a Usage column", "[dataset][csv]") {
    TempDir dir("litefer-dataset");
    const fs::path csv = dir.path() / "reordered.csv";
    writeText(csv, "Usage,pixels,emotion\nPrivateTest," + pixelText(5) + ",5\n");
    LoadReport report;
    auto splits = loadFer2013Csv(csv.string(), {}, report);
    REQUIRE(splits.count("test") == 1);
    REQUIRE(splits.at("test").labels[0] == 5);
    REQUIRE(splits.at("test").image(0)[1] == 6);

    const fs::path noUsage = dir.path() / "kaggle-train.csv";
    writeText(noUsage, "emotion,pixels\n2," + pixelText(0) + "\n4," + pixelText(1));
    LoadReport report2;
    auto only = loadFer2013Csv(noUsage.string(), {}, report2);
    REQUIRE(only.size() == 1);
    REQUIRE(only.at("train").size() == 2);
    REQUIRE(report2.skipped == 0);
}

TEST_CASE("a CSV class map remaps and drops FER ids", "[dataset][csv]") {
    TempDir dir("litefer-dataset");
    const fs::path csv = dir.path() / "fer.csv";
    writeText(csv, "emotion,pixels,Usage\n1," + pixelText(0) + ",Training\n5," + pixelText(0) +
                       ",Training\n0," + pixelText(0) + ",Training\n");
    ClassMapOptions opts;
    parseClassMap("disgust=angry,5=drop", opts);
    LoadReport report;
    auto splits = loadFer2013Csv(csv.string(), opts, report);
    REQUIRE(splits.at("train").labels == std::vector<std::uint8_t>{0, 0});
    REQUIRE(report.dropped == 1);
    REQUIRE(report.skipped == 0);
}

TEST_CASE("a CSV without any valid row fails naming the file", "[dataset][csv]") {
    TempDir dir("litefer-dataset");
    const fs::path csv = dir.path() / "all-bad.csv";
    writeText(csv, "emotion,pixels,Usage\n9," + pixelText(0) + ",Training\n1,1 2 3,Training\n");
    LoadReport report;
    const std::string msg = errorOf([&] { loadFer2013Csv(csv.string(), {}, report); });
    REQUIRE_THAT(msg, Catch::Contains(csv.string()));
    REQUIRE_THAT(msg, Catch::Contains("no valid row"));

    const fs::path headerOnly = dir.path() / "header-only.csv";
    writeText(headerOnly, "emotion,pixels,Usage\n");
    REQUIRE_THROWS_WITH(loadFer2013Csv(headerOnly.string(), {}, report),
                        Catch::Contains("header-only.csv"));

    const fs::path noPixels = dir.path() / "no-pixels.csv";
    writeText(noPixels, "emotion,image,Usage\n1,a.png,Training\n");
    REQUIRE_THROWS_WITH(loadFer2013Csv(noPixels.string(), {}, report),
                        Catch::Contains("no-pixels.csv") && Catch::Contains("'pixels'"));

    REQUIRE_THROWS_WITH(loadFer2013Csv((dir.path() / "missing.csv").string(), {}, report),
                        Catch::Contains("missing.csv"));
}

// ---------------------------------------------------------------------------------------------
// Image folders

TEST_CASE("image folders load with synonyms and skip unreadable and truncated images",
          "[dataset][images]") {
    TempDir dir("litefer-dataset");
    const fs::path train = dir.path() / "train";
    fs::create_directories(train / "Happiness");
    fs::create_directories(train / "anger");
    fs::create_directories(train / "NEUTRAL");
    REQUIRE(cv::imwrite((train / "Happiness" / "a.png").string(), flat(10)));
    REQUIRE(cv::imwrite((train / "Happiness" / "b.PNG").string(), flat(20)));
    REQUIRE(cv::imwrite((train / "anger" / "big.jpg").string(), gradient(96)));  // resized
    REQUIRE(cv::imwrite((train / "NEUTRAL" / "n.bmp").string(), flat(200)));
    writeText(train / "NEUTRAL" / "notes.txt", "not an image, ignored");
    writeText(train / "anger" / "broken.jpg", "this is not a JPEG");

    // A JPEG cut to a third still decodes in OpenCV (grey fill); the loader must catch it.
    std::vector<std::uint8_t> jpeg;
    REQUIRE(cv::imencode(".jpg", gradient(128), jpeg));
    jpeg.resize(jpeg.size() / 3);
    writeText(train / "anger" / "truncated.jpg", std::string(jpeg.begin(), jpeg.end()));
    REQUIRE_FALSE(
        cv::imread((train / "anger" / "truncated.jpg").string(), cv::IMREAD_GRAYSCALE).empty());

    LoadReport report;
    std::size_t lastDone = 0;
    std::size_t lastTotal = 0;
    PackedDataset ds = loadImageFolderSplit(dir.str(), "train", {}, report,
                                            [&](std::size_t done, std::size_t total) {
                                                lastDone = done;
                                                lastTotal = total;
                                            });

    REQUIRE(ds.size() == 4);
    REQUIRE(ds.split == "train");
    REQUIRE(ds.skipped == 2);
    REQUIRE(report.skipped == 2);
    CHECK(hasProblem(report, "broken.jpg", "unreadable"));
    CHECK(hasProblem(report, "truncated.jpg", "truncated JPEG"));
    REQUIRE(lastDone == 6);
    REQUIRE(lastTotal == 6);
    REQUIRE(ds.classCounts[static_cast<std::size_t>(Emotion::Happy)] == 2);
    REQUIRE(ds.classCounts[static_cast<std::size_t>(Emotion::Angry)] == 1);
    REQUIRE(ds.classCounts[static_cast<std::size_t>(Emotion::Neutral)] == 1);
    // Class folders and files in byte order: Happiness (a=10, b=20), NEUTRAL (200), anger.
    std::vector<std::uint8_t> firstPixels;
    for (std::size_t i = 0; i < ds.size(); ++i) {
        firstPixels.push_back(ds.image(i)[0]);
    }
    REQUIRE(ds.labels == std::vector<std::uint8_t>{3, 3, 6, 0});
    REQUIRE(firstPixels[0] == 10);
    REQUIRE(firstPixels[1] == 20);
    REQUIRE(firstPixels[2] == 200);
    REQUIRE(std::all_of(ds.image(0), ds.image(0) + kPackImageBytes,
                        [](std::uint8_t v) { return v == 10; }));
}

TEST_CASE("an unknown class folder fails with the --class-map fix unless it is dropped",
          "[dataset][images]") {
    TempDir dir("litefer-dataset");
    const fs::path train = dir.path() / "train";
    fs::create_directories(train / "happy");
    fs::create_directories(train / "contempt");
    REQUIRE(cv::imwrite((train / "happy" / "a.png").string(), flat(1)));
    REQUIRE(cv::imwrite((train / "contempt" / "c1.png").string(), flat(2)));
    REQUIRE(cv::imwrite((train / "contempt" / "c2.png").string(), flat(3)));

    LoadReport report;
    const std::string msg = errorOf([&] { loadImageFolderSplit(dir.str(), "train", {}, report); });
    REQUIRE_THAT(msg, Catch::Contains("contempt"));
    REQUIRE_THAT(msg, Catch::Contains("--class-map contempt="));
    REQUIRE_THAT(msg, Catch::Contains("--drop-unknown"));
    REQUIRE_THAT(msg, Catch::Contains(train.string()));

    ClassMapOptions dropIt;
    parseClassMap("contempt=drop", dropIt);
    LoadReport r1;
    PackedDataset ds = loadImageFolderSplit(dir.str(), "train", dropIt, r1);
    REQUIRE(ds.size() == 1);
    REQUIRE(r1.dropped == 2);
    REQUIRE(r1.skipped == 0);
    REQUIRE_THAT(r1.notes.at(0), Catch::Contains("contempt"));

    ClassMapOptions dropUnknown;
    dropUnknown.dropUnknown = true;
    LoadReport r2;
    REQUIRE(loadImageFolderSplit(dir.str(), "train", dropUnknown, r2).size() == 1);
    REQUIRE(r2.dropped == 2);

    ClassMapOptions mapIt;
    parseClassMap("contempt=angry", mapIt);
    LoadReport r3;
    REQUIRE(loadImageFolderSplit(dir.str(), "train", mapIt, r3).classCounts[0] == 2);
}

TEST_CASE("a missing split folder fails listing the splits that exist", "[dataset][images]") {
    TempDir dir("litefer-dataset");
    fs::create_directories(dir.path() / "train" / "happy");
    fs::create_directories(dir.path() / "test" / "happy");
    LoadReport report;
    const std::string msg = errorOf([&] { loadImageFolderSplit(dir.str(), "val", {}, report); });
    REQUIRE_THAT(msg, Catch::Contains("'val'"));
    REQUIRE_THAT(msg, Catch::Contains("test, train"));
    REQUIRE_THAT(msg, Catch::Contains("--splits"));
    REQUIRE(listSplitFolders(dir.str()) == std::vector<std::string>{"test", "train"});
}

TEST_CASE("a split whose images are all unreadable fails naming the folder", "[dataset][images]") {
    TempDir dir("litefer-dataset");
    writeText(dir.path() / "train" / "sad" / "x.jpg", "garbage");
    LoadReport report;
    REQUIRE_THROWS_WITH(
        loadImageFolderSplit(dir.str(), "train", {}, report),
        Catch::Contains((dir.path() / "train").string()) && Catch::Contains("could be read"));
}

TEST_CASE("the shared FER2013 val split has the class counts of its README",
          "[dataset][images][shared]") {
    const std::string root = LITEFER_SHARED_DIR "/data/fer2013";
    if (!fs::is_directory(root + "/val")) {
        WARN("skipped: " << root
                         << "/val not found (the shared FER2013 copy is not on this "
                            "machine)");
        return;
    }
    LoadReport report;
    PackedDataset val = loadImageFolderSplit(root, "val", {}, report);
    INFO("first problem: " << (report.problems.empty() ? "none" : report.problems.front()));
    REQUIRE(report.skipped == 0);
    REQUIRE(val.size() == 3589);
    REQUIRE(val.classCounts ==
            std::array<std::int64_t, kNumEmotions>{467, 56, 496, 895, 653, 415, 607});
}
