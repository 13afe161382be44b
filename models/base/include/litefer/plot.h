#pragma once
// A tiny RGB raster with anti-aliased lines and a built-in 5x7 bitmap font, plus the two charts
// the training tools write: line charts (loss/accuracy per epoch) and confusion matrices.
// Self-contained (no third-party code); output is PNG via encodePng().
//
// Coordinates: x grows to the right, y downwards, (0, 0) is the top-left corner of the top-left
// pixel; pixel (i, j) covers [i, i+1) x [j, j+1). All drawing is clipped to the canvas.
// A Canvas is a value type; it is not safe to draw on one Canvas from several threads.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace litefer::plot {

struct Color {
    std::uint8_t r = 0, g = 0, b = 0;
    bool operator==(const Color& o) const { return r == o.r && g == o.g && b == o.b; }
    bool operator!=(const Color& o) const { return !(*this == o); }
};

inline constexpr Color kWhite{255, 255, 255};
inline constexpr Color kBlack{0, 0, 0};

/// A distinguishable colour for series i (the ten "tab10" colours, repeating).
Color paletteColor(std::size_t i);

class Canvas {
  public:
    /// Glyph cell of the built-in font at scale 1: 5x7 pixels plus 1 pixel of spacing.
    static constexpr int kGlyphWidth = 5;
    static constexpr int kGlyphHeight = 7;
    static constexpr int kGlyphAdvance = 6;

    /// Throws std::invalid_argument unless 0 < width, height <= 16384.
    Canvas(int width, int height, Color background);

    /// Fills the pixels [x, x+w) x [y, y+h); nothing for w <= 0 or h <= 0.
    void fillRect(int x, int y, int w, int h, Color color);
    /// Anti-aliased straight line between two points with round caps, `thickness` pixels wide
    /// (at least 1). A 1-pixel horizontal line at y = j + 0.5 covers exactly row j.
    void line(double x0, double y0, double x1, double y1, Color color, int thickness = 1);
    /// Anti-aliased connected line through the points, drawn as one shape (no darker joints).
    void polyline(const std::vector<std::pair<double, double>>& points, Color color,
                  int thickness = 1);
    /// Anti-aliased filled disc.
    void disc(double cx, double cy, double radius, Color color);
    /// Draws s with its top-left corner at (x, y), each font pixel a scale x scale block
    /// (scale >= 1). Printable ASCII 32..126 is drawn; any other character (including each
    /// UTF-8 encoded non-ASCII character) is drawn as '?'. No line breaks.
    void text(int x, int y, std::string_view s, Color color, int scale = 1);
    /// As text(), rotated 90 degrees counter-clockwise (reads bottom to top); (x, y) is the
    /// top-left corner of its bounding box, which is textHeight() wide and textWidth() tall.
    void textVertical(int x, int y, std::string_view s, Color color, int scale = 1);
    /// Width in pixels of text(s, scale): no trailing spacing; 0 for an empty string.
    int textWidth(std::string_view s, int scale = 1) const;
    /// Height in pixels of one line of text at scale.
    static int textHeight(int scale = 1) { return kGlyphHeight * scale; }

    /// The image as PNG file bytes (8-bit RGB).
    std::string png() const;
    int width() const { return width_; }
    int height() const { return height_; }
    /// Row-major RGB bytes, width*height*3, top row first.
    const std::vector<std::uint8_t>& pixels() const { return pixels_; }
    /// Colour of pixel (x, y); throws std::out_of_range outside the canvas.
    Color pixel(int x, int y) const;

  private:
    // Mixes color into pixel (x, y) with weight alpha in [0, 1]; ignores pixels off the canvas.
    void blend(int x, int y, Color color, double alpha);
    void setPixel(int x, int y, Color color);
    template <typename PlotFn>
    void drawGlyphs(std::string_view s, int scale, PlotFn plot);

    int width_;
    int height_;
    std::vector<std::uint8_t> pixels_;
};

/// One curve. x and y must have the same length; points where either is NaN or infinite are
/// skipped and break the line. An empty name leaves the series out of the legend.
struct Series {
    std::string name;
    std::vector<double> x, y;
    Color color;
};

struct LineChart {
    std::string title, xLabel, yLabel;
    std::vector<Series> series;
    int width = 800, height = 500;
};

/// Axes framed by round tick values covering all finite points, light grid lines, numeric tick
/// labels, axis labels, a title and a legend to the right of the plot. Charts with no finite
/// point show empty axes and "no data". Throws std::invalid_argument when a series' x and y
/// lengths differ, or for a size the Canvas constructor rejects or too small to hold the axes.
Canvas renderLineChart(const LineChart& chart);

/// Heatmap of a confusion matrix: counts[t][p] is the number of samples of true class t that
/// were predicted as class p. Cells are shaded by the row-normalised value (recall per true
/// class) and show the count and the row percentage; rows are labelled on the left ("true"),
/// columns at the bottom ("predicted"). The canvas size follows from the class count and the
/// label widths. Throws std::invalid_argument when counts is empty or not square, labels.size()
/// differs from the class count, or a count is negative.
Canvas renderConfusionMatrix(const std::vector<std::vector<std::int64_t>>& counts,
                             const std::vector<std::string>& labels, const std::string& title);

}  // namespace litefer::plot
