#include "litefer/png.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "litefer/files.h"
#include "litefer/sha256.h"

namespace litefer {

namespace {

constexpr std::size_t kMaxImageBytes = std::size_t{1} << 31;

// RFC 1951 section 3.2.5: base value and extra bits of length codes 257..285 and distance
// codes 0..29.
constexpr std::array<std::uint16_t, 29> kLengthBase = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                                       15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                                       67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::array<std::uint8_t, 29> kLengthExtra = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                       2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr std::array<std::uint16_t, 30> kDistanceBase = {
    1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr std::array<std::uint8_t, 30> kDistanceExtra = {0, 0, 0,  0,  1,  1,  2,  2,  3,  3,
                                                         4, 4, 5,  5,  6,  6,  7,  7,  8,  8,
                                                         9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

constexpr std::size_t kWindow = 32768;
constexpr std::size_t kMinMatch = 3;
constexpr std::size_t kMaxMatch = 258;
constexpr int kHashBits = 15;
constexpr int kMaxChain = 48;  // candidates tried per position: speed vs. ratio

// Deflate's LSB-first bit packing.
class BitWriter {
  public:
    explicit BitWriter(std::string& out) : out_(out) {}
    void put(std::uint32_t bits, int count) {
        buffer_ |= std::uint64_t{bits} << count_;
        count_ += count;
        while (count_ >= 8) {
            out_ += static_cast<char>(buffer_ & 0xFF);
            buffer_ >>= 8;
            count_ -= 8;
        }
    }
    // Huffman codes are defined MSB-first, so they are bit-reversed into the stream.
    void putCode(std::uint32_t code, int length) {
        std::uint32_t reversed = 0;
        for (int i = 0; i < length; ++i) {
            reversed = (reversed << 1) | ((code >> i) & 1U);
        }
        put(reversed, length);
    }
    void flush() {
        if (count_ > 0) {
            out_ += static_cast<char>(buffer_ & 0xFF);
        }
        buffer_ = 0;
        count_ = 0;
    }

  private:
    std::string& out_;
    std::uint64_t buffer_ = 0;
    int count_ = 0;
};

// Fixed literal/length code (RFC 1951 section 3.2.6).
void putLiteralOrLength(BitWriter& bits, std::uint32_t symbol) {
    if (symbol < 144) {
        bits.putCode(0x30 + symbol, 8);
    } else if (symbol < 256) {
        bits.putCode(0x190 + (symbol - 144), 9);
    } else if (symbol < 280) {
        bits.putCode(symbol - 256, 7);
    } else {
        bits.putCode(0xC0 + (symbol - 280), 8);
    }
}

void putMatch(BitWriter& bits, std::size_t length, std::size_t distance) {
    std::size_t li = kLengthBase.size() - 1;
    while (kLengthBase[li] > length) {
        --li;
    }
    putLiteralOrLength(bits, static_cast<std::uint32_t>(257 + li));
    bits.put(static_cast<std::uint32_t>(length - kLengthBase[li]), kLengthExtra[li]);
    std::size_t di = kDistanceBase.size() - 1;
    while (kDistanceBase[di] > distance) {
        --di;
    }
    bits.putCode(static_cast<std::uint32_t>(di), 5);
    bits.put(static_cast<std::uint32_t>(distance - kDistanceBase[di]), kDistanceExtra[di]);
}

// One final deflate block with fixed Huffman codes; greedy LZ77 over hash chains.
std::string deflateFixed(std::string_view data) {
    std::string out;
    BitWriter bits(out);
    bits.put(1, 1);  // BFINAL
    bits.put(1, 2);  // BTYPE = 01, fixed Huffman codes
    const auto* d = reinterpret_cast<const std::uint8_t*>(data.data());
    const std::size_t n = data.size();
    // head: last position + 1 with a given hash (0: none); prev: previous position + 1 in the
    // chain of position p, at p % kWindow.
    std::vector<std::uint32_t> head(std::size_t{1} << kHashBits, 0);
    std::vector<std::uint32_t> prev(kWindow, 0);
    const auto hashAt = [&](std::size_t i) {
        const std::uint32_t v =
            (std::uint32_t{d[i]} << 16) | (std::uint32_t{d[i + 1]} << 8) | std::uint32_t{d[i + 2]};
        return (v * 2654435761U) >> (32 - kHashBits);
    };
    const auto insert = [&](std::size_t i) {
        if (i + kMinMatch <= n) {
            const std::uint32_t h = hashAt(i);
            prev[i % kWindow] = head[h];
            head[h] = static_cast<std::uint32_t>(i + 1);
        }
    };
    std::size_t i = 0;
    while (i < n) {
        std::size_t bestLength = 0;
        std::size_t bestDistance = 0;
        if (i + kMinMatch <= n) {
            const std::size_t maxLength = std::min(kMaxMatch, n - i);
            std::uint32_t next = head[hashAt(i)];
            for (int chain = 0; chain < kMaxChain && next != 0; ++chain) {
                const std::size_t candidate = next - 1;
                if (candidate >= i || i - candidate > kWindow) {
                    break;  // stale chain entry or out of the window
                }
                std::size_t length = 0;
                while (length < maxLength && d[candidate + length] == d[i + length]) {
                    ++length;
                }
                if (length > bestLength) {
                    bestLength = length;
                    bestDistance = i - candidate;
                    if (length == maxLength) {
                        break;
                    }
                }
                next = prev[candidate % kWindow];
            }
        }
        if (bestLength >= kMinMatch) {
            putMatch(bits, bestLength, bestDistance);
            for (std::size_t k = 0; k < bestLength; ++k) {
                insert(i + k);
            }
            i += bestLength;
        } else {
            putLiteralOrLength(bits, d[i]);
            insert(i);
            ++i;
        }
    }
    putLiteralOrLength(bits, 256);  // end of block
    bits.flush();
    return out;
}

std::uint32_t adler32(std::string_view data) {
    constexpr std::uint32_t kMod = 65521;
    std::uint32_t a = 1;
    std::uint32_t b = 0;
    std::size_t i = 0;
    while (i < data.size()) {
        // 5552 is the largest n with 255n(n+1)/2 + (n+1)(kMod-1) < 2^32 (zlib's NMAX).
        const std::size_t end = std::min(data.size(), i + 5552);
        for (; i < end; ++i) {
            a += static_cast<std::uint8_t>(data[i]);
            b += a;
        }
        a %= kMod;
        b %= kMod;
    }
    return (b << 16) | a;
}

void putU32(std::string& out, std::uint32_t v) {
    out += static_cast<char>(v >> 24);
    out += static_cast<char>((v >> 16) & 0xFF);
    out += static_cast<char>((v >> 8) & 0xFF);
    out += static_cast<char>(v & 0xFF);
}

void putChunk(std::string& out, const char (&type)[5], std::string_view payload) {
    putU32(out, static_cast<std::uint32_t>(payload.size()));
    const std::size_t typeStart = out.size();
    out.append(type, 4);
    out.append(payload);
    putU32(out, crc32(out.data() + typeStart, out.size() - typeStart));
}

}  // namespace

std::string encodePng(int width, int height, int channels, const std::uint8_t* pixels) {
    if (width <= 0 || height <= 0) {
        throw std::invalid_argument("encodePng: image size " + std::to_string(width) + "x" +
                                    std::to_string(height) + " must be positive");
    }
    if (channels != 1 && channels != 3 && channels != 4) {
        throw std::invalid_argument("encodePng: channels must be 1, 3 or 4, got " +
                                    std::to_string(channels));
    }
    if (pixels == nullptr) {
        throw std::invalid_argument("encodePng: pixels is null");
    }
    const auto w = static_cast<std::size_t>(width);
    const auto h = static_cast<std::size_t>(height);
    const auto c = static_cast<std::size_t>(channels);
    if (w * c + 1 > kMaxImageBytes / h) {
        throw std::invalid_argument("encodePng: image " + std::to_string(width) + "x" +
                                    std::to_string(height) + " is too large");
    }
    const std::size_t rowBytes = w * c;

    // Scanlines, each prefixed with filter type 0 (None).
    std::string raw;
    raw.reserve((rowBytes + 1) * h);
    for (std::size_t y = 0; y < h; ++y) {
        raw += '\0';
        raw.append(reinterpret_cast<const char*>(pixels + y * rowBytes), rowBytes);
    }

    std::string zlib;
    zlib += static_cast<char>(0x78);  // CMF: deflate, 32 KiB window
    zlib += static_cast<char>(0x9C);  // FLG: default level, no dictionary, (CMF*256+FLG)%31==0
    zlib += deflateFixed(raw);
    putU32(zlib, adler32(raw));

    std::string ihdr;
    putU32(ihdr, static_cast<std::uint32_t>(width));
    putU32(ihdr, static_cast<std::uint32_t>(height));
    ihdr += static_cast<char>(8);                                          // bit depth
    ihdr += static_cast<char>(channels == 1 ? 0 : channels == 3 ? 2 : 6);  // colour type
    ihdr += '\0';                                                          // compression: deflate
    ihdr += '\0';                                                          // filter method 0
    ihdr += '\0';                                                          // no interlace

    std::string png("\x89PNG\r\n\x1a\n", 8);
    putChunk(png, "IHDR", ihdr);
    // Several IDAT chunks keep each chunk far below the 2^31-1 byte limit; decoders
    // concatenate them.
    constexpr std::size_t kIdatBytes = std::size_t{1} << 20;
    const std::string_view stream(zlib);
    for (std::size_t offset = 0; offset < stream.size(); offset += kIdatBytes) {
        putChunk(png, "IDAT", stream.substr(offset, kIdatBytes));
    }
    putChunk(png, "IEND", {});
    return png;
}

void writePng(const std::string& path, int width, int height, int channels,
              const std::uint8_t* pixels) {
    writeFileAtomic(path, encodePng(width, height, channels, pixels));
}

}  // namespace litefer
