#pragma once
// Checksums: SHA-256 (FIPS 180-4) for model and dataset files, CRC-32 for PNG chunks.
// Self-contained (no third-party code). Not constant-time; for integrity checks, not secrets.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace litefer {

/// Incremental SHA-256. Feed bytes with update() in any chunking, then call finish() once.
/// After finish() the object is reset and can hash a new message. Not thread-safe.
class Sha256 {
  public:
    Sha256() { reset(); }
    void update(const void* data, std::size_t n);
    void update(std::string_view s) { update(s.data(), s.size()); }
    /// The 32-byte digest of everything passed to update() since construction or the last
    /// finish(); resets the state.
    std::array<std::uint8_t, 32> finish();

  private:
    void reset();
    void compress(const std::uint8_t* block);

    std::array<std::uint32_t, 8> state_{};
    std::array<std::uint8_t, 64> buffer_{};
    std::size_t buffered_ = 0;
    std::uint64_t totalBytes_ = 0;
};

/// Lower-case hex SHA-256 of data (64 characters).
std::string sha256Hex(std::string_view data);

/// Lower-case hex of n bytes at p (2n characters).
std::string toHex(const std::uint8_t* p, std::size_t n);

/// CRC-32 as used by zlib, gzip and PNG (reflected polynomial 0xEDB88320, initial and final
/// XOR 0xFFFFFFFF). Chainable: crc32(b, nb, crc32(a, na)) == crc32(a+b, na+nb).
std::uint32_t crc32(const void* data, std::size_t n, std::uint32_t crc = 0);

}  // namespace litefer
