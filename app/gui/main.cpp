// litefer: the LiteFER desktop application (live camera view). See `litefer --help`.
//
// Order matters here: the thread environment is set before any library starts a thread, the
// command line and the display are checked before QApplication exists (so --help, --version
// and a clear message work without a display), and only then does Qt start.
#include <QApplication>
#include <QImageWriter>
#include <QPixmap>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <charconv>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "litefer/ui/main_window.h"
#include "litefer/version.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;  // bad command line, or no display to show the window on

constexpr int kDefaultScreenshotDelayMs = 1000;
constexpr int kMaxDelayMs = 24 * 60 * 60 * 1000;  // a day; QTimer takes an int of ms

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The command line, as typed. Arguments we do not know are kept for Qt (`-platform offscreen`,
/// `-style fusion`, ...); whatever Qt does not take either is an error (see main()).
struct Options {
    bool help = false;
    bool version = false;
    bool noCamera = false;
    std::optional<std::string> screenshotPath;
    std::optional<int> exitAfterMs;
    std::vector<std::string> unknown;
};

int parseDelayMs(std::string_view text) {
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > kMaxDelayMs) {
        throw UsageError("--exit-after-ms needs a whole number of milliseconds (0 to " +
                         std::to_string(kMaxDelayMs) + "), not '" + std::string(text) + "'");
    }
    return value;
}

/// Parses `args` (without the program name). Throws UsageError for a malformed known option.
Options parseOptions(const std::vector<std::string>& args) {
    Options options;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        // `--name value` or `--name=value`.
        auto value = [&](std::string_view name) -> std::optional<std::string> {
            if (arg == name) {
                if (i + 1 >= args.size()) {
                    throw UsageError(std::string(name) + " needs a value");
                }
                return args[++i];
            }
            if (arg.size() > name.size() && arg.compare(0, name.size(), name) == 0 &&
                arg[name.size()] == '=') {
                return arg.substr(name.size() + 1);
            }
            return std::nullopt;
        };
        if (arg == "--help" || arg == "-h") {
            options.help = true;
        } else if (arg == "--version" || arg == "-V") {
            options.version = true;
        } else if (arg == "--no-camera") {
            options.noCamera = true;
        } else if (auto path = value("--screenshot")) {
            if (path->empty()) {
                throw UsageError("--screenshot needs a file name, e.g. --screenshot window.png");
            }
            options.screenshotPath = *path;
        } else if (auto ms = value("--exit-after-ms")) {
            options.exitAfterMs = parseDelayMs(*ms);
        } else {
            options.unknown.push_back(arg);
        }
    }
    return options;
}

void printHelp(std::ostream& out) {
    out << "litefer " << litefer::kVersion
        << " - real-time facial expression recognition (desktop app)\n\n"
           "Usage: litefer [options] [Qt options such as -platform NAME or -style NAME]\n\n"
           "Options:\n"
           "  --no-camera            start without opening a camera\n"
           "  --screenshot FILE      save a picture of the window (PNG, JPEG, ...) and quit,\n"
           "                         after --exit-after-ms (default "
        << kDefaultScreenshotDelayMs
        << " ms)\n"
           "  --exit-after-ms N      quit after N milliseconds\n"
           "  -h, --help             show this help and exit\n"
           "  -V, --version          show the version and exit\n\n"
           "The window needs a desktop session (DISPLAY or WAYLAND_DISPLAY set), or\n"
           "QT_QPA_PLATFORM=offscreen. For headless analysis use litefer-cli (litefer-cli "
           "--help).\n\n"
           "Exit codes: 0 success, 1 failure (message on stderr), 2 bad command line or no "
           "display.\n";
}

bool envSet(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0';
}

/// Whether Qt can show a window: a platform chosen explicitly (environment or -platform),
/// else an X11 or Wayland session. Without one, QApplication would abort with a core dump.
bool haveDisplay(const Options& options) {
    for (const std::string& arg : options.unknown) {
        if (arg == "-platform" || arg == "--platform" || arg.rfind("-platform=", 0) == 0) {
            return true;
        }
    }
    if (envSet("QT_QPA_PLATFORM")) {
        const std::string_view platform = std::getenv("QT_QPA_PLATFORM");
        // xcb cannot work without an X display however it was chosen.
        return platform.rfind("xcb", 0) != 0 || envSet("DISPLAY");
    }
    return envSet("DISPLAY") || envSet("WAYLAND_DISPLAY");
}

std::vector<std::string> toStrings(const QStringList& list) {
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(list.size()));
    for (const QString& s : list) {
        out.push_back(s.toLocal8Bit().toStdString());
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    // Before any library can start a thread pool. See RUNTIME.md "Threads": OpenCV's TBB and
    // LibTorch's OpenMP pools fight on 2 cores, and only the environment stops the extra
    // OpenMP worker; the pipeline sets its own thread counts. A value the user set wins.
    setenv("OMP_NUM_THREADS", "1", /*overwrite=*/0);

    Options options;
    try {
        options = parseOptions(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const UsageError& e) {
        std::cerr << "litefer: " << e.what() << "\n(see litefer --help)\n";
        return kExitUsage;
    }
    if (options.help) {
        printHelp(std::cout);
        return kExitOk;
    }
    if (options.version) {
        std::cout << "litefer " << litefer::kVersion << '\n';
        return kExitOk;
    }
    if (!haveDisplay(options)) {
        std::cerr << "litefer: no display found (DISPLAY/WAYLAND_DISPLAY unset). The GUI needs a "
                     "desktop session; for headless use run `litefer-cli --help`, or set "
                     "QT_QPA_PLATFORM=offscreen.\n";
        return kExitUsage;
    }

    QApplication app(argc, argv);  // takes Qt's own options out of the argument list
    QApplication::setOrganizationName(QStringLiteral("LiteFER"));
    QApplication::setApplicationName(QStringLiteral("LiteFER"));
    QApplication::setApplicationVersion(QString::fromLatin1(litefer::kVersion));

    // What Qt did not take must be ours; anything else is a mistake worth reporting.
    try {
        const Options leftover = parseOptions(toStrings(QApplication::arguments().mid(1)));
        if (!leftover.unknown.empty()) {
            throw UsageError("unknown option '" + leftover.unknown.front() + "'");
        }
    } catch (const UsageError& e) {
        std::cerr << "litefer: " << e.what() << "\n(see litefer --help)\n";
        return kExitUsage;
    }

    litefer::ui::MainWindowOptions windowOptions;
    windowOptions.startCamera = !options.noCamera;
    litefer::ui::MainWindow window(windowOptions);
    window.show();

    int exitCode = kExitOk;
    if (options.screenshotPath) {
        const int delayMs = options.exitAfterMs.value_or(kDefaultScreenshotDelayMs);
        const QString path = QString::fromLocal8Bit(options.screenshotPath->c_str());
        QTimer::singleShot(delayMs, &window, [&window, &exitCode, path] {
            QImageWriter writer(path);
            if (!writer.write(window.grab().toImage())) {
                std::cerr << "litefer: could not save the screenshot to '"
                          << path.toLocal8Bit().constData()
                          << "': " << writer.errorString().toLocal8Bit().constData() << '\n';
                exitCode = kExitFailure;
            }
            QApplication::quit();
        });
    } else if (options.exitAfterMs) {
        QTimer::singleShot(*options.exitAfterMs, &window, [] { QApplication::quit(); });
    }

    const int appCode = QApplication::exec();
    return appCode != kExitOk ? appCode : exitCode;
}
