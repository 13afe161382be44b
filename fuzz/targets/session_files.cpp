// Fuzz target: re-opening recorded sessions (core/session_reader.h): parseFramesCsv,
// parseMarkersCsv and parseSessionJson on the whole input, and readSession on a folder made
// from it when the input holds file parts separated by kPartSeparator lines (in order
// session.json, frames.csv, markers.csv, summary.json; missing parts are missing files).
// Contract checked (session_reader.h): the parse functions never throw, keep at most
// kMaxProblems (+1 "more problems") problems, rows have 1-based lines; readSession throws only
// SessionFileError; and formatMarkersCsv's text reads back to itself (a fixed point after one
// round).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "litefer/core/session_reader.h"

namespace {

namespace fs = std::filesystem;
using litefer::fuzz::contractViolation;

constexpr std::string_view kPartSeparator = "\n--8<--\n";
constexpr const char* kPartNames[] = {"session.json", "frames.csv", "markers.csv", "summary.json"};

/// A per-process scratch folder for readSession, removed at exit.
const fs::path& scratchFolder() {
    static const fs::path folder = [] {
        std::string tmpl = (fs::temp_directory_path() / "litefer-fuzz-session-XXXXXX").string();
        if (mkdtemp(tmpl.data()) == nullptr) {
            contractViolation("mkdtemp failed");
        }
        static const std::string keep = tmpl;
        std::atexit([] {
            std::error_code ec;
            fs::remove_all(keep, ec);
        });
        return fs::path(tmpl);
    }();
    return folder;
}

void checkProblems(const std::vector<litefer::core::SessionProblem>& problems) {
    if (problems.size() > litefer::core::kMaxProblems + 1) {
        contractViolation("more than kMaxProblems (+1) problems kept");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace core = litefer::core;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        std::vector<core::SessionProblem> problems;
        bool cutOff = false;
        const auto rows = core::parseFramesCsv(text, problems, core::kFramesCsv, &cutOff);
        checkProblems(problems);
        for (const auto& r : rows) {
            if (r.line == 0) {
                contractViolation("parseFramesCsv: a row without its line");
            }
        }
        (void)core::summaryFramesFromRows(rows);

        problems.clear();
        const auto markers = core::parseMarkersCsv(text, problems);
        checkProblems(problems);
        const std::string once = core::formatMarkersCsv(markers);
        problems.clear();
        const auto again = core::parseMarkersCsv(once, problems);
        if (core::formatMarkersCsv(again) != once) {
            contractViolation("formatMarkersCsv text does not read back to itself");
        }

        problems.clear();
        (void)core::parseSessionJson(text, problems);
        checkProblems(problems);
    } catch (...) {
        contractViolation("a session parse function threw");
    }

    if (text.find(kPartSeparator) == std::string_view::npos) {
        return 0;
    }
    const fs::path& folder = scratchFolder();
    std::size_t begin = 0;
    for (const char* name : kPartNames) {
        const fs::path file = folder / name;
        std::error_code ec;
        fs::remove(file, ec);
        if (begin == std::string_view::npos) {
            continue;
        }
        const std::size_t end = text.find(kPartSeparator, begin);
        const std::string_view part = text.substr(begin, end - begin);
        std::ofstream(file, std::ios::binary)
            .write(part.data(), static_cast<std::streamsize>(part.size()));
        begin = end == std::string_view::npos ? end : end + kPartSeparator.size();
    }
    try {
        const core::SessionData s = core::readSession(folder.string());
        if (s.problems.size() > 4 * (litefer::core::kMaxProblems + 1)) {
            contractViolation("readSession kept too many problems");
        }
    } catch (const core::SessionFileError&) {
    }
    return 0;
}
