#include <catch2/catch.hpp>

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <string>
#include <system_error>
#include <vector>

#include "litefer/files.h"
#include "litefer/sha256.h"

using namespace litefer;
using Catch::Matchers::Contains;

namespace {

// A fresh directory under /tmp, removed (with the files the test created) at scope exit.
class TempDir {
  public:
    TempDir() {
        char pattern[] = "/tmp/litefer-test-XXXXXX";
        const char* made = ::mkdtemp(pattern);
        REQUIRE(made != nullptr);
        path_ = made;
    }
    ~TempDir() {
        for (const std::string& f : files_) {
            ::unlink(f.c_str());
        }
        ::rmdir(path_.c_str());
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) {
        files_.push_back(path_ + "/" + name);
        return files_.back();
    }
    const std::string& path() const { return path_; }

  private:
    std::string path_;
    std::vector<std::string> files_;
};

// Sorted names in a directory, without "." and "..".
std::vector<std::string> listDirectory(const std::string& path) {
    std::vector<std::string> names;
    DIR* dir = ::opendir(path.c_str());
    REQUIRE(dir != nullptr);
    while (const dirent* entry = ::readdir(dir)) {
        const std::string name = entry->d_name;
        if (name != "." && name != "..") {
            names.push_back(name);
        }
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

// Test vectors: FIPS 180-2 Appendix B and NIST's SHA-256 examples.
TEST_CASE("SHA-256 matches the FIPS 180 test vectors", "[sha256]") {
    CHECK(sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("SHA-256 of one million 'a' fed in uneven pieces", "[sha256]") {
    const std::string chunk(997, 'a');  // prime length: crosses block boundaries everywhere
    Sha256 hasher;
    std::size_t fed = 0;
    while (fed < 1000000) {
        const std::size_t n = std::min(chunk.size(), 1000000 - fed);
        hasher.update(chunk.data(), n);
        fed += n;
    }
    const auto digest = hasher.finish();
    CHECK(toHex(digest.data(), digest.size()) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("SHA-256 is independent of how the input is split", "[sha256]") {
    std::string data;
    for (int i = 0; i < 300; ++i) {
        data += static_cast<char>(i * 7 + 3);
    }
    const std::string whole = sha256Hex(data);
    for (const int split : {0, 1, 55, 56, 63, 64, 65, 128, 299, 300}) {
        const auto n = static_cast<std::size_t>(split);
        Sha256 hasher;
        hasher.update(data.data(), n);
        hasher.update(data.data() + n, data.size() - n);
        const auto digest = hasher.finish();
        CHECK(toHex(digest.data(), digest.size()) == whole);
    }
}

TEST_CASE("SHA-256 padding boundaries around 55, 56 and 64 bytes", "[sha256]") {
    // Reference values from coreutils sha256sum.
    CHECK(sha256Hex(std::string(55, 'a')) ==
          "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    CHECK(sha256Hex(std::string(56, 'a')) ==
          "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    CHECK(sha256Hex(std::string(64, 'a')) ==
          "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST_CASE("finish resets the hasher for the next message", "[sha256]") {
    Sha256 hasher;
    hasher.update("garbage", 7);
    (void)hasher.finish();
    hasher.update("abc", 3);
    const auto digest = hasher.finish();
    CHECK(toHex(digest.data(), digest.size()) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("toHex writes two lower-case digits per byte", "[sha256]") {
    const std::uint8_t bytes[] = {0x00, 0x0f, 0xa5, 0xff};
    CHECK(toHex(bytes, 4) == "000fa5ff");
    CHECK(toHex(bytes, 0).empty());
}

TEST_CASE("CRC-32 matches the zlib check value and chains", "[crc32]") {
    CHECK(crc32("123456789", 9) == 0xCBF43926U);
    CHECK(crc32("", 0) == 0U);
    CHECK(crc32("The quick brown fox jumps over the lazy dog", 43) == 0x414FA339U);
    const std::uint32_t first = crc32("12345", 5);
    CHECK(crc32("6789", 4, first) == 0xCBF43926U);
}

TEST_CASE("atomic write then read returns the same bytes", "[files]") {
    TempDir dir;
    const std::string path = dir.file("blob.bin");
    std::string bytes;
    for (int i = 0; i < 200000; ++i) {
        bytes += static_cast<char>(i % 251);  // includes NUL bytes
    }
    REQUIRE_FALSE(fileExists(path));
    writeFileAtomic(path, bytes);
    REQUIRE(fileExists(path));
    CHECK(readFileBytes(path) == bytes);

    writeFileAtomic(path, "short");  // replaces, does not append
    CHECK(readFileBytes(path) == "short");
    writeFileAtomic(path, "");
    CHECK(readFileBytes(path).empty());
    // No temporary files are left behind.
    CHECK(listDirectory(dir.path()) == std::vector<std::string>{"blob.bin"});
}

TEST_CASE("reading a missing file throws with the path and the reason", "[files]") {
    TempDir dir;
    const std::string path = dir.path() + "/does-not-exist.json";
    CHECK_THROWS_WITH(readFileBytes(path),
                      Contains("cannot read " + path) && Contains("No such file or directory"));
    try {
        readFileBytes(path);
    } catch (const std::system_error& e) {
        CHECK(e.code().value() == ENOENT);
    }
    CHECK_FALSE(fileExists(path));
}

TEST_CASE("reading a directory is an error naming the path", "[files]") {
    TempDir dir;
    CHECK_THROWS_WITH(readFileBytes(dir.path()),
                      Contains("cannot read " + dir.path()) && Contains("Is a directory"));
    CHECK_FALSE(fileExists(dir.path()));
}

TEST_CASE("a failed atomic write names the path and leaves nothing behind", "[files]") {
    TempDir dir;
    const std::string path = dir.path() + "/missing-subdir/out.json";
    CHECK_THROWS_WITH(writeFileAtomic(path, "{}"),
                      Contains("cannot write " + path) && Contains("No such file or directory"));
    CHECK_FALSE(fileExists(path));
}

TEST_CASE("a write that fails midway is reported and the old file survives", "[files]") {
    // RLIMIT_FSIZE makes write() fail with EFBIG past the limit, the same path as ENOSPC on a
    // full disk: a partial temporary file that must be removed, and an error naming the path.
    TempDir dir;
    const std::string path = dir.file("keep.txt");
    writeFileAtomic(path, "old");

    struct rlimit saved {};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
    const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = saved;
    small.rlim_cur = 4096;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    std::string error;
    try {
        writeFileAtomic(path, std::string(100000, 'x'));
    } catch (const std::system_error& e) {
        error = e.what();
    }
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, previousHandler);

    CHECK_THAT(error, Contains("cannot write " + path) && Contains("File too large"));
    CHECK(readFileBytes(path) == "old");
    CHECK(listDirectory(dir.path()) == std::vector<std::string>{"keep.txt"});
}
