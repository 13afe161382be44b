#pragma once
// Reading and writing small text files in tests, the way the checks want them: bytes as they
// are (no line-end translation), lines without their '\n', CSV fields split on commas. A
// missing file reads as empty (so a test can poll for a file that is still being written);
// a file that cannot be written throws std::runtime_error naming it.
#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace litefer::test {

/// The whole file, byte for byte; empty when it does not exist or cannot be read.
inline std::string readText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Replaces the file's contents with `text`, byte for byte; throws when that fails.
inline void writeText(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
        throw std::runtime_error("cannot write the test file " + path);
    }
}

/// The file's lines (split at '\n', which is dropped; a '\r' before it is kept). A missing
/// file has none.
inline std::vector<std::string> fileLines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) {
        out.push_back(line);
    }
    return out;
}

/// The number of '\n' in the file (0 when it is missing).
inline int lineCount(const std::string& path) {
    const std::string text = readText(path);
    return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

/// A CSV line split on every comma, quotes not interpreted (for lines without quoted fields);
/// a trailing comma gives a trailing empty field.
inline std::vector<std::string> csvFields(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream in(line);
    for (std::string f; std::getline(in, f, ',');) {
        out.push_back(f);
    }
    if (!line.empty() && line.back() == ',') {
        out.emplace_back();
    }
    return out;
}

}  // namespace litefer::test
