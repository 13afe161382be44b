// litefer-cli soak: a long-running reliability check. Loops a video (or image) file through the
// whole pipeline of `analyze` (source -> detector -> classifier -> tracker -> SessionRecorder with
// the annotated video) for a given time, samples the process's resident memory, open file
// descriptors and threads every few seconds, and checks that every processed face reached
// frames.csv (rows written == rows expected). See docs/reliability.md.
//
// Sessions: a new session folder every --session-minutes (default 5) so that opening and
// closing recordings is soaked too; each finished session is checked (its frames.csv rows
// counted) and then deleted unless --keep-sessions (30 minutes of annotated video would be
// gigabytes). The video is re-opened at each loop; timestamps and frame ids are shifted so
// that they keep increasing within a session, as a long recording's would.
//
// Threads: as analyze, OMP_NUM_THREADS=1 before LibTorch starts (re-executes itself when
// unset), 1 OpenCV + 1 LibTorch thread, every frame processed (runEveryFrame, nothing dropped).
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "args.h"
#include "commands.h"
#include "litefer/core/analysis_setup.h"
#include "litefer/core/frame_source.h"
#include "litefer/core/pipeline.h"
#include "litefer/core/session_recorder.h"
#include "litefer/files.h"
#include "litefer/json.h"
#include "runtime_env.h"

namespace litefer::cli {

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

/// Set by SIGINT/SIGTERM; the running pipeline is stopped too.
std::atomic<bool> gSoakInterrupted{false};
std::atomic<core::Pipeline*> gSoakPipeline{nullptr};

extern "C" void onSoakInterrupt(int /*signal*/) {
    gSoakInterrupted.store(true);
    if (core::Pipeline* p = gSoakPipeline.load()) {
        p->stop();
    }
}

/// Installs onSoakInterrupt for SIGINT/SIGTERM while alive.
class SoakInterruptGuard {
  public:
    explicit SoakInterruptGuard(core::Pipeline& pipeline) {
        gSoakPipeline.store(&pipeline);
        struct sigaction sa {};
        sa.sa_handler = onSoakInterrupt;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &oldInt_);
        sigaction(SIGTERM, &sa, &oldTerm_);
    }
    ~SoakInterruptGuard() {
        sigaction(SIGINT, &oldInt_, nullptr);
        sigaction(SIGTERM, &oldTerm_, nullptr);
        gSoakPipeline.store(nullptr);
    }
    SoakInterruptGuard(const SoakInterruptGuard&) = delete;
    SoakInterruptGuard& operator=(const SoakInterruptGuard&) = delete;

  private:
    struct sigaction oldInt_ {};
    struct sigaction oldTerm_ {};
};

/// Entries of a /proc directory, "." and ".." excluded (and the listing's own descriptor when
/// `selfFd` is true). -1 when it cannot be read.
std::int64_t countEntries(const char* dir, bool selfFd) {
    DIR* d = opendir(dir);
    if (d == nullptr) {
        return -1;
    }
    std::int64_t n = 0;
    const int own = dirfd(d);
    while (const dirent* e = readdir(d)) {
        if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) {
            continue;
        }
        if (selfFd && std::atoi(e->d_name) == own) {
            continue;
        }
        ++n;
    }
    closedir(d);
    return n;
}

/// VmRSS from /proc/self/status, kB; -1 when unavailable.
std::int64_t residentKb() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::strtoll(line.c_str() + 6, nullptr, 10);
        }
    }
    return -1;
}

struct Sample {
    double seconds = 0.0;  ///< since the soak started
    std::int64_t rssKb = 0;
    std::int64_t fds = 0;
    std::int64_t threads = 0;
    std::uint64_t frames = 0;
    int session = 0;
};

Sample takeSample(Clock::time_point start, std::uint64_t frames, int session) {
    Sample s;
    s.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    s.rssKb = residentKb();
    s.fds = countEntries("/proc/self/fd", true);
    s.threads = countEntries("/proc/self/task", false);
    s.frames = frames;
    s.session = session;
    return s;
}

/// Data rows of a CSV written by SessionRecorder: lines after the header. Its fields are never
/// multi-line for video sources (source_file is empty), so counting newlines is exact.
std::uint64_t countCsvRows(const std::string& path) {
    const std::string bytes = readFileBytes(path);
    const auto lines = static_cast<std::uint64_t>(std::count(bytes.begin(), bytes.end(), '\n'));
    return lines > 0 ? lines - 1 : 0;
}

json::Value statsJson(const std::vector<Sample>& samples, std::int64_t Sample::*field) {
    json::Value v = json::Value::object();
    if (samples.empty()) {
        return v;
    }
    std::int64_t maxV = samples.front().*field;
    for (const auto& s : samples) {
        maxV = std::max(maxV, s.*field);
    }
    v["start"] = samples.front().*field;
    v["end"] = samples.back().*field;
    v["max"] = maxV;
    v["growth"] = samples.back().*field - samples.front().*field;
    return v;
}

std::string fixed1(double v) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(1) << v;
    return s.str();
}

}  // namespace

int runSoak(int argc, const char* const* argv) {
    Args args(
        "soak",
        {
            {"source", "FILE", "video file (or image) to loop", "", false},
            {"minutes", "M", "how long to run (fractions allowed)", "30", false},
            {"session-minutes", "M", "start a new session folder this often", "5", false},
            {"sample-seconds", "S", "sample memory, descriptors and threads this often", "5",
             false},
            {"warmup-seconds", "S",
             "ignore samples before this (default: 60 s, or a tenth of a shorter run)", "", false},
            {"max-rss-growth-mb", "MB", "fail when RSS grows more after warm-up", "64", false},
            {"out", "DIR",
             "folder for soak.json, samples.csv and the sessions (default: a temporary "
             "folder, removed)",
             "", false},
            {"keep-sessions", "", "keep the session folders (they are large)", "", false},
            {"no-video", "", "record scores only, no annotated video", "", false},
            {"model", "FILE", "emotion model (.lfm); default: the shipped one", "", false},
            {"detector", "KIND", "face detector: auto, haar or yunet", "auto", false},
            {"detector-model", "FILE", "YuNet .onnx or Haar cascade .xml (default: searched)", "",
             false},
            {"json", "", "print the result as JSON", "", false},
        });
    args.parse(argc, argv, 2);
    if (args.flag("help")) {
        std::cout << args.help(
            "Soak test: loop a video file through the whole pipeline with recording on for\n"
            "--minutes, sampling resident memory (VmRSS), open file descriptors and threads\n"
            "every few seconds, and check that frames.csv holds one row per processed face (no\n"
            "dropped rows). A new session starts every --session-minutes; finished sessions are\n"
            "checked and deleted unless --keep-sessions. Verdict pass: every row written, RSS\n"
            "growth after warm-up within --max-rss-growth-mb, descriptors and threads not\n"
            "growing. Exit code 1 when the verdict is fail. See docs/reliability.md.",
            "--source FILE [--minutes M] [--session-minutes M] [--sample-seconds S] "
            "[--warmup-seconds S] [--max-rss-growth-mb MB] [--out DIR] [--keep-sessions] "
            "[--no-video] [--model FILE] [--detector auto|haar|yunet] [--detector-model FILE] "
            "[--json]");
        return kExitOk;
    }
    const auto sourceSpec = args.value("source");
    if (!sourceSpec) {
        throw UsageError("missing --source");
    }
    const double minutes = args.doubleValue("minutes", 30.0);
    const double sessionMinutes = args.doubleValue("session-minutes", 5.0);
    if (!(minutes > 0.0) || !(sessionMinutes > 0.0)) {
        throw UsageError("--minutes and --session-minutes must be positive");
    }
    const double totalSeconds = minutes * 60.0;
    const double sampleSeconds =
        std::min(args.doubleValue("sample-seconds", 5.0), std::max(0.5, totalSeconds / 10.0));
    const double warmupSeconds =
        args.doubleValue("warmup-seconds", std::min(60.0, totalSeconds / 10.0));
    const double maxGrowthMb = args.doubleValue("max-rss-growth-mb", 64.0);
    if (!(sampleSeconds > 0.0) || warmupSeconds < 0.0 || warmupSeconds >= totalSeconds) {
        throw UsageError("--sample-seconds must be positive, --warmup-seconds within --minutes");
    }
    const bool json = args.flag("json");
    const bool keepSessions = args.flag("keep-sessions");
    app::reexecWithRuntimeEnv(argv);

    // The stages as analyze builds them (core/analysis_setup.h), on the CPU.
    core::AnalysisSetup setup;
    setup.modelPath = args.value("model", "");
    setup.detector = args.value("detector", "auto");
    setup.detectorModel = args.value("detector-model", "");
    setup.classifierOptions.device = core::Device::Cpu;
    try {
        core::chooseDetector(setup.detector, setup.detectorModel);  // checks the kind only
    } catch (const std::invalid_argument&) {
        throw UsageError("--detector must be auto, haar or yunet, not '" + setup.detector + "'");
    }

    std::string outDir = args.value("out", "");
    const bool tempOut = outDir.empty();
    if (tempOut) {
        std::string tmpl = (fs::temp_directory_path() / "litefer-soak-XXXXXX").string();
        if (mkdtemp(tmpl.data()) == nullptr) {
            throw std::runtime_error("cannot create a temporary folder in " +
                                     fs::temp_directory_path().string() +
                                     ": give one with --out DIR");
        }
        outDir = tmpl;
    } else {
        fs::create_directories(outDir);
    }

    // The same assembly as analyze (cmd_analyze.cpp), files processed frame by frame.
    core::SourceInfo sourceInfo;
    {
        auto probe = core::openSource(*sourceSpec);
        sourceInfo = probe->info();
    }
    if (sourceInfo.live) {
        throw UsageError("soak loops a file; '" + *sourceSpec +
                         "' is a camera or stream (use analyze for those)");
    }
    core::AnalysisStages stages = core::makeAnalysisStages(setup);
    if (!stages.note.empty()) {
        std::cerr << "note: " << stages.note << '\n';  // "auto" chose Haar
    }
    core::SessionInfo info = stages.info;
    core::describeSource(info, sourceInfo, *sourceSpec);
    info.session = "soak";
    const std::string detectorKind = info.detector;
    core::RecorderOptions recorderOptions;
    recorderOptions.writeVideo = !args.flag("no-video");
    core::Pipeline pipeline(std::move(stages.detector), std::move(stages.classifier),
                            stages.pipelineOptions);
    const double framePeriodMs = sourceInfo.fps > 0.0 ? 1000.0 / sourceInfo.fps : 40.0;

    if (!json) {
        std::cerr << "soak: " << *sourceSpec << " for " << minutes << " min with " << detectorKind
                  << " + " << info.modelName << ", a session every " << sessionMinutes
                  << " min, into " << outDir << '\n';
    }

    const Clock::time_point start = Clock::now();
    const auto secondsSince = [&start] {
        return std::chrono::duration<double>(Clock::now() - start).count();
    };
    std::vector<Sample> samples;   // every sample
    std::vector<Sample> boundary;  // between sessions (no recorder, no source open)
    samples.push_back(takeSample(start, 0, 0));
    double nextSample = sampleSeconds;

    std::uint64_t frames = 0;
    std::uint64_t faces = 0;
    std::uint64_t rowsExpected = 0;
    std::uint64_t rowsWritten = 0;
    std::uint64_t loops = 0;
    int sessions = 0;
    json::Value sessionReports = json::Value::array();
    std::vector<std::string> failures;

    {
        SoakInterruptGuard guard(pipeline);
        while (secondsSince() < totalSeconds && !gSoakInterrupted.load() && failures.empty()) {
            ++sessions;
            char name[32];
            std::snprintf(name, sizeof name, "session-%03d", sessions);
            const std::string folder = (fs::path(outDir) / name).string();
            const double sessionEnd =
                std::min(totalSeconds, secondsSince() + sessionMinutes * 60.0);
            std::uint64_t sessionExpected = 0;
            std::uint64_t sessionFrames = 0;
            std::string recordingError;
            {
                core::SessionRecorder recorder(folder, info, recorderOptions);
                double timeOffsetMs = 0.0;
                std::uint64_t idOffset = 0;
                while (secondsSince() < sessionEnd && !gSoakInterrupted.load() &&
                       recordingError.empty()) {
                    auto source = core::openSource(*sourceSpec);
                    double lastMs = -framePeriodMs;
                    std::uint64_t lastId = 0;
                    bool any = false;
                    auto onResult = [&](const core::FrameResult& r) {
                        core::FrameResult shifted = r;  // cv::Mat shared, not copied
                        shifted.timestampMs += timeOffsetMs;
                        shifted.frameId += idOffset;
                        try {
                            recorder.record(shifted);
                        } catch (const core::RecordingError& e) {
                            recordingError = e.what();
                            pipeline.stop();
                            return;
                        }
                        lastMs = r.timestampMs;
                        lastId = r.frameId;
                        any = true;
                        ++frames;
                        ++sessionFrames;
                        faces += r.faces.size();
                        sessionExpected += std::max<std::uint64_t>(1, r.faces.size());
                        const double now = secondsSince();
                        if (now >= nextSample) {
                            samples.push_back(takeSample(start, frames, sessions));
                            nextSample = now + sampleSeconds;
                        }
                        if (now >= sessionEnd) {
                            pipeline.stop();
                        }
                    };
                    pipeline.runEveryFrame(*source, onResult);
                    source->close();
                    ++loops;
                    if (!any) {
                        if (recordingError.empty()) {
                            failures.push_back("no frame was read from " + *sourceSpec);
                        }
                        break;
                    }
                    timeOffsetMs += lastMs + framePeriodMs;
                    idOffset += lastId + 1;
                }
                try {
                    recorder.finish(gSoakInterrupted.load() ? "stopped" : "soak session end");
                } catch (const core::RecordingError& e) {
                    if (recordingError.empty()) {
                        recordingError = e.what();
                    }
                }
            }
            const std::uint64_t sessionRows =
                countCsvRows((fs::path(folder) / core::kFramesCsv).string());
            rowsExpected += sessionExpected;
            rowsWritten += sessionRows;
            json::Value s = json::Value::object();
            s["folder"] = folder;
            s["frames"] = sessionFrames;
            s["rows_expected"] = sessionExpected;
            s["rows_written"] = sessionRows;
            if (!recordingError.empty()) {
                s["error"] = recordingError;
                failures.push_back(folder + ": recording failed: " + recordingError);
            }
            if (sessionRows != sessionExpected) {
                failures.push_back(folder + ": frames.csv has " + std::to_string(sessionRows) +
                                   " rows, expected " + std::to_string(sessionExpected));
            }
            sessionReports.push(std::move(s));
            if (!keepSessions) {
                std::error_code ec;
                fs::remove_all(folder, ec);
            }
            boundary.push_back(takeSample(start, frames, sessions));
        }
    }
    const double wallSeconds = secondsSince();
    const Sample afterAll = takeSample(start, frames, sessions);

    // Statistics over the samples taken while running, after warm-up.
    std::vector<Sample> steady;
    for (const auto& s : samples) {
        if (s.seconds >= warmupSeconds && s.frames > 0) {
            steady.push_back(s);
        }
    }
    if (steady.empty() && samples.size() > 1) {
        steady.push_back(samples.back());
    }
    json::Value rss = statsJson(steady, &Sample::rssKb);
    json::Value fds = statsJson(steady, &Sample::fds);
    json::Value threads = statsJson(steady, &Sample::threads);
    if (!steady.empty()) {
        const double growthMb =
            static_cast<double>(steady.back().rssKb - steady.front().rssKb) / 1024.0;
        if (growthMb > maxGrowthMb) {
            failures.push_back("resident memory grew " + fixed1(growthMb) +
                               " MB after warm-up (limit " + fixed1(maxGrowthMb) + " MB)");
        }
        if (steady.back().fds > steady.front().fds) {
            failures.push_back("open file descriptors grew from " +
                               std::to_string(steady.front().fds) + " to " +
                               std::to_string(steady.back().fds));
        }
        if (steady.back().threads > steady.front().threads) {
            failures.push_back("threads grew from " + std::to_string(steady.front().threads) +
                               " to " + std::to_string(steady.back().threads));
        }
    }
    if (boundary.size() >= 2 && boundary.back().fds > boundary.front().fds) {
        failures.push_back("open file descriptors between sessions grew from " +
                           std::to_string(boundary.front().fds) + " to " +
                           std::to_string(boundary.back().fds));
    }
    if (frames == 0 && failures.empty()) {
        failures.push_back("no frame was processed");
    }
    const bool interrupted = gSoakInterrupted.load();
    const bool pass = failures.empty() && !interrupted;

    json::Value report = json::Value::object();
    report["source"] = *sourceSpec;
    report["detector"] = detectorKind;
    report["model"] = info.modelName;
    report["video"] = recorderOptions.writeVideo;
    report["minutes_requested"] = minutes;
    report["wall_seconds"] = wallSeconds;
    report["interrupted"] = interrupted;
    report["warmup_seconds"] = warmupSeconds;
    report["session_minutes"] = sessionMinutes;
    report["sessions"] = sessions;
    report["loops"] = loops;
    report["frames"] = frames;
    report["fps"] = wallSeconds > 0.0 ? static_cast<double>(frames) / wallSeconds : 0.0;
    report["faces"] = faces;
    report["rows_expected"] = rowsExpected;
    report["rows_written"] = rowsWritten;
    report["samples"] = samples.size();
    report["rss_kb"] = std::move(rss);
    report["fds"] = std::move(fds);
    report["threads"] = std::move(threads);
    json::Value between = json::Value::object();
    if (!boundary.empty()) {
        between["fds_first"] = boundary.front().fds;
        between["fds_last"] = boundary.back().fds;
        between["threads_first"] = boundary.front().threads;
        between["threads_last"] = boundary.back().threads;
    }
    report["between_sessions"] = std::move(between);
    json::Value after = json::Value::object();
    after["rss_kb"] = afterAll.rssKb;
    after["fds"] = afterAll.fds;
    after["threads"] = afterAll.threads;
    report["after"] = std::move(after);
    report["session_reports"] = std::move(sessionReports);
    json::Value failureList = json::Value::array();
    for (const auto& f : failures) {
        failureList.push(f);
    }
    report["failures"] = std::move(failureList);
    report["verdict"] = pass ? "pass" : (interrupted && failures.empty() ? "interrupted" : "fail");

    // samples.csv and soak.json beside the sessions (kept with --out).
    std::ostringstream csv;
    csv << "seconds,rss_kb,fds,threads,frames,session\n";
    for (const auto& s : samples) {
        csv << fixed1(s.seconds) << ',' << s.rssKb << ',' << s.fds << ',' << s.threads << ','
            << s.frames << ',' << s.session << '\n';
    }
    if (tempOut) {
        std::error_code ec;
        fs::remove_all(outDir, ec);
    } else {
        writeFileAtomic((fs::path(outDir) / "samples.csv").string(), csv.str());
        writeFileAtomic((fs::path(outDir) / "soak.json").string(), report.dump(2) + "\n");
    }

    if (json) {
        std::cout << report.dump(2) << '\n';
    } else {
        std::cout << "soak " << report.at("verdict").asString() << ": " << frames << " frames in "
                  << fixed1(wallSeconds) << " s (" << loops << " loops, " << sessions
                  << " sessions), rows " << rowsWritten << '/' << rowsExpected << '\n';
        if (!steady.empty()) {
            std::cout << "  after warm-up: RSS " << steady.front().rssKb / 1024 << " -> "
                      << steady.back().rssKb / 1024 << " MB (max "
                      << report.at("rss_kb").at("max").asInt64() / 1024 << "), fds "
                      << steady.front().fds << " -> " << steady.back().fds << ", threads "
                      << steady.front().threads << " -> " << steady.back().threads << '\n';
        }
        for (const auto& f : failures) {
            std::cout << "  " << f << '\n';
        }
    }
    return pass ? kExitOk : kExitFailure;
}

}  // namespace litefer::cli
