#include "litefer/plot.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "litefer/png.h"

namespace litefer::plot {

namespace {

constexpr int kMaxCanvasSide = 16384;

// The built-in font: printable ASCII 32..126, 5 columns x 7 rows per glyph, '#' = ink.
// Drawn for this project (classic 5x7 terminal shapes; lower case without descender rows).
// clang-format off
constexpr const char* kFont[95][7] = {
    {".....", ".....", ".....", ".....", ".....", ".....", "....."},  // ' '
    {"..#..", "..#..", "..#..", "..#..", "..#..", ".....", "..#.."},  // '!'
    {".#.#.", ".#.#.", ".#.#.", ".....", ".....", ".....", "....."},  // '"'
    {".#.#.", ".#.#.", "#####", ".#.#.", "#####", ".#.#.", ".#.#."},  // '#'
    {"..#..", ".####", "#.#..", ".###.", "..#.#", "####.", "..#.."},  // '$'
    {"##...", "##..#", "...#.", "..#..", ".#...", "#..##", "...##"},  // '%'
    {".##..", "#..#.", "#.#..", ".#...", "#.#.#", "#..#.", ".##.#"},  // '&'
    {"..#..", "..#..", ".#...", ".....", ".....", ".....", "....."},  // '\''
    {"...#.", "..#..", ".#...", ".#...", ".#...", "..#..", "...#."},  // '('
    {".#...", "..#..", "...#.", "...#.", "...#.", "..#..", ".#..."},  // ')'
    {".....", "..#..", "#.#.#", ".###.", "#.#.#", "..#..", "....."},  // '*'
    {".....", "..#..", "..#..", "#####", "..#..", "..#..", "....."},  // '+'
    {".....", ".....", ".....", ".....", ".##..", "..#..", ".#..."},  // ','
    {".....", ".....", ".....", "#####", ".....", ".....", "....."},  // '-'
    {".....", ".....", ".....", ".....", ".....", ".##..", ".##.."},  // '.'
    {".....", "....#", "...#.", "..#..", ".#...", "#....", "....."},  // '/'
    {".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."},  // '0'
    {"..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."},  // '1'
    {".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"},  // '2'
    {"#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."},  // '3'
    {"...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."},  // '4'
    {"#####", "#....", "####.", "....#", "....#", "#...#", ".###."},  // '5'
    {"..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."},  // '6'
    {"#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."},  // '7'
    {".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."},  // '8'
    {".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."},  // '9'
    {".....", ".##..", ".##..", ".....", ".##..", ".##..", "....."},  // ':'
    {".....", ".##..", ".##..", ".....", ".##..", "..#..", ".#..."},  // ';'
    {"...#.", "..#..", ".#...", "#....", ".#...", "..#..", "...#."},  // '<'
    {".....", ".....", "#####", ".....", "#####", ".....", "....."},  // '='
    {".#...", "..#..", "...#.", "....#", "...#.", "..#..", ".#..."},  // '>'
    {".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.."},  // '?'
    {".###.", "#...#", "....#", ".##.#", "#.#.#", "#.#.#", ".###."},  // '@'
    {".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"},  // 'A'
    {"####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."},  // 'B'
    {".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."},  // 'C'
    {"###..", "#..#.", "#...#", "#...#", "#...#", "#..#.", "###.."},  // 'D'
    {"#####", "#....", "#....", "####.", "#....", "#....", "#####"},  // 'E'
    {"#####", "#....", "#....", "####.", "#....", "#....", "#...."},  // 'F'
    {".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"},  // 'G'
    {"#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"},  // 'H'
    {".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."},  // 'I'
    {"..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."},  // 'J'
    {"#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"},  // 'K'
    {"#....", "#....", "#....", "#....", "#....", "#....", "#####"},  // 'L'
    {"#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"},  // 'M'
    {"#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"},  // 'N'
    {".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."},  // 'O'
    {"####.", "#...#", "#...#", "####.", "#....", "#....", "#...."},  // 'P'
    {".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"},  // 'Q'
    {"####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"},  // 'R'
    {".####", "#....", "#....", ".###.", "....#", "....#", "####."},  // 'S'
    {"#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."},  // 'T'
    {"#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."},  // 'U'
    {"#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."},  // 'V'
    {"#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."},  // 'W'
    {"#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"},  // 'X'
    {"#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."},  // 'Y'
    {"#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"},  // 'Z'
    {".###.", ".#...", ".#...", ".#...", ".#...", ".#...", ".###."},  // '['
    {".....", "#....", ".#...", "..#..", "...#.", "....#", "....."},  // '\\'
    {".###.", "...#.", "...#.", "...#.", "...#.", "...#.", ".###."},  // ']'
    {"..#..", ".#.#.", "#...#", ".....", ".....", ".....", "....."},  // '^'
    {".....", ".....", ".....", ".....", ".....", ".....", "#####"},  // '_'
    {".#...", "..#..", "...#.", ".....", ".....", ".....", "....."},  // '`'
    {".....", ".....", ".###.", "....#", ".####", "#...#", ".####"},  // 'a'
    {"#....", "#....", "#.##.", "##..#", "#...#", "#...#", "####."},  // 'b'
    {".....", ".....", ".###.", "#....", "#....", "#...#", ".###."},  // 'c'
    {"....#", "....#", ".##.#", "#..##", "#...#", "#...#", ".####"},  // 'd'
    {".....", ".....", ".###.", "#...#", "#####", "#....", ".###."},  // 'e'
    {"..##.", ".#..#", ".#...", "###..", ".#...", ".#...", ".#..."},  // 'f'
    {".....", ".....", ".####", "#...#", ".####", "....#", ".###."},  // 'g'
    {"#....", "#....", "#.##.", "##..#", "#...#", "#...#", "#...#"},  // 'h'
    {"..#..", ".....", ".##..", "..#..", "..#..", "..#..", ".###."},  // 'i'
    {"...#.", ".....", "..##.", "...#.", "...#.", "#..#.", ".##.."},  // 'j'
    {"#....", "#....", "#..#.", "#.#..", "##...", "#.#..", "#..#."},  // 'k'
    {".##..", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."},  // 'l'
    {".....", ".....", "##.#.", "#.#.#", "#.#.#", "#...#", "#...#"},  // 'm'
    {".....", ".....", "#.##.", "##..#", "#...#", "#...#", "#...#"},  // 'n'
    {".....", ".....", ".###.", "#...#", "#...#", "#...#", ".###."},  // 'o'
    {".....", ".....", "####.", "#...#", "####.", "#....", "#...."},  // 'p'
    {".....", ".....", ".##.#", "#..##", ".####", "....#", "....#"},  // 'q'
    {".....", ".....", "#.##.", "##..#", "#....", "#....", "#...."},  // 'r'
    {".....", ".....", ".###.", "#....", ".###.", "....#", "####."},  // 's'
    {".#...", ".#...", "###..", ".#...", ".#...", ".#..#", "..##."},  // 't'
    {".....", ".....", "#...#", "#...#", "#...#", "#..##", ".##.#"},  // 'u'
    {".....", ".....", "#...#", "#...#", "#...#", ".#.#.", "..#.."},  // 'v'
    {".....", ".....", "#...#", "#...#", "#.#.#", "#.#.#", ".#.#."},  // 'w'
    {".....", ".....", "#...#", ".#.#.", "..#..", ".#.#.", "#...#"},  // 'x'
    {".....", ".....", "#...#", "#...#", ".####", "....#", ".###."},  // 'y'
    {".....", ".....", "#####", "...#.", "..#..", ".#...", "#####"},  // 'z'
    {"...#.", "..#..", "..#..", ".#...", "..#..", "..#..", "...#."},  // '{'
    {"..#..", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."},  // '|'
    {".#...", "..#..", "..#..", "...#.", "..#..", "..#..", ".#..."},  // '}'
    {".....", ".....", ".#...", "#.#.#", "...#.", ".....", "....."},  // '~'
};
// clang-format on

constexpr int kQuestionMark = '?' - 32;

// Glyph index in kFont for each drawn character of s: one per ASCII byte, one '?' per UTF-8
// lead byte or other byte >= 0x80 that is not a continuation byte.
template <typename Fn>
void forEachGlyph(std::string_view s, Fn fn) {
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x80 && c <= 0xBF) {
            continue;  // UTF-8 continuation byte: part of the previous character
        }
        fn(c >= 32 && c <= 126 ? c - 32 : kQuestionMark);
    }
}

// Width in pixels of s drawn at scale (see Canvas::textWidth).
int measureText(std::string_view s, int scale) {
    int glyphs = 0;
    forEachGlyph(s, [&](int) { ++glyphs; });
    return glyphs == 0 ? 0 : (glyphs * Canvas::kGlyphAdvance - 1) * std::max(scale, 1);
}

double clamp01(double v) {
    return std::min(1.0, std::max(0.0, v));
}

// Distance from (px, py) to the segment (ax, ay)-(bx, by).
double segmentDistance(double px, double py, double ax, double ay, double bx, double by) {
    const double dx = bx - ax;
    const double dy = by - ay;
    const double len2 = dx * dx + dy * dy;
    double t = 0;
    if (len2 > 0) {
        t = clamp01(((px - ax) * dx + (py - ay) * dy) / len2);
    }
    return std::hypot(px - (ax + t * dx), py - (ay + t * dy));
}

Color mix(Color a, Color b, double t) {
    const auto channel = [t](std::uint8_t x, std::uint8_t y) {
        return static_cast<std::uint8_t>(std::lround(x + (y - x) * clamp01(t)));
    };
    return {channel(a.r, b.r), channel(a.g, b.g), channel(a.b, b.b)};
}

// ---- tick computation -------------------------------------------------------------------

struct Axis {
    double lo = 0;  // axis range, equal to the first and last tick
    double hi = 1;
    std::vector<double> ticks;
    std::vector<std::string> labels;
};

// Formats a tick value locale-independently: with `decimals` digits after the point, or, when
// `significant` > 0, in general notation with that many significant digits (e.g. "2.5e-09").
std::string formatTick(double v, int decimals, int significant) {
    char buf[64];
    const auto res =
        significant > 0
            ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, significant)
            : std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
    std::string s(buf, res.ptr);
    if (s.find_first_not_of("-0.") == std::string::npos) {
        s.erase(0, s.find_first_not_of('-'));  // no "-0"
    }
    return s;
}

// Round ticks (1, 2 or 5 times a power of ten apart) covering [lo, hi] with at most about
// maxIntervals intervals. lo < hi, both finite.
Axis niceAxis(double lo, double hi, int maxIntervals) {
    maxIntervals = std::max(1, maxIntervals);
    const double raw = (hi - lo) / maxIntervals;
    int exponent = static_cast<int>(std::floor(std::log10(raw)));
    double mantissa = 0;
    for (;;) {
        const double power = std::pow(10.0, exponent);
        for (const double m : {1.0, 2.0, 5.0}) {
            if (m * power >= raw * (1 - 1e-9)) {
                mantissa = m;
                break;
            }
        }
        if (mantissa > 0) {
            break;
        }
        ++exponent;
    }
    const double step = mantissa * std::pow(10.0, exponent);
    const double first = std::floor(lo / step + 1e-9);
    const double last = std::ceil(hi / step - 1e-9);
    Axis axis;
    axis.lo = first * step;
    axis.hi = last * step;
    const int decimals = std::max(0, -exponent);
    const double largest = std::max(std::fabs(axis.lo), std::fabs(axis.hi));
    // Very large or very small values switch to general notation, with enough significant
    // digits to tell neighbouring ticks apart (ticks are multiples of 10^exponent).
    int significant = 0;
    if (largest >= 1e7 || decimals > 6) {
        significant =
            std::clamp(static_cast<int>(std::floor(std::log10(largest))) - exponent + 1, 1, 17);
    }
    for (double k = first; k <= last + 0.5; k += 1) {
        const double v = k * step;
        axis.ticks.push_back(v);
        axis.labels.push_back(formatTick(v, decimals, significant));
    }
    return axis;
}

// [lo, hi] of the finite values, widened when empty or degenerate.
std::pair<double, double> dataRange(double lo, double hi) {
    if (!(lo <= hi)) {
        return {0.0, 1.0};  // no finite data
    }
    if (lo == hi) {
        const double pad = lo == 0 ? 1.0 : std::fabs(lo) * 0.5;
        return {lo - pad, hi + pad};
    }
    return {lo, hi};
}

}  // namespace

Color paletteColor(std::size_t i) {
    static constexpr std::array<Color, 10> kTab10 = {{{31, 119, 180},
                                                      {255, 127, 14},
                                                      {44, 160, 44},
                                                      {214, 39, 40},
                                                      {148, 103, 189},
                                                      {140, 86, 75},
                                                      {227, 119, 194},
                                                      {127, 127, 127},
                                                      {188, 189, 34},
                                                      {23, 190, 207}}};
    return kTab10[i % kTab10.size()];
}

// ---- Canvas ------------------------------------------------------------------------------

Canvas::Canvas(int width, int height, Color background) : width_(width), height_(height) {
    if (width <= 0 || height <= 0 || width > kMaxCanvasSide || height > kMaxCanvasSide) {
        throw std::invalid_argument("Canvas: size " + std::to_string(width) + "x" +
                                    std::to_string(height) + " is outside 1.." +
                                    std::to_string(kMaxCanvasSide));
    }
    pixels_.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3);
    for (std::size_t i = 0; i < pixels_.size(); i += 3) {
        pixels_[i] = background.r;
        pixels_[i + 1] = background.g;
        pixels_[i + 2] = background.b;
    }
}

Color Canvas::pixel(int x, int y) const {
    if (x < 0 || y < 0 || x >= width_ || y >= height_) {
        throw std::out_of_range("Canvas::pixel: (" + std::to_string(x) + ", " + std::to_string(y) +
                                ") is outside the " + std::to_string(width_) + "x" +
                                std::to_string(height_) + " canvas");
    }
    const std::size_t i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(width_) +
                           static_cast<std::size_t>(x)) *
                          3;
    return {pixels_[i], pixels_[i + 1], pixels_[i + 2]};
}

void Canvas::setPixel(int x, int y, Color color) {
    if (x < 0 || y < 0 || x >= width_ || y >= height_) {
        return;
    }
    const std::size_t i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(width_) +
                           static_cast<std::size_t>(x)) *
                          3;
    pixels_[i] = color.r;
    pixels_[i + 1] = color.g;
    pixels_[i + 2] = color.b;
}

void Canvas::blend(int x, int y, Color color, double alpha) {
    if (x < 0 || y < 0 || x >= width_ || y >= height_ || alpha <= 0) {
        return;
    }
    if (alpha >= 1) {
        setPixel(x, y, color);
        return;
    }
    const std::size_t i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(width_) +
                           static_cast<std::size_t>(x)) *
                          3;
    const Color mixed = mix({pixels_[i], pixels_[i + 1], pixels_[i + 2]}, color, alpha);
    pixels_[i] = mixed.r;
    pixels_[i + 1] = mixed.g;
    pixels_[i + 2] = mixed.b;
}

void Canvas::fillRect(int x, int y, int w, int h, Color color) {
    const int x0 = std::max(x, 0);
    const int y0 = std::max(y, 0);
    // 64-bit ends: x + w must not overflow for huge w.
    const auto x1 = static_cast<int>(std::min<long long>(static_cast<long long>(x) + w, width_));
    const auto y1 = static_cast<int>(std::min<long long>(static_cast<long long>(y) + h, height_));
    for (int yy = y0; yy < y1; ++yy) {
        for (int xx = x0; xx < x1; ++xx) {
            setPixel(xx, yy, color);
        }
    }
}

void Canvas::line(double x0, double y0, double x1, double y1, Color color, int thickness) {
    polyline({{x0, y0}, {x1, y1}}, color, thickness);
}

void Canvas::polyline(const std::vector<std::pair<double, double>>& points, Color color,
                      int thickness) {
    if (points.empty()) {
        return;
    }
    const double half = std::max(thickness, 1) / 2.0;
    // Coverage of the whole shape per pixel (max over segments), applied once at the end so
    // overlapping segment ends do not darken the joints.
    std::vector<double> coverage;
    int bx0 = width_, by0 = height_, bx1 = -1, by1 = -1;  // touched box, inclusive
    std::vector<double> local;
    const auto segment = [&](double ax, double ay, double ex, double ey) {
        if (!std::isfinite(ax) || !std::isfinite(ay) || !std::isfinite(ex) || !std::isfinite(ey)) {
            return;
        }
        const double reach = half + 1;
        const int px0 = std::max(0, static_cast<int>(std::floor(std::min(ax, ex) - reach)));
        const int py0 = std::max(0, static_cast<int>(std::floor(std::min(ay, ey) - reach)));
        const int px1 = std::min(width_ - 1, static_cast<int>(std::ceil(std::max(ax, ex) + reach)));
        const int py1 =
            std::min(height_ - 1, static_cast<int>(std::ceil(std::max(ay, ey) + reach)));
        if (px0 > px1 || py0 > py1) {
            return;
        }
        if (coverage.empty()) {
            coverage.assign(static_cast<std::size_t>(width_) * static_cast<std::size_t>(height_),
                            0.0);
        }
        bx0 = std::min(bx0, px0);
        by0 = std::min(by0, py0);
        bx1 = std::max(bx1, px1);
        by1 = std::max(by1, py1);
        for (int py = py0; py <= py1; ++py) {
            for (int px = px0; px <= px1; ++px) {
                const double d = segmentDistance(px + 0.5, py + 0.5, ax, ay, ex, ey);
                const double c = clamp01(half + 0.5 - d);
                double& slot =
                    coverage[static_cast<std::size_t>(py) * static_cast<std::size_t>(width_) +
                             static_cast<std::size_t>(px)];
                slot = std::max(slot, c);
            }
        }
    };
    if (points.size() == 1) {
        segment(points[0].first, points[0].second, points[0].first, points[0].second);
    }
    for (std::size_t i = 1; i < points.size(); ++i) {
        segment(points[i - 1].first, points[i - 1].second, points[i].first, points[i].second);
    }
    for (int py = by0; py <= by1; ++py) {
        for (int px = bx0; px <= bx1; ++px) {
            blend(px, py, color,
                  coverage[static_cast<std::size_t>(py) * static_cast<std::size_t>(width_) +
                           static_cast<std::size_t>(px)]);
        }
    }
}

void Canvas::disc(double cx, double cy, double radius, Color color) {
    if (!std::isfinite(cx) || !std::isfinite(cy) || !(radius > 0)) {
        return;
    }
    const int px0 = std::max(0, static_cast<int>(std::floor(cx - radius - 1)));
    const int py0 = std::max(0, static_cast<int>(std::floor(cy - radius - 1)));
    const int px1 = std::min(width_ - 1, static_cast<int>(std::ceil(cx + radius + 1)));
    const int py1 = std::min(height_ - 1, static_cast<int>(std::ceil(cy + radius + 1)));
    for (int py = py0; py <= py1; ++py) {
        for (int px = px0; px <= px1; ++px) {
            const double d = std::hypot(px + 0.5 - cx, py + 0.5 - cy);
            blend(px, py, color, clamp01(radius + 0.5 - d));
        }
    }
}

template <typename PlotFn>
void Canvas::drawGlyphs(std::string_view s, int scale, PlotFn plot) {
    scale = std::max(scale, 1);
    int advance = 0;
    forEachGlyph(s, [&](int glyph) {
        for (int row = 0; row < kGlyphHeight; ++row) {
            const char* bits = kFont[glyph][row];
            for (int col = 0; col < kGlyphWidth; ++col) {
                if (bits[col] == '#') {
                    // Font pixel (advance + col, row) in unrotated text coordinates.
                    plot((advance + col) * scale, row * scale, scale);
                }
            }
        }
        advance += kGlyphAdvance;
    });
}

void Canvas::text(int x, int y, std::string_view s, Color color, int scale) {
    drawGlyphs(s, scale,
               [&](int u, int v, int size) { fillRect(x + u, y + v, size, size, color); });
}

void Canvas::textVertical(int x, int y, std::string_view s, Color color, int scale) {
    // Rotating counter-clockwise maps text coordinates (u, v) to (v, length - u).
    const int length = textWidth(s, scale);
    drawGlyphs(s, scale, [&](int u, int v, int size) {
        fillRect(x + v, y + length - u - size, size, size, color);
    });
}

int Canvas::textWidth(std::string_view s, int scale) const {
    return measureText(s, scale);
}

std::string Canvas::png() const {
    return encodePng(width_, height_, 3, pixels_.data());
}

// ---- line chart --------------------------------------------------------------------------

Canvas renderLineChart(const LineChart& chart) {
    for (const Series& s : chart.series) {
        if (s.x.size() != s.y.size()) {
            throw std::invalid_argument("renderLineChart: series '" + s.name + "' has " +
                                        std::to_string(s.x.size()) + " x values but " +
                                        std::to_string(s.y.size()) + " y values");
        }
    }
    Canvas canvas(chart.width, chart.height, kWhite);
    constexpr Color kText{30, 30, 30};
    constexpr Color kGrid{228, 228, 228};
    constexpr Color kFrame{90, 90, 90};
    constexpr int kPad = 12;
    constexpr int kTickLength = 4;
    constexpr int kLabelGap = 4;
    constexpr int kTitleScale = 2;
    constexpr int kSwatch = 20;
    constexpr int kMinLabelGap = 16;  // between neighbouring x tick labels
    const int lineHeight = Canvas::textHeight();

    // Data extent over finite points.
    double xMin = std::numeric_limits<double>::infinity(), xMax = -xMin;
    double yMin = xMin, yMax = -xMin;
    std::size_t finitePoints = 0;
    for (const Series& s : chart.series) {
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
                xMin = std::min(xMin, s.x[i]);
                xMax = std::max(xMax, s.x[i]);
                yMin = std::min(yMin, s.y[i]);
                yMax = std::max(yMax, s.y[i]);
                ++finitePoints;
            }
        }
    }
    // Plain locals, not structured bindings: lambdas below capture them, which C++17 (and
    // clang 14, which builds the fuzz targets) does not allow for bindings.
    const auto xRange = dataRange(xMin, xMax);
    const auto yRange = dataRange(yMin, yMax);
    const double xLo = xRange.first, xHi = xRange.second;
    const double yLo = yRange.first, yHi = yRange.second;

    // Vertical layout: title, plot, x tick labels, x label.
    int titleScale = kTitleScale;
    while (titleScale > 1 && canvas.textWidth(chart.title, titleScale) > chart.width - 2 * kPad) {
        --titleScale;
    }
    const int top = kPad + (chart.title.empty() ? 0 : Canvas::textHeight(titleScale) + kPad);
    const int bottom = chart.height - kPad - (chart.xLabel.empty() ? 0 : lineHeight + kPad) -
                       lineHeight - kTickLength - kLabelGap;
    const int plotHeight = bottom - top;

    // About one y tick per 50 pixels.
    const Axis yAxis = niceAxis(yLo, yHi, std::max(2, plotHeight / 50));
    int yLabelWidth = 0;
    for (const std::string& label : yAxis.labels) {
        yLabelWidth = std::max(yLabelWidth, canvas.textWidth(label));
    }

    // Horizontal layout: y label, y tick labels, plot, legend.
    int legendWidth = 0;
    for (const Series& s : chart.series) {
        if (!s.name.empty()) {
            legendWidth = std::max(legendWidth, kSwatch + kLabelGap + canvas.textWidth(s.name));
        }
    }
    const int left = kPad + (chart.yLabel.empty() ? 0 : lineHeight + kPad) + yLabelWidth +
                     kLabelGap + kTickLength;
    int right = chart.width - kPad - (legendWidth > 0 ? legendWidth + 2 * kPad : 0);
    int plotWidth = right - left;

    // As many x ticks as fit without their labels touching (kMinLabelGap apart).
    const auto chooseXAxis = [&]() {
        Axis axis;
        for (int intervals = std::max(1, plotWidth / 60); intervals >= 1; --intervals) {
            axis = niceAxis(xLo, xHi, intervals);
            int widest = 0;
            for (const std::string& label : axis.labels) {
                widest = std::max(widest, canvas.textWidth(label));
            }
            const double spacing =
                plotWidth / std::max<double>(1.0, static_cast<double>(axis.ticks.size() - 1));
            if (spacing >= widest + kMinLabelGap) {
                break;
            }
        }
        return axis;
    };
    Axis xAxis = chooseXAxis();
    // The last x tick label is centred on the right end of the axis: keep it on the canvas.
    const int lastHalf = canvas.textWidth(xAxis.labels.back()) / 2;
    if (right + lastHalf > chart.width - 2) {
        right = chart.width - 2 - lastHalf;
        plotWidth = right - left;
        xAxis = chooseXAxis();
    }
    if (plotWidth < 20 || plotHeight < 20) {
        throw std::invalid_argument("renderLineChart: " + std::to_string(chart.width) + "x" +
                                    std::to_string(chart.height) +
                                    " is too small for the axes, labels and legend");
    }

    const auto toX = [&](double x) {
        return left + (x - xAxis.lo) / (xAxis.hi - xAxis.lo) * plotWidth;
    };
    const auto toY = [&](double y) {
        return bottom - (y - yAxis.lo) / (yAxis.hi - yAxis.lo) * plotHeight;
    };

    // Grid, ticks and tick labels.
    for (std::size_t i = 0; i < yAxis.ticks.size(); ++i) {
        const int py = static_cast<int>(std::lround(toY(yAxis.ticks[i])));
        canvas.fillRect(left, py, plotWidth, 1, kGrid);
        canvas.fillRect(left - kTickLength, py, kTickLength, 1, kFrame);
        const int w = canvas.textWidth(yAxis.labels[i]);
        canvas.text(left - kTickLength - kLabelGap - w, py - lineHeight / 2, yAxis.labels[i],
                    kText);
    }
    for (std::size_t i = 0; i < xAxis.ticks.size(); ++i) {
        const int px = static_cast<int>(std::lround(toX(xAxis.ticks[i])));
        canvas.fillRect(px, top, 1, plotHeight, kGrid);
        canvas.fillRect(px, bottom, 1, kTickLength, kFrame);
        const int w = canvas.textWidth(xAxis.labels[i]);
        canvas.text(px - w / 2, bottom + kTickLength + kLabelGap, xAxis.labels[i], kText);
    }
    // Frame.
    canvas.fillRect(left, top, plotWidth + 1, 1, kFrame);
    canvas.fillRect(left, bottom, plotWidth + 1, 1, kFrame);
    canvas.fillRect(left, top, 1, plotHeight + 1, kFrame);
    canvas.fillRect(right, top, 1, plotHeight + 1, kFrame);

    // Title and axis labels.
    if (!chart.title.empty()) {
        const int w = canvas.textWidth(chart.title, titleScale);
        canvas.text((chart.width - w) / 2, kPad, chart.title, kText, titleScale);
    }
    if (!chart.xLabel.empty()) {
        const int w = canvas.textWidth(chart.xLabel);
        canvas.text(left + (plotWidth - w) / 2, chart.height - kPad - lineHeight, chart.xLabel,
                    kText);
    }
    if (!chart.yLabel.empty()) {
        const int h = canvas.textWidth(chart.yLabel);
        canvas.textVertical(kPad, top + (plotHeight - h) / 2, chart.yLabel, kText);
    }

    // Curves: polylines broken at non-finite points; markers when points are few, and always
    // for points with no finite neighbour (a lone point would otherwise be invisible).
    constexpr int kLineThickness = 2;
    constexpr std::size_t kMaxMarkedPoints = 40;
    for (const Series& s : chart.series) {
        std::size_t finite = 0;
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            finite += std::isfinite(s.x[i]) && std::isfinite(s.y[i]) ? 1 : 0;
        }
        std::vector<std::pair<double, double>> run;
        const auto flush = [&]() {
            if (run.size() >= 2) {
                canvas.polyline(run, s.color, kLineThickness);
            }
            if (run.size() == 1 || finite <= kMaxMarkedPoints) {
                for (const auto& [px, py] : run) {
                    canvas.disc(px, py, kLineThickness + 1.0, s.color);
                }
            }
            run.clear();
        };
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
                run.emplace_back(toX(s.x[i]), toY(s.y[i]));
            } else {
                flush();
            }
        }
        flush();
    }
    if (finitePoints == 0) {
        const std::string_view message = "no data";
        canvas.text(left + (plotWidth - canvas.textWidth(message, 2)) / 2,
                    top + (plotHeight - Canvas::textHeight(2)) / 2, message, kFrame, 2);
    }

    // Legend, right of the plot.
    int legendY = top;
    const int legendX = right + 2 * kPad;
    for (const Series& s : chart.series) {
        if (s.name.empty()) {
            continue;
        }
        const double midY = legendY + lineHeight / 2.0;
        canvas.line(legendX, midY, legendX + kSwatch, midY, s.color, kLineThickness);
        canvas.text(legendX + kSwatch + kLabelGap, legendY, s.name, kText);
        legendY += lineHeight + 8;
    }
    return canvas;
}

// ---- confusion matrix --------------------------------------------------------------------

Canvas renderConfusionMatrix(const std::vector<std::vector<std::int64_t>>& counts,
                             const std::vector<std::string>& labels, const std::string& title) {
    const std::size_t n = counts.size();
    if (n == 0) {
        throw std::invalid_argument("renderConfusionMatrix: the matrix is empty");
    }
    for (std::size_t t = 0; t < n; ++t) {
        if (counts[t].size() != n) {
            throw std::invalid_argument(
                "renderConfusionMatrix: the matrix must be square, but row " + std::to_string(t) +
                " has " + std::to_string(counts[t].size()) + " columns for " + std::to_string(n) +
                " rows");
        }
        for (std::size_t p = 0; p < n; ++p) {
            if (counts[t][p] < 0) {
                throw std::invalid_argument("renderConfusionMatrix: count [" + std::to_string(t) +
                                            "][" + std::to_string(p) + "] is negative (" +
                                            std::to_string(counts[t][p]) + ")");
            }
        }
    }
    if (labels.size() != n) {
        throw std::invalid_argument("renderConfusionMatrix: " + std::to_string(labels.size()) +
                                    " labels for " + std::to_string(n) + " classes");
    }
    constexpr Color kText{30, 30, 30};
    constexpr Color kLine{200, 200, 200};
    constexpr Color kDark{8, 48, 107};  // end of matplotlib's "Blues"
    constexpr int kPad = 14;
    constexpr int kGap = 8;
    constexpr int kCountScale = 2;
    constexpr int kTitleScale = 2;
    const int lineHeight = Canvas::textHeight();

    std::vector<std::int64_t> rowTotals(n, 0);
    int countWidth = 0;
    for (std::size_t t = 0; t < n; ++t) {
        for (std::size_t p = 0; p < n; ++p) {
            rowTotals[t] += counts[t][p];
            countWidth =
                std::max(countWidth, measureText(std::to_string(counts[t][p]), kCountScale));
        }
    }
    int labelWidth = 0;
    for (const std::string& label : labels) {
        labelWidth = std::max(labelWidth, measureText(label, 1));
    }
    const int cell = std::max(64, countWidth + 12);
    // Column labels go horizontally under their column when they fit, else vertically.
    const bool verticalColumnLabels = labelWidth + 6 > cell;
    const int columnLabelHeight = verticalColumnLabels ? labelWidth : lineHeight;
    const int grid = cell * static_cast<int>(n);

    const int titleHeight = title.empty() ? 0 : Canvas::textHeight(kTitleScale) + kPad;
    const int contentWidth = lineHeight + kGap + labelWidth + kGap + grid;
    const int width = std::max(contentWidth, measureText(title, kTitleScale)) + 2 * kPad;
    const int height =
        kPad + titleHeight + grid + kGap + columnLabelHeight + kGap + lineHeight + kPad;
    Canvas canvas(width, height, kWhite);

    const int gridLeft = (width - contentWidth) / 2 + lineHeight + kGap + labelWidth + kGap;
    const int gridTop = kPad + titleHeight;
    if (!title.empty()) {
        canvas.text((width - measureText(title, kTitleScale)) / 2, kPad, title, kText, kTitleScale);
    }

    for (std::size_t t = 0; t < n; ++t) {
        const int y = gridTop + static_cast<int>(t) * cell;
        for (std::size_t p = 0; p < n; ++p) {
            const int x = gridLeft + static_cast<int>(p) * cell;
            const double fraction = rowTotals[t] > 0 ? static_cast<double>(counts[t][p]) /
                                                           static_cast<double>(rowTotals[t])
                                                     : 0.0;
            canvas.fillRect(x, y, cell, cell, mix(kWhite, kDark, fraction));
            const Color ink = fraction > 0.45 ? kWhite : kText;
            const std::string count = std::to_string(counts[t][p]);
            std::string percent = "-";
            if (rowTotals[t] > 0) {
                char buf[32];
                const auto res = std::to_chars(buf, buf + sizeof buf, 100.0 * fraction,
                                               std::chars_format::fixed, 1);
                percent = std::string(buf, res.ptr) + "%";
            }
            const int blockHeight = Canvas::textHeight(kCountScale) + 5 + lineHeight;
            const int textTop = y + (cell - blockHeight) / 2;
            canvas.text(x + (cell - measureText(count, kCountScale)) / 2, textTop, count, ink,
                        kCountScale);
            canvas.text(x + (cell - measureText(percent, 1)) / 2,
                        textTop + Canvas::textHeight(kCountScale) + 5, percent, ink);
        }
        // Row label, right-aligned against the grid.
        canvas.text(gridLeft - kGap - measureText(labels[t], 1), y + (cell - lineHeight) / 2,
                    labels[t], kText);
    }
    // Cell borders.
    for (std::size_t i = 0; i <= n; ++i) {
        const int offset = static_cast<int>(i) * cell;
        canvas.fillRect(gridLeft + offset, gridTop, 1, grid + 1, kLine);
        canvas.fillRect(gridLeft, gridTop + offset, grid + 1, 1, kLine);
    }
    // Column labels under the grid.
    const int columnLabelTop = gridTop + grid + kGap;
    for (std::size_t p = 0; p < n; ++p) {
        const int x = gridLeft + static_cast<int>(p) * cell;
        if (verticalColumnLabels) {
            // Reads upwards and ends next to the grid, like the row labels.
            canvas.textVertical(x + (cell - lineHeight) / 2, columnLabelTop, labels[p], kText);
        } else {
            canvas.text(x + (cell - measureText(labels[p], 1)) / 2, columnLabelTop, labels[p],
                        kText);
        }
    }
    // Axis names.
    const std::string_view predicted = "predicted";
    canvas.text(gridLeft + (grid - measureText(predicted, 1)) / 2,
                columnLabelTop + columnLabelHeight + kGap, predicted, kText);
    const std::string_view truth = "true";
    canvas.textVertical(gridLeft - kGap - labelWidth - kGap - lineHeight,
                        gridTop + (grid - measureText(truth, 1)) / 2, truth, kText);
    return canvas;
}

}  // namespace litefer::plot
