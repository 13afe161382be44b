// litefer-cli as a user runs it: help, version, exit codes, and machine-readable output.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include "litefer/files.h"
#include "litefer/json.h"
#include "litefer/packed_dataset.h"
#include "support/noise_pack.h"

namespace {

struct Run {
    int exitCode = -1;
    std::string out;  // stdout and stderr together
};

Run cli(const std::string& args) {
    const std::string cmd = std::string(LITEFER_BIN_DIR) + "/litefer-cli " + args + " 2>&1";
    Run r;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::array<char, 4096> buf{};
    while (std::fgets(buf.data(), static_cast<int>(buf.size()), p) != nullptr) {
        r.out += buf.data();
    }
    const int status = pclose(p);
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

}  // namespace

TEST_CASE("litefer-cli prints its version and help and exits 0", "[cli]") {
    Run v = cli("--version");
    CHECK(v.exitCode == 0);
    CHECK(v.out.find("litefer-cli 0.") == 0);
    Run h = cli("--help");
    CHECK(h.exitCode == 0);
    for (const char* cmd : {"models", "bench-models", "train", "eval", "pack", "model-info"}) {
        INFO(cmd);
        CHECK(h.out.find(cmd) != std::string::npos);
        CHECK(cli(std::string(cmd) + " --help").exitCode == 0);
    }
}

TEST_CASE("litefer-cli exits 2 on a bad command line", "[cli]") {
    CHECK(cli("").exitCode == 2);
    Run u = cli("frobnicate");
    CHECK(u.exitCode == 2);
    CHECK(u.out.find("unknown command 'frobnicate'") != std::string::npos);
    Run o = cli("models --colour");
    CHECK(o.exitCode == 2);
    CHECK(o.out.find("unknown option --colour") != std::string::npos);
    CHECK(cli("train --epochs 3").exitCode == 2);
    CHECK(cli("bench-models --runs ten").exitCode == 2);
}

TEST_CASE("litefer-cli exits 1 naming the file when a model cannot be loaded", "[cli]") {
    Run r = cli("model-info /nonexistent/litefer-model.lfm");
    CHECK(r.exitCode == 1);
    CHECK(r.out.find("/nonexistent/litefer-model.lfm") != std::string::npos);
}

TEST_CASE("litefer-cli models --json lists every network with counted sizes", "[cli]") {
    Run r = cli("models --json");
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

    Run resumed = cli(trainArgs(data, killed) + " --resume");
    REQUIRE(resumed.exitCode == 0);
    if (killedBeforeEnd && lastCheckpointEpoch(killed) < 3) {
        CHECK(resumed.out.find("resumed after epoch") != std::string::npos);
    }
    CHECK(modelSha(killed) == modelSha(dir / "straight"));
    fs::remove_all(dir);
}
