// litefer-cli soak: the command works end to end on a short run (not a timing test; the
// 30-minute figures are in docs/reliability.md).
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>

#include "litefer/files.h"
#include "litefer/json.h"
#include "support/run_command.h"
#include "support/temp_dir.h"

namespace {

namespace fs = std::filesystem;

using litefer::test::CommandResult;

/// litefer-cli with `args`; stdout only (stderr goes to the test log).
CommandResult cli(const std::string& args) {
    return litefer::test::runCommand(std::string(LITEFER_BIN_DIR) + "/litefer-cli " + args);
}

/// A 1-second synthetic MJPG video written into `dir`.
std::string syntheticVideo(const litefer::test::TempDir& dir) {
    const std::string path = dir.file("synthetic.mkv");
    cv::VideoWriter writer(path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 25.0,
                           cv::Size(160, 120));
    REQUIRE(writer.isOpened());
    for (int i = 0; i < 25; ++i) {
        cv::Mat frame(120, 160, CV_8UC3, cv::Scalar(40, 80, 120));
        cv::circle(frame, cv::Point(40 + 3 * i, 60), 20, cv::Scalar(200, 200, 200), -1);
        writer.write(frame);
    }
    writer.release();
    return path;
}

/// The shared face video when present, else a synthetic one.
std::string soakSource(const litefer::test::TempDir& dir) {
    const std::string shared = std::string(LITEFER_SHARED_DIR) + "/video/face_d0.mp4";
    return fs::exists(shared) ? shared : syntheticVideo(dir);
}

}  // namespace

TEST_CASE("soak runs the pipeline with recording and accounts for every row", "[soak][cli]") {
    litefer::test::TempDir dir("litefer-soak-test");
    const std::string source = soakSource(dir);
    const std::string out = dir.file("soak");
    // Memory is not judged in 6 s (and a sanitizer build's quarantine grows RSS by design).
    CommandResult r =
        cli("soak --source " + source + " --minutes 0.1 --session-minutes 0.04 --out " + out +
            " --max-rss-growth-mb 100000 --json");
    INFO(r.out);
    REQUIRE(r.exitCode == 0);
    const litefer::json::Value report = litefer::json::parse(r.out);
    CHECK(report.at("verdict").asString() == "pass");
    CHECK(report.at("frames").asUint64() > 0);
    CHECK(report.at("rows_written").asUint64() == report.at("rows_expected").asUint64());
    CHECK(report.at("sessions").asInt() >= 2);  // a new session every 0.04 min
    CHECK(report.at("rss_kb").at("max").asInt64() > 0);
    CHECK(report.at("fds").at("start").asInt64() > 0);
    CHECK(report.at("threads").at("end").asInt64() > 0);
    // soak.json and samples.csv stay; the session folders are checked and deleted.
    CHECK(litefer::json::parse(litefer::readFileBytes(out + "/soak.json")) == report);
    CHECK(fs::exists(out + "/samples.csv"));
    CHECK_FALSE(fs::exists(out + "/session-001"));
}

TEST_CASE("soak refuses a bad command line with exit code 2", "[soak][cli]") {
    CHECK(cli("soak --minutes 1 2>/dev/null").exitCode == 2);  // no --source
    CHECK(cli("soak --source x.mp4 --minutes 0 2>/dev/null").exitCode == 2);
}

TEST_CASE("the whole pipeline with recording opens no network socket", "[soak][privacy]") {
    // Privacy (docs/reliability.md): everything runs locally. strace lists every socket the
    // process and its threads open while a file goes through detection, classification and
    // recording; only local (AF_UNIX) ones are allowed, e.g. glibc's user-database lookups.
    if (std::system("command -v strace >/dev/null 2>&1") != 0) {
        WARN("skipped: strace is not installed (apt-get install strace)");
        return;
    }
    litefer::test::TempDir dir("litefer-privacy-test");
    const std::string trace = dir.file("strace.txt");
    // LeakSanitizer cannot run under ptrace: off for this traced run of a sanitizer build.
    const char* asan = std::getenv("ASAN_OPTIONS");
    const std::string traced = "ASAN_OPTIONS='" + std::string(asan ? asan : "") +
                               ":detect_leaks=0' strace -f -qq -e trace=socket -o " + trace + " " +
                               std::string(LITEFER_BIN_DIR) + "/litefer-cli soak --source " +
                               syntheticVideo(dir) +
                               " --minutes 0.03 --max-rss-growth-mb 100000 --out " +
                               dir.file("soak-traced") + " >/dev/null 2>&1";
    REQUIRE(std::system(traced.c_str()) == 0);
    std::istringstream lines(litefer::readFileBytes(trace));
    std::string line;
    while (std::getline(lines, line)) {
        INFO(line);
        CHECK(line.find("socket(AF_UNIX") != std::string::npos);
    }
}
