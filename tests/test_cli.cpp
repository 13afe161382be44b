// litefer-cli as a user runs it: help, version, exit codes, and machine-readable output.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "litefer/files.h"
#include "litefer/json.h"
#include "litefer/packed_dataset.h"
#include "support/http_server.h"
#include "support/noise_pack.h"
#include "support/run_command.h"
#include "support/shared_data.h"
#include "support/temp_dir.h"
#include "support/text_files.h"

namespace {

using litefer::test::CommandResult;
using litefer::test::csvFields;
using litefer::test::fileLines;

/// Runs litefer-cli with `args`, stdout and stderr together.
CommandResult cli(const std::string& args) {
    return litefer::test::runCommand(std::string(LITEFER_BIN_DIR) + "/litefer-cli " + args +
                                     " 2>&1");
}

}  // namespace

TEST_CASE("litefer-cli prints its version and help and exits 0", "[cli]") {
    CommandResult v = cli("--version");
    CHECK(v.exitCode == 0);
    CHECK(v.out.find("litefer-cli 0.") == 0);
    CommandResult h = cli("--help");
    CHECK(h.exitCode == 0);
    for (const char* cmd : {"models", "bench-models", "train", "eval", "pack", "model-info"}) {
        INFO(cmd);
        CHECK(h.out.find(cmd) != std::string::npos);
        CHECK(cli(std::string(cmd) + " --help").exitCode == 0);
    }
}

TEST_CASE("litefer-cli exits 2 on a bad command line", "[cli]") {
    CHECK(cli("").exitCode == 2);
    CommandResult u = cli("frobnicate");
    CHECK(u.exitCode == 2);
    CHECK(u.out.find("unknown command 'frobnicate'") != std::string::npos);
    CommandResult o = cli("models --colour");
    CHECK(o.exitCode == 2);
    CHECK(o.out.find("unknown option --colour") != std::string::npos);
    CHECK(cli("train --epochs 3").exitCode == 2);
    CHECK(cli("bench-models --runs ten").exitCode == 2);
}

TEST_CASE("litefer-cli exits 1 naming the file when a model cannot be loaded", "[cli]") {
    CommandResult r = cli("model-info /nonexistent/litefer-model.lfm");
    CHECK(r.exitCode == 1);
    CHECK(r.out.find("/nonexistent/litefer-model.lfm") != std::string::npos);
}

TEST_CASE("litefer-cli models --json lists every network with counted sizes", "[cli]") {
    CommandResult r = cli("models --json");
    REQUIRE(r.exitCode == 0);
    litefer::json::Value v = litefer::json::parse(r.out);
    REQUIRE(v.asArray().size() == 8);
    for (const auto& n : v.asArray()) {
        INFO(n.at("name").asString());
        CHECK(n.at("parameters").asInt64() > 100'000);
        CHECK(n.at("macs").asInt64() > n.at("parameters").asInt64());
        CHECK(n.at("depth").asInt() >= 9);
    }
    CHECK(v.asArray()[4].at("name").asString() == "vgg-pretrain");
    CHECK(v.asArray()[4].at("parameters").asInt64() == 9'414'855);
}

// ---------------------------------------------------------------------------------------------
// Training killed with SIGKILL and resumed gives the same model as an uninterrupted run.

namespace {

namespace fs = std::filesystem;

std::string writeNoisePack(const fs::path& dir, int n) {
    const std::string path = (dir / "noise.lfpack").string();
    litefer::test::writeNoisePack(path, n, /*seed=*/42);
    return path;
}

std::string trainArgs(const std::string& data, const fs::path& out) {
    return "train --network vgg-lite --train " + data + " --val " + data + " --out " +
           out.string() +
           " --epochs 3 --batch 16 --optimizer adamw --lr 0.003 --warmup 0 --threads 1 "
           "--no-progress";
}

int lastCheckpointEpoch(const fs::path& out) {
    try {
        return litefer::json::parse(
                   litefer::readFileBytes((out / "checkpoint/state.json").string()))
            .at("epoch")
            .asInt();
    } catch (const std::exception&) {
        return 0;
    }
}

std::string modelSha(const fs::path& out) {
    const std::string manifest = (out / "model.json").string();
    return litefer::json::parse(litefer::readFileBytes(manifest))
        .at("weights")
        .at("sha256")
        .asString();
}

}  // namespace

TEST_CASE("training killed with SIGKILL resumes to the same model as an uninterrupted run",
          "[cli][train]") {
    const fs::path dir =
        fs::temp_directory_path() / ("litefer-kill-test-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir);
    const std::string data = writeNoisePack(dir, 96);

    REQUIRE(cli(trainArgs(data, dir / "straight")).exitCode == 0);

    // Start a second run in the background and kill it hard once epoch 1 is checkpointed.
    const fs::path killed = dir / "killed";
    const std::string cmd =
        std::string(LITEFER_BIN_DIR) + "/litefer-cli " + trainArgs(data, killed);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", ("exec " + cmd + " >/dev/null 2>&1").c_str(),
              static_cast<char*>(nullptr));
        _exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
    while (lastCheckpointEpoch(killed) < 1 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    REQUIRE(lastCheckpointEpoch(killed) >= 1);
    const bool killedBeforeEnd = WIFSIGNALED(status);
    INFO("killed after epoch " << lastCheckpointEpoch(killed));

    CommandResult resumed = cli(trainArgs(data, killed) + " --resume");
    REQUIRE(resumed.exitCode == 0);
    if (killedBeforeEnd && lastCheckpointEpoch(killed) < 3) {
        CHECK(resumed.out.find("resumed after epoch") != std::string::npos);
    }
    CHECK(modelSha(killed) == modelSha(dir / "straight"));
    fs::remove_all(dir);
}

TEST_CASE("litefer-cli convert halves a model with float16 weights and keeps its facts", "[cli]") {
    litefer::test::TempDir dir("litefer-cli-convert");
    const std::string in =
        std::string(LITEFER_SOURCE_DIR) + "/resources/models/vgg-lite-fer2013.lfm";
    REQUIRE(fs::exists(in));
    const std::string out = dir.file("small model ü.lfm");
    CommandResult c = cli("convert '" + in + "' --out '" + out + "'");
    INFO(c.out);
    REQUIRE(c.exitCode == 0);
    CHECK(c.out.find("float16") != std::string::npos);
    CHECK(fs::file_size(out) < fs::file_size(in) * 6 / 10);
    CommandResult info = cli("model-info '" + out + "'");  // loads with every check
    REQUIRE(info.exitCode == 0);
    CHECK(info.out.find("\"dtype\": \"float16\"") != std::string::npos);
    CHECK(info.out.find("converted_from") != std::string::npos);
    CHECK(info.out.find("test_tta_none") != std::string::npos);  // metrics kept

    CHECK(cli("convert '" + in + "' --out '" + out + "' --dtype int8").exitCode == 2);
    CHECK(cli("convert '" + in + "'").exitCode == 2);  // no --out
    CommandResult missing = cli("convert /nonexistent/m.lfm --out '" + out + "'");
    CHECK(missing.exitCode == 1);
    CHECK(missing.out.find("/nonexistent/m.lfm") != std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// analyze: stdin markers, reconnecting to a stream, kill -9 while recording, non-ASCII paths.

namespace {

const std::string kFaceVideo = litefer::test::sharedPath("video/face_d0.mp4");
const std::string kYuNetModel = litefer::test::sharedPath(litefer::test::kYuNetModel);

/// Why analyze tests cannot run here (shared video or YuNet missing), or empty.
std::string analyzeUnavailable() {
    if (!fs::exists(kFaceVideo) || !fs::exists(kYuNetModel)) {
        return kFaceVideo + " or " + kYuNetModel + " not found";
    }
    return "";
}

std::string quoted(const std::string& s) {
    return "'" + s + "'";  // test paths hold no single quote
}

std::string yunetArgs() {
    return " --detector yunet --detector-model " + quoted(kYuNetModel);
}

/// Starts `litefer-cli <args>` in the background, stdout and stderr to `log`.
pid_t spawnCli(const std::string& args, const std::string& log) {
    const std::string cmd = "exec " + std::string(LITEFER_BIN_DIR) + "/litefer-cli " + args + " >" +
                            quoted(log) + " 2>&1 </dev/null";
    const pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    return pid;
}

/// Waits for `pid` up to `limit`; kills it (SIGKILL) when it overstays. -1 unless it exited.
int waitExit(pid_t pid, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// Polls `done` every 50 ms up to `limit`.
bool waitFor(const std::function<bool()>& done, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
}

litefer::json::Value readJsonFile(const std::string& path) {
    return litefer::json::parse(litefer::readFileBytes(path));
}

}  // namespace

TEST_CASE("analyze --markers-stdin adds a marker for every line typed", "[cli][analyze]") {
    if (const std::string why = analyzeUnavailable(); !why.empty()) {
        WARN("skipped: " << why);
        return;
    }
    litefer::test::TempDir dir;
    const std::string out = dir.file("session");
    // One line at once, two more once 20 frames (0.8 s of video at its own pace) are recorded.
    const std::string typing =
        "(printf 'stimulus A\\n'; i=0; while [ $(cat " + quoted(out + "/frames.csv") +
        " 2>/dev/null | wc -l) -lt 21 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; "
        "printf '3 looked away\\nB\\tnote, b\\n\\n')";
    const CommandResult r = litefer::test::runCommand(
        typing + " | " + std::string(LITEFER_BIN_DIR) + "/litefer-cli analyze --source " +
        quoted(kFaceVideo) + " --out " + quoted(out) + yunetArgs() +
        " --no-video --realtime --markers-stdin 2>&1");
    INFO(r.out);
    REQUIRE(r.exitCode == 0);
    CHECK(r.out.find("marker at") != std::string::npos);
    const auto rows = fileLines(out + "/markers.csv");
    REQUIRE(rows.size() == 4);
    CHECK(rows[0] == "time_ms,label,note");
    CHECK_THAT(rows[1], Catch::EndsWith(",stimulus A,"));
    CHECK_THAT(rows[2], Catch::EndsWith(",3,looked away"));
    CHECK_THAT(rows[3], Catch::EndsWith(",B,\"note, b\""));
    const double first = std::stod(csvFields(rows[1])[0]);
    const double second = std::stod(csvFields(rows[2])[0]);
    CHECK(second - first >= 700.0);  // typed a second later, on the frames' clock (--realtime)
    const auto summary = readJsonFile(out + "/summary.json");
    bool found = false;
    for (const auto& seg : summary.at("segments").asArray()) {
        found = found || seg.at("label").asString() == "stimulus A";
    }
    CHECK(found);
    CHECK(readJsonFile(out + "/session.json").at("markers").asInt() == 3);
}

TEST_CASE("analyze --reconnect keeps one session through a stream outage", "[cli][analyze]") {
    if (const std::string why = analyzeUnavailable(); !why.empty()) {
        WARN("skipped: " << why);
        return;
    }
    if (const std::string why = litefer::test::httpServerUnavailable(); !why.empty()) {
        WARN("skipped: " << why);
        return;
    }
    litefer::test::TempDir dir;
    // A streamable copy of the face video (MJPG in Matroska; python's server cannot serve MP4
    // to FFmpeg): the annotated video of an ordinary analyze run.
    REQUIRE(cli("analyze --source " + quoted(kFaceVideo) + " --out " + quoted(dir.file("prep")) +
                yunetArgs())
                .exitCode == 0);
    fs::create_directories(dir.file("www"));
    fs::copy_file(dir.file("prep/video.mkv"), dir.file("www/face.mkv"));
    const auto bytes = static_cast<int>(fs::file_size(dir.file("www/face.mkv")));
    litefer::test::HttpServer server(dir.file("www"), /*bytesPerSecond=*/bytes / 3);  // ~live
    REQUIRE(server.start());

    const std::string out = dir.file("session");
    const std::string log = dir.file("log.txt");
    const pid_t pid = spawnCli("analyze --source " + server.url("face.mkv") + " --out " +
                                   quoted(out) + yunetArgs() + " --no-video --reconnect",
                               log);
    REQUIRE(pid > 0);
    const std::string frames = out + "/frames.csv";
    CHECK(waitFor([&] { return fileLines(frames).size() >= 6; }, std::chrono::seconds(30)));
    server.stop();  // the sender dies mid-stream
    std::this_thread::sleep_for(std::chrono::seconds(3));
    REQUIRE(server.start());  // and comes back on the same address
    // Wait for a "source back" that spans the outage, then for frames after it.
    double backMs = -1.0;
    CHECK(waitFor(
        [&] {
            for (const auto& row : fileLines(out + "/markers.csv")) {
                const auto f = csvFields(row);
                if (f.size() == 3 && f[1] == "source back" && f[2].rfind("after ", 0) == 0 &&
                    std::stod(f[2].substr(6)) >= 2.5) {
                    backMs = std::stod(f[0]);
                    return true;
                }
            }
            return false;
        },
        std::chrono::seconds(20)));
    CHECK(waitFor(
        [&] {
            const auto rows = fileLines(frames);
            return backMs >= 0.0 && rows.size() > 1 &&
                   std::stod(csvFields(rows.back())[1]) > backMs;
        },
        std::chrono::seconds(10)));
    kill(pid, SIGINT);
    const int code = waitExit(pid, std::chrono::seconds(20));
    INFO(litefer::readFileBytes(log));
    CHECK(code == 0);

    const auto s = readJsonFile(out + "/session.json");
    CHECK(s.at("status").asString() == "complete");
    CHECK((s.at("end_reason").asString() == "stopped" ||
           s.at("end_reason").asString() == "source lost"));
    const auto markers = fileLines(out + "/markers.csv");
    REQUIRE(markers.size() >= 3);
    CHECK_THAT(markers[1], Catch::Contains(",source lost,"));
    const auto rows = fileLines(frames);
    REQUIRE(rows.size() >= 3);  // header, a row before the outage, one after
    double lastMs = -1.0;
    long lastId = -1;
    bool before = false;
    bool after = false;
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const auto f = csvFields(rows[i]);
        REQUIRE(f.size() == 25);
        const long id = std::stol(f[0]);
        const double ms = std::stod(f[1]);
        CHECK(id >= lastId);  // one session clock across connections
        CHECK(ms >= lastMs);
        lastId = id;
        lastMs = ms;
        before = before || ms < backMs;
        after = after || ms > backMs;
    }
    CHECK(before);
    CHECK(after);
}

TEST_CASE("analyze killed with SIGKILL while recording leaves whole rows and a readable video",
          "[cli][analyze]") {
    if (const std::string why = analyzeUnavailable(); !why.empty()) {
        WARN("skipped: " << why);
        return;
    }
    litefer::test::TempDir dir;
    const std::string out = dir.file("session");
    const pid_t pid = spawnCli("analyze --source " + quoted(kFaceVideo) + " --out " + quoted(out) +
                                   yunetArgs() + " --realtime",
                               dir.file("log.txt"));
    REQUIRE(pid > 0);
    CHECK(waitFor([&] { return fileLines(out + "/frames.csv").size() >= 21; },
                  std::chrono::seconds(30)));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status));

    // The recorder's promise (session_recorder.h): every row whole, except that the file's last
    // line may be cut (then without its line break) when the kill lands inside its write.
    const std::string csv = litefer::readFileBytes(out + "/frames.csv");
    auto rows = fileLines(out + "/frames.csv");
    if (csv.back() != '\n') {
        WARN("the kill cut the last row: " << rows.back());
        rows.pop_back();
    }
    REQUIRE(rows.size() >= 21);
    for (std::size_t i = 1; i < rows.size(); ++i) {
        CHECK(csvFields(rows[i]).size() == 25);
    }
    CHECK(readJsonFile(out + "/session.json").at("status").asString() == "recording");
    // The video reads back through the same FFmpeg path a user would use on it.
    const CommandResult replay = cli("analyze --source " + quoted(out + "/video.mkv") + " --out " +
                                     quoted(dir.file("replay")) + yunetArgs() + " --no-video");
    INFO(replay.out);
    REQUIRE(replay.exitCode == 0);
    const auto replayed = fileLines(dir.file("replay/frames.csv"));
    CHECK(replayed.size() >= 11);  // most of the frames recorded before the kill
}

TEST_CASE("analyze takes source, output and model paths with spaces and non-ASCII characters",
          "[cli][analyze]") {
    if (const std::string why = analyzeUnavailable(); !why.empty()) {
        WARN("skipped: " << why);
        return;
    }
    const fs::path shippedModel = fs::path(LITEFER_TEST_DATA).parent_path().parent_path() /
                                  "resources/models" / "vgg-lite-fer2013.lfm";
    if (!fs::exists(shippedModel)) {
        WARN("skipped: " << shippedModel << " not found");
        return;
    }
    litefer::test::TempDir dir;
    const fs::path base = dir.path() / "Sitzung Müller ü";
    fs::create_directories(base / "Modelle ä");
    fs::create_directories(base / "Детектор 1");
    fs::copy_file(kFaceVideo, base / "видео 1.mp4");
    fs::copy_file(shippedModel, base / "Modelle ä" / "vgg lite ü.lfm");
    fs::copy_file(kYuNetModel, base / "Детектор 1" / "yunet ß.onnx");
    const std::string out = (base / "Ausgabe ö" / "Sitzung 1").string();
    const CommandResult r =
        cli("analyze --source " + quoted((base / "видео 1.mp4").string()) + " --out " +
            quoted(out) + " --model " + quoted((base / "Modelle ä" / "vgg lite ü.lfm").string()) +
            " --detector yunet --detector-model " +
            quoted((base / "Детектор 1" / "yunet ß.onnx").string()));
    INFO(r.out);
    REQUIRE(r.exitCode == 0);
    CHECK(r.out.find("source ended") != std::string::npos);
    for (const char* file :
         {"session.json", "frames.csv", "markers.csv", "summary.json", "video.mkv"}) {
        CHECK(fs::exists(fs::path(out) / file));
    }
    const auto s = readJsonFile(out + "/session.json");
    CHECK(s.at("source").at("spec").asString() == (base / "видео 1.mp4").string());
    CHECK_THAT(s.at("model").at("path").asString(), Catch::EndsWith("vgg lite ü.lfm"));
    CHECK(fileLines(out + "/frames.csv").size() >= 71);
    // A missing file with such a name is reported by its name.
    const CommandResult missing =
        cli("analyze --source " + quoted((base / "fehlt ü.mp4").string()) + " --out " +
            quoted(dir.file("x")) + yunetArgs());
    CHECK(missing.exitCode == 1);
    CHECK(missing.out.find("fehlt ü.mp4") != std::string::npos);
}
