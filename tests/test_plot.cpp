#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "litefer/files.h"
#include "litefer/plot.h"
#include "litefer/png.h"
#include "litefer/sha256.h"

using namespace litefer;
using Catch::Matchers::Contains;

namespace {

// Checks inside the decoder's inner loops; a failure surfaces as a test exception with `what`
// (Catch assertions there would count every bit as an assertion).
void need(bool ok, const char* what) {
    if (!ok) {
        throw std::runtime_error(std::string("PNG decoding failed: ") + what);
    }
}

std::uint32_t readU32(const std::string& s, std::size_t at) {
    need(at + 4 <= s.size(), "read past the end");
    return (std::uint32_t{static_cast<std::uint8_t>(s[at])} << 24) |
           (std::uint32_t{static_cast<std::uint8_t>(s[at + 1])} << 16) |
           (std::uint32_t{static_cast<std::uint8_t>(s[at + 2])} << 8) |
           std::uint32_t{static_cast<std::uint8_t>(s[at + 3])};
}

struct Chunk {
    std::string type;
    std::string data;
    bool crcOk = false;
};

// Splits a PNG file into chunks after checking the signature; checks each chunk's CRC.
std::vector<Chunk> readChunks(const std::string& png) {
    REQUIRE(png.size() >= 8);
    REQUIRE(png.compare(0, 8, std::string("\x89PNG\r\n\x1a\n", 8)) == 0);
    std::vector<Chunk> chunks;
    std::size_t at = 8;
    while (at < png.size()) {
        const std::uint32_t length = readU32(png, at);
        REQUIRE(at + 12 + length <= png.size());
        Chunk c;
        c.type = png.substr(at + 4, 4);
        c.data = png.substr(at + 8, length);
        const std::uint32_t stored = readU32(png, at + 8 + length);
        c.crcOk = crc32(png.data() + at + 4, 4 + length) == stored;
        chunks.push_back(c);
        at += 12 + length;
    }
    return chunks;
}

// Minimal RFC 1951 inflater for the block types the encoder may emit (stored and fixed
// Huffman); independent of the encoder's code so it can catch encoder bugs.
class Inflater {
  public:
    explicit Inflater(const std::string& in) : in_(in) {}

    std::string run() {
        std::string out;
        bool last = false;
        while (!last) {
            last = bits(1) == 1;
            const std::uint32_t type = bits(2);
            if (type == 0) {
                bitPos_ = (bitPos_ + 7) / 8 * 8;
                const std::uint32_t len = bits(16);
                const std::uint32_t nlen = bits(16);
                need((len ^ 0xFFFFU) == nlen, "stored block length check");
                for (std::uint32_t i = 0; i < len; ++i) {
                    out += static_cast<char>(bits(8));
                }
            } else {
                need(type == 1, "block type other than stored or fixed");
                fixedBlock(out);
            }
        }
        consumed_ = (bitPos_ + 7) / 8;
        return out;
    }
    std::size_t consumedBytes() const { return consumed_; }

  private:
    std::uint32_t bits(int n) {
        std::uint32_t v = 0;
        for (int i = 0; i < n; ++i, ++bitPos_) {
            need(bitPos_ / 8 < in_.size(), "deflate stream ends early");
            const auto byte = static_cast<std::uint8_t>(in_[bitPos_ / 8]);
            v |= std::uint32_t{(byte >> (bitPos_ % 8)) & 1U} << i;
        }
        return v;
    }
    // Reads a Huffman code MSB-first, one bit at a time.
    std::uint32_t code(int n, std::uint32_t prefix = 0) {
        for (int i = 0; i < n; ++i) {
            prefix = (prefix << 1) | bits(1);
        }
        return prefix;
    }
    std::uint32_t literalOrLength() {
        std::uint32_t c = code(7);
        if (c <= 0x17) {
            return 256 + c;  // 7-bit codes: 256..279
        }
        c = code(1, c);
        if (c >= 0x30 && c <= 0xBF) {
            return c - 0x30;  // 8-bit codes: 0..143
        }
        if (c >= 0xC0 && c <= 0xC7) {
            return 280 + (c - 0xC0);  // 8-bit codes: 280..287
        }
        c = code(1, c);
        need(c >= 0x190 && c <= 0x1FF, "invalid fixed literal/length code");
        return 144 + (c - 0x190);  // 9-bit codes: 144..255
    }
    void fixedBlock(std::string& out) {
        static const int kLengthBase[] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                          15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                          67, 83, 99, 115, 131, 163, 195, 227, 258};
        static const int kLengthExtra[] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                           2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
        static const int kDistBase[] = {
            1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
            193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
        static const int kDistExtra[] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                         6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
        while (true) {
            const std::uint32_t sym = literalOrLength();
            if (sym < 256) {
                out += static_cast<char>(sym);
                continue;
            }
            if (sym == 256) {
                return;
            }
            need(sym <= 285, "invalid length symbol");
            const std::size_t li = sym - 257;
            const std::size_t length =
                static_cast<std::size_t>(kLengthBase[li]) + bits(kLengthExtra[li]);
            const std::uint32_t di = code(5);
            need(di < 30, "invalid distance symbol");
            const std::size_t distance =
                static_cast<std::size_t>(kDistBase[di]) + bits(kDistExtra[di]);
            need(distance <= out.size() && distance <= 32768, "distance beyond the window");
            for (std::size_t i = 0; i < length; ++i) {
                out += out[out.size() - distance];
            }
        }
    }

    const std::string& in_;
    std::size_t bitPos_ = 0;
    std::size_t consumed_ = 0;
};

std::uint32_t adler32Reference(const std::string& data) {
    std::uint32_t a = 1, b = 0;
    for (const char c : data) {
        a = (a + static_cast<std::uint8_t>(c)) % 65521;
        b = (b + a) % 65521;
    }
    return (b << 16) | a;
}

struct Decoded {
    std::uint32_t width = 0, height = 0;
    int bitDepth = 0, colourType = 0;
    std::vector<std::uint8_t> pixels;
};

// Decodes a PNG produced by encodePng (8-bit, filter 0 on every row) and checks its framing.
Decoded decodePng(const std::string& png) {
    const std::vector<Chunk> chunks = readChunks(png);
    REQUIRE(chunks.size() >= 3);
    REQUIRE(chunks.front().type == "IHDR");
    REQUIRE(chunks.back().type == "IEND");
    REQUIRE(chunks.back().data.empty());
    Decoded d;
    const std::string& ihdr = chunks.front().data;
    REQUIRE(ihdr.size() == 13);
    d.width = readU32(ihdr, 0);
    d.height = readU32(ihdr, 4);
    d.bitDepth = static_cast<std::uint8_t>(ihdr[8]);
    d.colourType = static_cast<std::uint8_t>(ihdr[9]);
    CHECK(ihdr[10] == 0);  // compression
    CHECK(ihdr[11] == 0);  // filter method
    CHECK(ihdr[12] == 0);  // interlace
    std::string zlib;
    for (const Chunk& c : chunks) {
        CHECK(c.crcOk);
        if (c.type == "IDAT") {
            zlib += c.data;
        }
    }
    REQUIRE(zlib.size() > 6);
    const auto cmf = static_cast<std::uint8_t>(zlib[0]);
    const auto flg = static_cast<std::uint8_t>(zlib[1]);
    REQUIRE((cmf & 0x0F) == 8);            // deflate
    REQUIRE((cmf * 256 + flg) % 31 == 0);  // header check
    REQUIRE((flg & 0x20) == 0);            // no preset dictionary
    const std::string body = zlib.substr(2);
    Inflater inflater(body);
    const std::string raw = inflater.run();
    REQUIRE(inflater.consumedBytes() + 4 == body.size());
    CHECK(readU32(body, inflater.consumedBytes()) == adler32Reference(raw));

    const int channels = d.colourType == 0 ? 1 : d.colourType == 2 ? 3 : 4;
    const std::size_t rowBytes = d.width * static_cast<std::size_t>(channels);
    REQUIRE(raw.size() == (rowBytes + 1) * d.height);
    for (std::size_t y = 0; y < d.height; ++y) {
        need(raw[y * (rowBytes + 1)] == 0, "filter type other than None");
        for (std::size_t i = 0; i < rowBytes; ++i) {
            d.pixels.push_back(static_cast<std::uint8_t>(raw[y * (rowBytes + 1) + 1 + i]));
        }
    }
    return d;
}

// Number of pixels that differ from the colour of pixel (0, 0).
std::size_t nonBackgroundPixels(const plot::Canvas& canvas) {
    const plot::Color bg = canvas.pixel(0, 0);
    std::size_t n = 0;
    for (int y = 0; y < canvas.height(); ++y) {
        for (int x = 0; x < canvas.width(); ++x) {
            n += canvas.pixel(x, y) != bg ? 1 : 0;
        }
    }
    return n;
}

// Writes the image to $LITEFER_PLOT_OUT/<name> when that variable is set, for eyeballing.
void maybeSave(const plot::Canvas& canvas, const std::string& name) {
    if (const char* dir = std::getenv("LITEFER_PLOT_OUT")) {
        writeFileAtomic(std::string(dir) + "/" + name, canvas.png());
    }
}

plot::LineChart trainingCurves() {
    plot::LineChart chart;
    chart.title = "Training loss";
    chart.xLabel = "epoch";
    chart.yLabel = "loss";
    plot::Series train{"train", {}, {}, plot::paletteColor(0)};
    plot::Series val{"validation", {}, {}, plot::paletteColor(1)};
    for (int e = 1; e <= 30; ++e) {
        train.x.push_back(e);
        train.y.push_back(1.9 * std::exp(-e / 9.0) + 0.35);
        val.x.push_back(e);
        val.y.push_back(1.8 * std::exp(-e / 11.0) + 0.55 + 0.0004 * e * e);
    }
    val.y[12] = std::numeric_limits<double>::quiet_NaN();  // a missing evaluation
    chart.series = {train, val};
    return chart;
}

}  // namespace

TEST_CASE("PNG header carries the signature, size and colour type", "[png]") {
    const std::vector<std::uint8_t> rgb(7 * 3 * 3, 128);
    const std::string png = encodePng(7, 3, 3, rgb.data());
    const std::vector<Chunk> chunks = readChunks(png);
    REQUIRE(chunks.front().type == "IHDR");
    CHECK(readU32(chunks.front().data, 0) == 7);
    CHECK(readU32(chunks.front().data, 4) == 3);
    CHECK(chunks.front().data[8] == 8);  // bit depth
    CHECK(chunks.front().data[9] == 2);  // RGB
    // The IHDR CRC covers the type and data: recompute it from the file's bytes.
    CHECK(readU32(png, 8 + 8 + 13) == crc32(png.data() + 12, 4 + 13));
    CHECK(chunks.front().crcOk);

    const std::vector<std::uint8_t> gray(5 * 4, 0);
    CHECK(decodePng(encodePng(5, 4, 1, gray.data())).colourType == 0);
    const std::vector<std::uint8_t> rgba(2 * 2 * 4, 255);
    CHECK(decodePng(encodePng(2, 2, 4, rgba.data())).colourType == 6);
}

TEST_CASE("PNG pixels decode back exactly for gray, RGB and RGBA", "[png]") {
    std::uint32_t state = 12345;
    const auto noise = [&]() {
        state = state * 1664525U + 1013904223U;
        return static_cast<std::uint8_t>(state >> 24);
    };
    for (const int channels : {1, 3, 4}) {
        const int w = 37, h = 23;
        std::vector<std::uint8_t> pixels(static_cast<std::size_t>(w * h * channels));
        for (std::size_t i = 0; i < pixels.size(); ++i) {
            // Half noise (literals), half repeating pattern (matches).
            pixels[i] = i % 200 < 100 ? noise() : static_cast<std::uint8_t>(i % 7);
        }
        const Decoded d = decodePng(encodePng(w, h, channels, pixels.data()));
        CHECK(d.width == static_cast<std::uint32_t>(w));
        CHECK(d.height == static_cast<std::uint32_t>(h));
        CHECK(d.bitDepth == 8);
        CHECK(d.pixels == pixels);
    }
}

TEST_CASE("PNG of a large flat image is compressed and still exact", "[png]") {
    const int w = 800, h = 500;
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(w * h * 3), 255);
    for (int x = 0; x < w; ++x) {
        const std::size_t i = (static_cast<std::size_t>(250) * w + static_cast<std::size_t>(x)) * 3;
        pixels[i] = static_cast<std::uint8_t>(x);  // one varying row
    }
    const std::string png = encodePng(w, h, 3, pixels.data());
    CHECK(png.size() < pixels.size() / 50);
    CHECK(decodePng(png).pixels == pixels);
}

TEST_CASE("PNG encoder rejects bad arguments", "[png]") {
    const std::uint8_t px[4] = {};
    CHECK_THROWS_AS(encodePng(0, 1, 3, px), std::invalid_argument);
    CHECK_THROWS_WITH(encodePng(1, -2, 3, px), Contains("1x-2"));
    CHECK_THROWS_WITH(encodePng(1, 1, 2, px), Contains("channels must be 1, 3 or 4, got 2"));
    CHECK_THROWS_WITH(encodePng(1, 1, 3, nullptr), Contains("null"));
    CHECK_THROWS_WITH(encodePng(1 << 30, 1 << 30, 4, px), Contains("too large"));
}

TEST_CASE("canvas draws rectangles, lines and text inside its bounds", "[plot]") {
    plot::Canvas canvas(40, 30, plot::kWhite);
    CHECK(canvas.pixels().size() == 40u * 30u * 3u);
    canvas.fillRect(-5, -5, 10, 10, plot::kBlack);  // clipped at the corner
    CHECK(canvas.pixel(4, 4) == plot::kBlack);
    CHECK(canvas.pixel(5, 5) == plot::kWhite);
    canvas.line(10, 20.5, 30, 20.5, plot::Color{255, 0, 0});  // exactly row 20
    CHECK(canvas.pixel(20, 20) == (plot::Color{255, 0, 0}));
    CHECK(canvas.pixel(20, 19) == plot::kWhite);
    CHECK(canvas.pixel(20, 21) == plot::kWhite);
    canvas.line(-100, -100, 500, 500, plot::kBlack, 3);  // far outside: clipped, no crash
    CHECK_THROWS_AS(canvas.pixel(40, 0), std::out_of_range);
    CHECK_THROWS_AS(plot::Canvas(0, 10, plot::kWhite), std::invalid_argument);
}

TEST_CASE("text uses the 5x7 font and measures its width", "[plot]") {
    plot::Canvas canvas(30, 10, plot::kWhite);
    CHECK(canvas.textWidth("") == 0);
    CHECK(canvas.textWidth("A") == 5);
    CHECK(canvas.textWidth("AB") == 11);
    CHECK(canvas.textWidth("AB", 2) == 22);
    CHECK(canvas.textWidth("\xC3\xA9") == 5);  // one non-ASCII character, drawn as '?'
    canvas.text(1, 1, "I", plot::kBlack);
    // 'I' is ".###." then "..#.." rows: the top bar and the stem.
    CHECK(canvas.pixel(1, 1) == plot::kWhite);
    CHECK(canvas.pixel(2, 1) == plot::kBlack);
    CHECK(canvas.pixel(4, 1) == plot::kBlack);
    CHECK(canvas.pixel(2, 2) == plot::kWhite);
    CHECK(canvas.pixel(3, 4) == plot::kBlack);
    CHECK(nonBackgroundPixels(canvas) == 3 + 5 + 3);
    canvas.text(25, 1, "WWW", plot::kBlack);  // runs off the right edge: clipped
}

TEST_CASE("vertical text reads bottom to top", "[plot]") {
    plot::Canvas canvas(10, 10, plot::kWhite);
    canvas.textVertical(0, 0, "L", plot::kBlack);  // 'L': left column and bottom row
    // Rotated counter-clockwise, the left column becomes the bottom row (y = 4) and the
    // bottom row becomes the right column (x = 6).
    for (int x = 0; x < 7; ++x) {
        CHECK(canvas.pixel(x, 4) == plot::kBlack);
    }
    for (int y = 0; y < 5; ++y) {
        CHECK(canvas.pixel(6, y) == plot::kBlack);
    }
    CHECK(nonBackgroundPixels(canvas) == 11);
}

TEST_CASE("canvas PNG decodes to the canvas pixels", "[plot]") {
    plot::Canvas canvas(16, 9, plot::Color{10, 20, 30});
    canvas.line(0, 0, 16, 9, plot::Color{250, 200, 0}, 2);
    const Decoded d = decodePng(canvas.png());
    CHECK(d.width == 16);
    CHECK(d.height == 9);
    CHECK(d.colourType == 2);
    CHECK(d.pixels == canvas.pixels());
}

TEST_CASE("a line chart of training curves renders axes, curves and legend", "[plot]") {
    const plot::Canvas canvas = plot::renderLineChart(trainingCurves());
    CHECK(canvas.width() == 800);
    CHECK(canvas.height() == 500);
    CHECK(nonBackgroundPixels(canvas) > 5000);
    // Both series colours appear.
    std::size_t train = 0, val = 0;
    for (int y = 0; y < canvas.height(); ++y) {
        for (int x = 0; x < canvas.width(); ++x) {
            train += canvas.pixel(x, y) == plot::paletteColor(0) ? 1 : 0;
            val += canvas.pixel(x, y) == plot::paletteColor(1) ? 1 : 0;
        }
    }
    CHECK(train > 300);
    CHECK(val > 300);
    CHECK(decodePng(canvas.png()).pixels == canvas.pixels());
    maybeSave(canvas, "line_chart.png");
}

TEST_CASE("line charts handle empty series, single points, NaNs and flat data", "[plot]") {
    plot::LineChart empty;
    empty.title = "nothing yet";
    const plot::Canvas none = plot::renderLineChart(empty);
    CHECK(nonBackgroundPixels(none) > 100);  // frame, ticks and "no data"
    maybeSave(none, "line_chart_empty.png");

    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    plot::LineChart single;
    single.series.push_back({"accuracy", {1}, {0.42}, plot::paletteColor(2)});
    single.series.push_back({"all NaN", {1, 2}, {kNaN, kNaN}, plot::paletteColor(3)});
    const plot::Canvas one = plot::renderLineChart(single);
    std::size_t marker = 0;
    for (int y = 0; y < one.height(); ++y) {
        for (int x = 0; x < one.width(); ++x) {
            marker += one.pixel(x, y) == plot::paletteColor(2) ? 1 : 0;
        }
    }
    CHECK(marker > 20);  // the lone point is drawn as a marker (plus the legend swatch)
    maybeSave(one, "line_chart_single.png");

    plot::LineChart flat;
    flat.series.push_back({"flat", {0, 1, 2, 3}, {5, 5, 5, 5}, plot::paletteColor(0)});
    flat.series.push_back({"", {}, {}, plot::paletteColor(1)});
    CHECK(nonBackgroundPixels(plot::renderLineChart(flat)) > 1000);
}

TEST_CASE("line chart rejects mismatched series and impossible sizes", "[plot]") {
    plot::LineChart chart;
    chart.series.push_back({"bad", {1, 2, 3}, {1, 2}, plot::paletteColor(0)});
    CHECK_THROWS_WITH(plot::renderLineChart(chart),
                      Contains("'bad'") && Contains("3 x values but 2 y values"));
    plot::LineChart tiny = trainingCurves();
    tiny.width = 60;
    tiny.height = 40;
    CHECK_THROWS_AS(plot::renderLineChart(tiny), std::invalid_argument);
}

TEST_CASE("a confusion matrix renders shaded cells with counts", "[plot]") {
    const std::vector<std::string> labels = {"angry", "disgust",  "fear",   "happy",
                                             "sad",   "surprise", "neutral"};
    std::vector<std::vector<std::int64_t>> counts(7, std::vector<std::int64_t>(7, 0));
    for (std::size_t t = 0; t < 7; ++t) {
        for (std::size_t p = 0; p < 7; ++p) {
            counts[t][p] = t == p ? 300 + 40 * static_cast<std::int64_t>(t)
                                  : static_cast<std::int64_t>((t * 7 + p * 3) % 40);
        }
    }
    counts[1] = std::vector<std::int64_t>(7, 0);  // a class with no samples
    counts[3][3] = 12345;
    const plot::Canvas canvas = plot::renderConfusionMatrix(counts, labels, "Confusion matrix");
    CHECK(canvas.width() > 7 * 64);
    CHECK(canvas.height() > 7 * 64);
    CHECK(nonBackgroundPixels(canvas) > 7 * 7 * 64 * 64 / 2);  // cells are shaded
    CHECK(decodePng(canvas.png()).pixels == canvas.pixels());
    maybeSave(canvas, "confusion_matrix.png");

    // Long labels are drawn vertically instead of overlapping.
    const plot::Canvas wide =
        plot::renderConfusionMatrix({{5, 1}, {2, 7}}, {"a very long class name", "short"}, "");
    CHECK(wide.height() >
          2 * 64 + plot::Canvas(1, 1, plot::kWhite).textWidth("a very long class name"));
    maybeSave(wide, "confusion_matrix_long_labels.png");
}

TEST_CASE("confusion matrix rejects non-square input and label mismatches", "[plot]") {
    CHECK_THROWS_WITH(plot::renderConfusionMatrix({{1, 2}, {3}}, {"a", "b"}, "t"),
                      Contains("square") && Contains("row 1 has 1 columns"));
    CHECK_THROWS_WITH(plot::renderConfusionMatrix({{1, 2}, {3, 4}}, {"a"}, "t"),
                      Contains("1 labels for 2 classes"));
    CHECK_THROWS_WITH(plot::renderConfusionMatrix({}, {}, "t"), Contains("empty"));
    CHECK_THROWS_WITH(plot::renderConfusionMatrix({{1, -1}, {0, 0}}, {"a", "b"}, "t"),
                      Contains("negative"));
    CHECK_THROWS_AS(plot::renderConfusionMatrix({{1, 2}, {3, 4}}, {"a", "b", "c"}, "t"),
                    std::invalid_argument);
}
