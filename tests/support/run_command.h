#pragma once
// Running a program the way a user's shell does and capturing what it prints: the command
// line goes to sh (popen), so it may hold quotes, pipes and redirections. Only stdout is
// captured: append " 2>&1" to capture stderr with it. Throws std::runtime_error when sh
// cannot be started.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace litefer::test {

struct CommandResult {
    int exitCode = -1;  ///< the exit status, or -1 when the command did not exit normally
    std::string out;    ///< what it wrote to stdout (and stderr, when redirected there)
};

/// Runs `commandLine` with sh and waits for it to end.
inline CommandResult runCommand(const std::string& commandLine) {
    FILE* pipe = popen(commandLine.c_str(), "r");
    if (pipe == nullptr) {
        throw std::runtime_error("popen failed for: " + commandLine);
    }
    CommandResult r;
    std::array<char, 4096> buf{};
    while (std::fgets(buf.data(), static_cast<int>(buf.size()), pipe) != nullptr) {
        r.out += buf.data();
    }
    const int status = pclose(pipe);
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

}  // namespace litefer::test
