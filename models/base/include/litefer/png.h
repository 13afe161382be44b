#pragma once
// Minimal PNG writer (8-bit gray, RGB or RGBA, non-interlaced) for plots and debug images.
// Self-contained: its own deflate encoder (LZ77 + fixed Huffman codes, RFC 1951), zlib framing
// with Adler-32 (RFC 1950), and chunk CRC-32 (PNG specification, ISO/IEC 15948).
#include <cstdint>
#include <string>

namespace litefer {

/// The bytes of a PNG file for width x height pixels with channels 1 (gray), 3 (RGB) or
/// 4 (RGBA, straight alpha). pixels: row-major, tightly packed, width*height*channels bytes,
/// top row first. Throws std::invalid_argument for a non-positive size, a bad channel count, a
/// null pointer, or an image whose byte size does not fit in memory limits (2^31 bytes).
std::string encodePng(int width, int height, int channels, const std::uint8_t* pixels);

/// encodePng() written to path with writeFileAtomic() (throws std::system_error naming path).
void writePng(const std::string& path, int width, int height, int channels,
              const std::uint8_t* pixels);

}  // namespace litefer
