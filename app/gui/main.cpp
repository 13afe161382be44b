// litefer: the LiteFER desktop application (live analysis of a camera, video, images or a
// stream). See `litefer --help`.
//
// Order matters here: the thread environment is set before any library starts a thread, the
// command line and the display are checked before QApplication exists (so --help, --version
// and a clear message work without a display), and only then does Qt start.
//
// OMP_NUM_THREADS (RUNTIME.md "Threads"): the executable links LibTorch and with it libgomp,
// whose constructor reads OMP_NUM_THREADS when the library is loaded, before main() runs. A
// setenv() in main() is therefore too late: measured here, a thread started after
// setenv("OMP_NUM_THREADS", "1") in main() still saw omp_get_max_threads() == 2 on this 2-core
// machine, and 1 when the variable was set before the process started. So, as litefer-cli does,
// litefer re-executes itself with the variable (and MALLOC_ARENA_MAX=1) set when it is unset
// (app/runtime_env.h); a value the user set is kept. Checked: started without the variable, the
// running litefer has OMP_NUM_THREADS=1 in /proc/PID/environ and the same thread count as when
// started with it set (one thread fewer than with OMP_NUM_THREADS=2: no extra OpenMP worker).
#include <sys/prctl.h>
#include <unistd.h>

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

#include "litefer/ui/analysis_types.h"
#include "litefer/ui/main_window.h"
#include "litefer/version.h"
#include "runtime_env.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;  // bad command line, or no display to show the window on

constexpr int kDefaultScreenshotDelayMs = 1000;
constexpr int kMaxDelayMs = 24 * 60 * 60 * 1000;  // a day; QTimer takes an int of ms
constexpr int kMaxFrames = 1000000;
// With --exit-after-frames, give up (exit 1) when the frames have not come after this long.
constexpr int kFramesTimeoutMs = 120000;

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The command line, as typed. Arguments we do not know are kept for Qt (`-platform offscreen`,
/// `-style fusion`, ...); whatever Qt does not take either is an error (see main()).
struct Options {
    bool help = false;
    bool version = false;
    bool noCamera = false;
    bool noFirstRun = false;
    bool booth = false;
    bool studio = false;
    std::optional<std::string> screenshotPath;
    std::optional<int> exitAfterMs;
    std::optional<int> exitAfterFrames;
    std::optional<std::string> source;
    std::optional<std::string> model;
    std::optional<std::string> detector;
    std::optional<std::string> detectorModel;
    std::vector<std::string> unknown;
};

int parseWhole(std::string_view text, std::string_view option, std::string_view unit, int lo,
               int hi) {
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < lo || value > hi) {
        throw UsageError(std::string(option) + " needs a whole number of " + std::string(unit) +
                         " (" + std::to_string(lo) + " to " + std::to_string(hi) + "), not '" +
                         std::string(text) + "'");
    }
    return value;
}

std::string nonEmpty(const std::string& value, std::string_view option, std::string_view example) {
    if (value.empty()) {
        throw UsageError(std::string(option) + " needs a value, e.g. " + std::string(option) + " " +
                         std::string(example));
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
        } else if (arg == "--no-first-run") {
            options.noFirstRun = true;
        } else if (arg == "--booth") {
            options.booth = true;
        } else if (arg == "--studio") {
            options.studio = true;
        } else if (auto path = value("--screenshot")) {
            options.screenshotPath = nonEmpty(*path, "--screenshot", "window.png");
        } else if (auto ms = value("--exit-after-ms")) {
            options.exitAfterMs =
                parseWhole(*ms, "--exit-after-ms", "milliseconds", 0, kMaxDelayMs);
        } else if (auto n = value("--exit-after-frames")) {
            options.exitAfterFrames =
                parseWhole(*n, "--exit-after-frames", "frames", 1, kMaxFrames);
        } else if (auto src = value("--source")) {
            options.source = nonEmpty(*src, "--source", "video.mp4");
        } else if (auto model = value("--model")) {
            options.model = nonEmpty(*model, "--model", "model.lfm");
        } else if (auto kind = value("--detector")) {
            if (*kind != "haar" && *kind != "yunet") {
                throw UsageError("--detector must be haar or yunet, not '" + *kind + "'");
            }
            options.detector = *kind;
        } else if (auto file = value("--detector-model")) {
            options.detectorModel = nonEmpty(*file, "--detector-model", "yunet.onnx");
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
           "  --source SRC           analyse SRC at start instead of the camera: a video\n"
           "                         file, an image, a folder of images or a stream URL\n"
           "  --no-camera            start without opening a camera\n"
           "  --model FILE           emotion model (.lfm) for this run (default: settings,\n"
           "                         else the shipped model)\n"
           "  --detector KIND        face detector for this run: haar or yunet\n"
           "  --detector-model FILE  the YuNet .onnx (or Haar .xml) file\n"
           "  --booth                start in booth mode (full screen, nothing stored)\n"
           "  --studio               start with the recording studio shown\n"
           "  --no-first-run         do not show the first-run notice\n"
           "  --screenshot FILE      save a picture of the window (PNG, JPEG, ...) and quit,\n"
           "                         after --exit-after-frames N analysed frames, else after\n"
           "                         --exit-after-ms (default "
        << kDefaultScreenshotDelayMs
        << " ms)\n"
           "  --exit-after-frames N  quit after N analysed frames (with --screenshot: save it\n"
           "                         then); exit 1 if the source fails or they never come\n"
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
    // Before any library can start a thread pool; see the top of this file. OpenCV's TBB and
    // LibTorch's OpenMP pools fight on 2 cores, and only the environment, read when libgomp is
    // loaded, stops the extra OpenMP worker. A value the user set wins.
    litefer::app::reexecWithRuntimeEnv(argv);  // app/runtime_env.h
    // After the re-execution the kernel names the process "exe" (from /proc/self/exe); give
    // ps/top their "litefer" back.
    prctl(PR_SET_NAME, "litefer", 0, 0, 0);

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

    auto qstr = [](const std::optional<std::string>& s) {
        return s ? QString::fromLocal8Bit(s->c_str()) : QString();
    };
    litefer::ui::MainWindowOptions windowOptions;
    windowOptions.startCamera = !options.noCamera && !options.source;
    windowOptions.source = qstr(options.source);
    windowOptions.modelPath = qstr(options.model);
    windowOptions.detector = qstr(options.detector);
    windowOptions.detectorModel = qstr(options.detectorModel);
    windowOptions.booth = options.booth;
    windowOptions.showRecordingStudio = options.studio;
    windowOptions.firstRunNotice = !options.noFirstRun && !options.screenshotPath;
    litefer::ui::MainWindow window(windowOptions);
    window.show();

    int exitCode = kExitOk;
    bool finished = false;
    // Saves the screenshot (if asked for) and quits; runs once.
    auto finish = [&window, &exitCode, &finished, &options](int code) {
        if (finished) {
            return;
        }
        finished = true;
        exitCode = code;
        if (options.screenshotPath && code == kExitOk) {
            const QString path = QString::fromLocal8Bit(options.screenshotPath->c_str());
            QImageWriter writer(path);
            if (!writer.write(window.grab().toImage())) {
                std::cerr << "litefer: could not save the screenshot to '"
                          << path.toLocal8Bit().constData()
                          << "': " << writer.errorString().toLocal8Bit().constData() << '\n';
                exitCode = kExitFailure;
            }
        }
        QApplication::quit();
    };
    auto fail = [&finish](const QString& why) {
        std::cerr << "litefer: " << why.toLocal8Bit().constData() << '\n';
        finish(kExitFailure);
    };

    if (options.exitAfterFrames) {
        const std::uint64_t wanted = static_cast<std::uint64_t>(*options.exitAfterFrames);
        // After the wanted frame is shown, let the window repaint once before grabbing it.
        QObject::connect(&window, &litefer::ui::MainWindow::frameAnalysed, &window,
                         [&window, &finish, wanted](std::uint64_t count) {
                             if (count == wanted) {
                                 QTimer::singleShot(50, &window, [&finish] { finish(kExitOk); });
                             }
                         });
        // A source with fewer frames (an image, a short video) ends before: take it then.
        QObject::connect(&window, &litefer::ui::MainWindow::sourceEnded, &window,
                         [&window, &finish, &fail](const QString& message, bool lost) {
                             if (lost) {
                                 fail(QStringLiteral("the source was lost: ") + message);
                             } else if (window.analysedFrames() > 0) {
                                 QTimer::singleShot(50, &window, [&finish] { finish(kExitOk); });
                             } else {
                                 fail(QStringLiteral("the source ended before any frame was "
                                                     "analysed: ") +
                                      message);
                             }
                         });
        QObject::connect(&window, &litefer::ui::MainWindow::sourceFailed, &window,
                         [&fail](const QString& message) { fail(message); });
        QObject::connect(&window, &litefer::ui::MainWindow::configFailed, &window,
                         [&fail](const QString& message) { fail(message); });
        QTimer::singleShot(options.exitAfterMs.value_or(kFramesTimeoutMs), &window,
                           [&fail, &options] {
                               fail(QStringLiteral("%1 frames were not analysed in time")
                                        .arg(*options.exitAfterFrames));
                           });
    } else if (options.screenshotPath) {
        const int delayMs = options.exitAfterMs.value_or(kDefaultScreenshotDelayMs);
        QTimer::singleShot(delayMs, &window, [&finish] { finish(kExitOk); });
    } else if (options.exitAfterMs) {
        QTimer::singleShot(*options.exitAfterMs, &window, [] { QApplication::quit(); });
    }

    const int appCode = QApplication::exec();
    return appCode != kExitOk ? appCode : exitCode;
}
