// litefer-cli as a user runs it: help, version, exit codes, and machine-readable output.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

#include "litefer/json.h"

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
