#pragma once
// A local HTTP server for network-stream tests: python3 serving one folder on 127.0.0.1,
// started and killed (SIGKILL) by the test.
// - plain: `python3 -m http.server` (everything as fast as the client reads).
// - paced: a small inline server that sends each file at a fixed byte rate, like a live sender,
//   so that a test can cut the stream in the middle.
// Note: python's http.server ignores Range requests, so an MP4 whose index (moov) sits at the
// end cannot be streamed from it (FFmpeg must seek); tests serve Matroska/MJPG, which FFmpeg
// reads front to back.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

namespace litefer::test {

/// Why stream tests must be skipped here, or empty when python3 runs.
inline std::string httpServerUnavailable() {
    static const bool ok = std::system("python3 -c pass >/dev/null 2>&1") == 0;
    return ok ? std::string() : std::string("python3 not found (needed to serve a test stream)");
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
inline int freeLocalPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    int port = -1;
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
        port = ntohs(addr.sin_port);
    }
    if (fd >= 0) {
        ::close(fd);
    }
    return port;
}

class HttpServer {
  public:
    /// Serves `dir`; `bytesPerSecond` > 0 paces every response. The port is chosen once and
    /// kept across stop()/start(), so a restarted server is the same URL.
    explicit HttpServer(std::string dir, int bytesPerSecond = 0)
        : dir_(std::move(dir)), rate_(bytesPerSecond), port_(freeLocalPort()) {}
    ~HttpServer() { stop(); }
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Starts the server and waits (up to 5 s) until it accepts connections.
    bool start() {
        stop();
        pid_ = ::fork();
        if (pid_ == 0) {
            const int null = ::open("/dev/null", O_RDWR);
            ::dup2(null, 0);
            ::dup2(null, 1);
            ::dup2(null, 2);
            const std::string port = std::to_string(port_);
            if (rate_ > 0) {
                ::execlp("python3", "python3", "-c", kPacedServer, dir_.c_str(), port.c_str(),
                         std::to_string(rate_).c_str(), static_cast<char*>(nullptr));
            } else {
                ::execlp("python3", "python3", "-m", "http.server", port.c_str(), "--bind",
                         "127.0.0.1", "--directory", dir_.c_str(), static_cast<char*>(nullptr));
            }
            ::_exit(127);
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (std::chrono::steady_clock::now() < deadline) {
            if (accepts()) {
                return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }
    /// Kills the server (SIGKILL: open connections are cut) and reaps it. Idempotent.
    void stop() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
            pid_ = -1;
        }
    }
    std::string url(const std::string& file) const {
        return "http://127.0.0.1:" + std::to_string(port_) + "/" + file;
    }
    int port() const { return port_; }

  private:
    bool accepts() const {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(static_cast<std::uint16_t>(port_));
        const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        ::close(fd);
        return ok;
    }

    static constexpr const char* kPacedServer = R"PY(
import http.server, os, sys, time
folder, port, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
class Paced(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        try:
            data = open(os.path.join(folder, os.path.basename(self.path)), 'rb').read()
        except OSError:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        step = max(1, rate // 20)
        try:
            for i in range(0, len(data), step):
                self.wfile.write(data[i:i + step])
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer.daemon_threads = True
http.server.ThreadingHTTPServer(('127.0.0.1', port), Paced).serve_forever()
)PY";

    std::string dir_;
    int rate_;
    int port_;
    pid_t pid_ = -1;
};

}  // namespace litefer::test
