#pragma once
// Helpers shared by the fuzz targets (targets/*.cpp).
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace litefer::fuzz {

/// An in-memory file (memfd) reachable by path ("/proc/self/fd/N"), for parsers that take a
/// file name: no disk I/O per input, nothing left behind. One per process, reused.
class MemFile {
  public:
    MemFile() : fd_(memfd_create("litefer-fuzz", MFD_CLOEXEC)) {
        if (fd_ < 0) {
            throw std::runtime_error("memfd_create failed");
        }
        path_ = "/proc/self/fd/" + std::to_string(fd_);
    }
    ~MemFile() { ::close(fd_); }
    MemFile(const MemFile&) = delete;
    MemFile& operator=(const MemFile&) = delete;

    /// Replaces the file's contents with data[0..size) and returns its path.
    const std::string& write(const std::uint8_t* data, std::size_t size) {
        if (::ftruncate(fd_, 0) != 0) {
            throw std::runtime_error("ftruncate failed");
        }
        std::size_t done = 0;
        while (done < size) {
            const ssize_t n = ::pwrite(fd_, data + done, size - done, static_cast<off_t>(done));
            if (n <= 0) {
                throw std::runtime_error("pwrite failed");
            }
            done += static_cast<std::size_t>(n);
        }
        return path_;
    }
    const std::string& path() const { return path_; }

  private:
    int fd_;
    std::string path_;
};

/// The process's MemFile.
inline MemFile& memFile() {
    static MemFile file;
    return file;
}

/// Aborts with a message: a broken contract that libFuzzer should report as a crash.
[[noreturn]] inline void contractViolation(const char* what) {
    std::fprintf(stderr, "fuzz contract violated: %s\n", what);
    std::abort();
}

}  // namespace litefer::fuzz
