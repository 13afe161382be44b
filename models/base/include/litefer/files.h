#pragma once
// Whole-file I/O with errors that name the path and the operating-system reason.
// POSIX only. Errors are std::system_error (a std::runtime_error) whose code() is the errno
// value and whose what() reads "<operation> <path>: <strerror text>".
#include <string>
#include <string_view>

namespace litefer {

/// The complete contents of a regular file. Throws "cannot read <path>: <reason>" when the
/// file is missing, unreadable, or a directory.
std::string readFileBytes(const std::string& path);

/// Replaces path with bytes so that readers see either the old file or the complete new one,
/// never a partial write, even across a crash: writes "<path>.tmp-<pid>-<n>" in the same
/// directory (n is a per-process counter so concurrent writers in one process do not collide),
/// fsyncs it, renames it over path, then fsyncs the directory. On failure (e.g. ENOSPC, EACCES)
/// the temporary file is removed and "cannot write <path>: <reason>" is thrown; path is then
/// unchanged. New files get mode 0644 minus the umask.
void writeFileAtomic(const std::string& path, std::string_view bytes);

/// Whether path names an existing regular file (following symlinks). Never throws.
bool fileExists(const std::string& path);

}  // namespace litefer
