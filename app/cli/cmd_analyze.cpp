// litefer-cli analyze: camera, video, image(s) or stream -> session folder (frames.csv,
// markers.csv, session.json, summary.json, annotated video).
// litefer-cli bench-pipeline: per-stage latency and end-to-end throughput on video files.
// docs/cli.md describes both for users (options, reconnect, stdin markers, exit codes, files).
//
// Threads (RUNTIME.md "Threads"): both commands need OMP_NUM_THREADS=1 before LibTorch's OpenMP
// runtime initialises, which happens when the library is loaded, before main(). So when it is
// unset they re-execute the program with it (and MALLOC_ARENA_MAX=1) added to the environment
// (app/runtime_env.h); a value the user set is kept. The classifier then runs on 1 LibTorch thread,
// detection on 1 OpenCV thread, capture on its own thread (see core/pipeline.h).
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "args.h"
#include "commands.h"
#include "litefer/core/analysis_setup.h"
#include "litefer/core/frame_source.h"
#include "litefer/core/model_locator.h"
#include "litefer/core/pipeline.h"
#include "litefer/core/session_recorder.h"
#include "litefer/files.h"
#include "litefer/json.h"
#include "litefer/metrics.h"
#include "runtime_env.h"

namespace litefer::cli {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kProgressBarWidth = 30;
constexpr double kProgressEveryMs = 250.0;

/// How often a lost live source is reopened with --reconnect.
constexpr std::chrono::milliseconds kReconnectInterval{2000};
/// How long one reopening attempt of a stream may take (a dead host must not hold Ctrl+C).
constexpr int kReconnectOpenTimeoutMs = 5000;

/// The pipeline that Ctrl+C stops (stop() is async-signal-safe: an atomic store).
std::atomic<core::Pipeline*> gPipeline{nullptr};
/// Set by Ctrl+C/SIGTERM, for the loops around the pipeline (reconnecting, stdin markers).
std::atomic<bool> gInterrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "needed in a signal handler");

extern "C" void onInterrupt(int /*signal*/) {
    gInterrupted.store(true);
    if (core::Pipeline* p = gPipeline.load()) {
        p->stop();
    }
}

/// Installs onInterrupt for SIGINT/SIGTERM for the lifetime of a run. The first signal asks
/// for a clean end; the handler then resets itself (SA_RESETHAND), so a second Ctrl+C ends the
/// process at once (the session files keep whole rows, see session_recorder.h).
class InterruptGuard {
  public:
    explicit InterruptGuard(core::Pipeline& pipeline) {
        gInterrupted.store(false);
        gPipeline.store(&pipeline);
        struct sigaction sa {};
        sa.sa_handler = onInterrupt;
        sa.sa_flags = SA_RESETHAND;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &oldInt_);
        sigaction(SIGTERM, &sa, &oldTerm_);
    }
    ~InterruptGuard() {
        sigaction(SIGINT, &oldInt_, nullptr);
        sigaction(SIGTERM, &oldTerm_, nullptr);
        gPipeline.store(nullptr);
    }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

  private:
    struct sigaction oldInt_ {};
    struct sigaction oldTerm_ {};
};

std::string defaultSessionFolder() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "litefer-session-%Y%m%d-%H%M%S", &tm);
    return buf;
}

core::Device deviceOption(const std::string& name) {
    try {
        return core::parseDevice(name);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
}

/// --model, --detector, --detector-model and --device as a core::AnalysisSetup (1 OpenCV + 1
/// LibTorch thread; core/analysis_setup.h). A bad --detector or --device is a usage error
/// (exit 2), found before anything is opened or loaded.
core::AnalysisSetup setupFromArgs(const Args& args, const std::string& defaultDevice) {
    core::AnalysisSetup setup;
    setup.modelPath = args.value("model", "");
    setup.detector = args.value("detector", "auto");
    setup.detectorModel = args.value("detector-model", "");
    setup.classifierOptions.device = deviceOption(args.value("device", defaultDevice));
    try {
        core::chooseDetector(setup.detector, setup.detectorModel);  // only checks the kind here
    } catch (const std::invalid_argument&) {
        throw UsageError("--detector must be auto, haar or yunet, not '" + setup.detector + "'");
    }
    return setup;
}

/// Per-stage timing samples of a run.
struct StageSamples {
    std::vector<double> capture, wait, detect, align, classify, track, total, latency;

    void add(const core::StageTimings& t) {
        capture.push_back(t.captureMs);
        wait.push_back(t.waitMs);
        detect.push_back(t.detectMs);
        align.push_back(t.alignMs);
        classify.push_back(t.classifyMs);
        track.push_back(t.trackMs);
        total.push_back(t.totalMs);
        latency.push_back(t.latencyMs);
    }
    std::vector<std::pair<const char*, const std::vector<double>*>> named() const {
        return {{"capture", &capture}, {"wait", &wait},         {"detect", &detect},
                {"align", &align},     {"classify", &classify}, {"track", &track},
                {"total", &total},     {"latency", &latency}};
    }
};

/// What a run saw, for the summaries.
struct RunStats {
    StageSamples stages;
    std::uint64_t framesWithFaces = 0;
    std::uint64_t faces = 0;
    std::set<int> trackIds;

    void add(const core::FrameResult& r) {
        stages.add(r.timings);
        framesWithFaces += r.faces.empty() ? 0 : 1;
        faces += r.faces.size();
        for (const auto& f : r.faces) {
            trackIds.insert(f.id);
        }
    }
};

std::string fixed(double v, int decimals) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(decimals) << v;
    return s.str();
}

/// A one-line progress bar on a terminal (stderr), redrawn at most every kProgressEveryMs.
class Progress {
  public:
    Progress(std::int64_t total, bool live) : total_(total), live_(live), tty_(isatty(2) != 0) {}

    void update(const core::FrameResult& r) {
        if (!tty_) {
            return;
        }
        const auto now = Clock::now();
        if (std::chrono::duration<double, std::milli>(now - last_).count() < kProgressEveryMs) {
            return;
        }
        last_ = now;
        const double elapsed = std::chrono::duration<double>(now - start_).count();
        const double fps =
            elapsed > 0.0 ? static_cast<double>(r.counters.processed) / elapsed : 0.0;
        std::ostringstream line;
        if (!live_ && total_ > 0) {
            const double frac = std::min(
                1.0, static_cast<double>(r.counters.captured) / static_cast<double>(total_));
            const int filled = static_cast<int>(frac * kProgressBarWidth);
            line << '[' << std::string(static_cast<std::size_t>(filled), '#')
                 << std::string(static_cast<std::size_t>(kProgressBarWidth - filled), '.') << "] "
                 << std::setw(3) << static_cast<int>(frac * 100.0) << "% " << r.counters.captured
                 << '/' << total_;
        } else {
            line << "frames " << r.counters.processed << " (dropped " << r.counters.dropped << ")";
        }
        line << "  " << fixed(fps, 1) << " fps  faces " << r.faces.size() << "   ";
        std::cerr << '\r' << line.str() << std::flush;
        drawn_ = true;
    }
    void done() {
        if (drawn_) {
            std::cerr << '\n';
            drawn_ = false;
        }
    }

  private:
    std::int64_t total_;
    bool live_;
    bool tty_;
    bool drawn_ = false;
    Clock::time_point start_ = Clock::now();
    Clock::time_point last_{};
};

/// The source of a session that may outlive its sources (--reconnect): frame ids and
/// timestamps continue across reopened sources, so the tracker and the recorder see one
/// monotonic session clock. read() runs on the pipeline's capture thread; replace() and the
/// accessors only between runs (the capture thread is joined then).
class SessionClockSource : public core::FrameSource {
  public:
    explicit SessionClockSource(std::unique_ptr<core::FrameSource> source)
        : source_(std::move(source)) {}

    /// Continues with `source`; its frames start at `timeOffsetMs` on the session clock (moved
    /// past the last delivered frame if needed) and after the last delivered id.
    void replace(std::unique_ptr<core::FrameSource> source, double timeOffsetMs) {
        source_ = std::move(source);
        idOffset_ = delivered_ ? lastId_ + 1 : 0;
        timeOffsetMs_ = delivered_ ? std::max(timeOffsetMs, lastMs_ + 1.0) : timeOffsetMs;
    }
    bool read(core::Frame& out) override {
        if (!source_->read(out)) {
            return false;
        }
        out.id += idOffset_;
        out.timestampMs += timeOffsetMs_;
        lastId_ = out.id;
        lastMs_ = out.timestampMs;
        delivered_ = true;
        return true;
    }
    void close() override { source_->close(); }
    const core::SourceInfo& info() const override { return source_->info(); }
    std::vector<std::string> problems() const override { return source_->problems(); }
    /// Session time of the last delivered frame (0 before the first).
    double lastTimestampMs() const { return lastMs_; }
    /// Session time at which the current source's clock starts (0 for the first source).
    double currentStartMs() const { return timeOffsetMs_; }

  private:
    std::unique_ptr<core::FrameSource> source_;
    std::uint64_t idOffset_ = 0;
    double timeOffsetMs_ = 0.0;
    std::uint64_t lastId_ = 0;
    double lastMs_ = 0.0;
    bool delivered_ = false;
};

/// A line typed for --markers-stdin as a marker: "LABEL<TAB>NOTE"; else "N NOTE" when the
/// first word is a whole number (a numbered marker with a note: "3 looked away"); else the
/// whole line is the label ("stimulus A"). Surrounding blanks are dropped; an empty line is no
/// marker (false).
bool parseMarkerLine(std::string line, std::string& label, std::string& note) {
    auto trim = [](std::string v) {
        const auto b = v.find_first_not_of(" \t\r\n");
        const auto e = v.find_last_not_of(" \t\r\n");
        return b == std::string::npos ? std::string() : v.substr(b, e - b + 1);
    };
    line = trim(line);
    if (line.empty()) {
        return false;
    }
    note.clear();
    if (const auto tab = line.find('\t'); tab != std::string::npos) {
        label = trim(line.substr(0, tab));
        note = trim(line.substr(tab + 1));
    } else if (const auto space = line.find(' ');
               space != std::string::npos &&
               std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(space),
                           [](char c) { return c >= '0' && c <= '9'; })) {
        label = line.substr(0, space);
        note = trim(line.substr(space + 1));
    } else {
        label = line;
    }
    return !label.empty();
}

/// --markers-stdin: a thread that turns every line on stdin into a marker at the time of the
/// newest processed frame. It polls stdin (so it can be stopped without a line arriving) and
/// ends at end of input or at stop(). A recording error while adding a marker stops the
/// pipeline (the error is the recorder's, reported with the others).
class StdinMarkers {
  public:
    StdinMarkers(core::SessionRecorder& recorder, core::Pipeline& pipeline,
                 const std::atomic<double>& nowMs)
        : thread_([this, &recorder, &pipeline, &nowMs] { loop(recorder, pipeline, nowMs); }) {}
    ~StdinMarkers() { stop(); }
    StdinMarkers(const StdinMarkers&) = delete;
    StdinMarkers& operator=(const StdinMarkers&) = delete;

    void stop() {
        done_.store(true);
        if (thread_.joinable()) {
            thread_.join();
        }
    }
    int added() const { return added_.load(); }

  private:
    void loop(core::SessionRecorder& recorder, core::Pipeline& pipeline,
              const std::atomic<double>& nowMs) {
        std::string pending;
        char buf[4096];
        while (!done_.load()) {
            pollfd pfd{STDIN_FILENO, POLLIN, 0};
            const int ready = ::poll(&pfd, 1, /*timeout_ms=*/100);
            if (ready <= 0) {
                continue;  // timeout or EINTR: check done_
            }
            const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
            if (n <= 0 && !(n < 0 && errno == EINTR)) {
                break;  // end of input: no more markers
            }
            pending.append(buf, static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
            for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
                add(pending.substr(0, nl), recorder, pipeline, nowMs.load());
                pending.erase(0, nl + 1);
            }
        }
        if (!done_.load()) {
            add(pending, recorder, pipeline, nowMs.load());  // a last line without '\n'
        }
    }
    void add(const std::string& line, core::SessionRecorder& recorder, core::Pipeline& pipeline,
             double atMs) {
        std::string label;
        std::string note;
        if (!parseMarkerLine(line, label, note)) {
            return;
        }
        try {
            recorder.addMarker(atMs, label, note);
            ++added_;
            std::cerr << "\nmarker at " << fixed(atMs / 1000.0, 2) << " s: " << label
                      << (note.empty() ? "" : " (" + note + ")") << '\n';
        } catch (const core::RecordingError&) {
            pipeline.stop();
        }
    }

    std::atomic<bool> done_{false};
    std::atomic<int> added_{0};
    std::thread thread_;  // last: starts after the members it uses exist
};

void printSessionSummary(const std::string& folder, std::ostream& out) {
    json::Value summary;
    try {
        summary = json::parse(readFileBytes(folder + "/" + core::kSummaryJson));
    } catch (const std::exception& e) {
        out << "  (no summary: " << e.what() << ")\n";
        return;
    }
    const auto& faces = summary.at("faces").asArray();
    if (faces.empty()) {
        out << "  no face was classified\n";
    }
    for (const auto& f : faces) {
        out << "  face #" << f.at("id").asInt() << ": " << fixed(f.at("seconds").asDouble(), 1)
            << " s,";
        std::vector<std::pair<double, std::string>> shares;
        for (const auto& [name, value] : f.at("share").items()) {
            shares.emplace_back(value.asDouble(), name);
        }
        std::sort(shares.rbegin(), shares.rend());
        for (std::size_t i = 0; i < shares.size() && i < 3 && shares[i].first > 0.0; ++i) {
            out << ' ' << shares[i].second << ' ' << fixed(100.0 * shares[i].first, 0) << '%';
        }
        out << " (uncertain " << fixed(100.0 * f.at("uncertain_share").asDouble(), 0) << "%)\n";
    }
}

}  // namespace

int runAnalyze(int argc, const char* const* argv) {
    Args args("analyze",
              {
                  {"source", "SRC",
                   "camera index or /dev/videoN, video file, image, folder of images, or "
                   "rtsp/http URL",
                   "", false},
                  {"out", "DIR", "session folder to create; default: litefer-session-<UTC time>",
                   "", false},
                  {"model", "FILE", "emotion model (.lfm); default: the shipped one", "", false},
                  {"detector", "KIND", "face detector: auto, haar or yunet", "auto", false},
                  {"detector-model", "FILE", "YuNet .onnx or Haar cascade .xml (default: searched)",
                   "", false},
                  {"device", "DEV", "auto, cpu or cuda", "auto", false},
                  {"no-video", "", "record scores only, no annotated video", "", false},
                  {"blur", "", "blur faces in the annotated video", "", false},
                  {"participant", "ID", "pseudonymous participant id for session.json", "", false},
                  {"session", "NAME", "session name for session.json", "", false},
                  {"realtime", "", "play video files at their own pace (frames may be dropped)", "",
                   false},
                  {"reconnect", "",
                   "cameras and streams: when the source is lost, keep the session and reopen it "
                   "every 2 s until it is back or Ctrl+C",
                   "", false},
                  {"markers-stdin", "",
                   "every line typed on stdin adds a marker at the current frame time "
                   "(\"stimulus A\", \"3 note text\", \"LABEL<TAB>NOTE\")",
                   "", false},
              });
    args.parse(argc, argv, 2);
    if (args.flag("help")) {
        std::cout << args.help(
            "Analyse faces in a camera, video, image(s) or stream and record a session folder:\n"
            "frames.csv (per face per frame), markers.csv, session.json, summary.json and an\n"
            "annotated video.mkv (MJPG; --no-video for scores only). Files are analysed frame\n"
            "by frame as fast as possible unless --realtime; cameras and streams in real time,\n"
            "keeping the newest frame. Ctrl+C ends the session cleanly (a second Ctrl+C at once).\n"
            "--reconnect keeps a live session through source loss (marker rows 'source lost' /\n"
            "'source back'); --markers-stdin turns typed lines into markers. Exit codes: 0 the\n"
            "session was recorded (see its end reason), 1 failure, 2 bad command line.\n"
            "Record people only with their consent; see docs/cli.md and the intended uses.",
            "--source SRC [--out DIR] [--model FILE] [--detector auto|haar|yunet] "
            "[--detector-model FILE] [--device auto|cpu|cuda] [--no-video] [--blur] "
            "[--participant ID] [--session NAME] [--realtime] [--reconnect] [--markers-stdin]");
        return kExitOk;
    }
    const auto sourceSpec = args.value("source");
    if (!sourceSpec) {
        throw UsageError("missing --source");
    }
    app::reexecWithRuntimeEnv(argv);
    const core::AnalysisSetup setup = setupFromArgs(args, "auto");

    core::SourceOptions sourceOptions;
    sourceOptions.realtime = args.flag("realtime");
    const auto sessionStart = Clock::now();  // the session clock's zero (see SessionClockSource)
    SessionClockSource source(core::openSource(*sourceSpec, sourceOptions));
    const core::SourceInfo sourceInfo = source.info();
    const bool reconnect = args.flag("reconnect") && sourceInfo.live;
    if (args.flag("reconnect") && !sourceInfo.live) {
        std::cerr << "note: --reconnect applies to cameras and streams only; ignored for this "
                  << core::sourceKindName(sourceInfo.kind) << '\n';
    }

    core::AnalysisStages stages = core::makeAnalysisStages(setup);
    if (!stages.note.empty()) {
        std::cerr << "note: " << stages.note << '\n';  // "auto" chose Haar
    }
    core::SessionInfo info = stages.info;
    core::describeSource(info, sourceInfo, *sourceSpec);
    info.participant = args.value("participant", "");
    info.session = args.value("session", "");

    core::RecorderOptions recorderOptions;
    recorderOptions.writeVideo = !args.flag("no-video");
    recorderOptions.blurFaces = args.flag("blur");
    const std::string folder =
        args.value("out", "").empty() ? defaultSessionFolder() : args.value("out", "");
    core::SessionRecorder recorder(folder, info, recorderOptions);

    core::Pipeline pipeline(std::move(stages.detector), std::move(stages.classifier),
                            stages.pipelineOptions);
    const bool liveRun = sourceInfo.live || sourceOptions.realtime;
    std::cerr << "analysing " << core::sourceKindName(sourceInfo.kind) << ' ' << *sourceSpec << " ("
              << sourceInfo.frameSize.width << 'x' << sourceInfo.frameSize.height << ") with "
              << info.detector << " + " << info.modelName << " on " << info.device
              << "\nrecording to " << folder << (liveRun ? "; Ctrl+C to stop" : "") << '\n';

    RunStats stats;
    Progress progress(sourceInfo.frameCount, liveRun);
    std::string recordingError;
    std::atomic<double> nowMs{0.0};  // session time of the newest processed frame
    auto onResult = [&](const core::FrameResult& r) {
        stats.add(r);
        progress.update(r);
        nowMs.store(r.timestampMs);
        try {
            recorder.record(r);
        } catch (const core::RecordingError& e) {
            recordingError = e.what();
            pipeline.stop();
        }
    };
    // Counters over all runs of the session (one per source connection).
    core::RunSummary summary;
    core::PipelineCounters total;
    double wallMs = 0.0;
    int losses = 0;
    int returns = 0;
    {
        InterruptGuard guard(pipeline);
        std::unique_ptr<StdinMarkers> stdinMarkers;
        if (args.flag("markers-stdin")) {
            stdinMarkers = std::make_unique<StdinMarkers>(recorder, pipeline, nowMs);
            std::cerr << "markers: type a line and Enter (\"stimulus A\", \"3 note text\")\n";
        }
        while (true) {
            try {
                summary = liveRun ? pipeline.run(source, onResult)
                                  : pipeline.runEveryFrame(source, onResult);
            } catch (const std::exception& e) {
                // A stage failed (e.g. the classifier): close the session with what it holds
                // and say why in session.json, then report the error (exit code 1).
                progress.done();
                try {
                    recorder.finish(std::string("error: ") + e.what());
                } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): reported below
                }
                throw;
            }
            total.captured += summary.counters.captured;
            total.processed += summary.counters.processed;
            total.dropped += summary.counters.dropped;
            wallMs += summary.wallMs;
            if (!reconnect || summary.reason != core::EndReason::SourceLost ||
                !recordingError.empty() || recorder.failed() || gInterrupted.load()) {
                break;
            }
            // Lost: keep the session and reopen every kReconnectInterval until back or Ctrl+C.
            ++losses;
            const auto lostAt = Clock::now();
            progress.done();
            std::cerr << "source lost: " << summary.message << "; reconnecting every "
                      << kReconnectInterval.count() / 1000 << " s (Ctrl+C to stop)\n";
            try {
                recorder.addMarker(source.lastTimestampMs(), "source lost", summary.message);
            } catch (const core::RecordingError& e) {
                recordingError = e.what();
                break;
            }
            core::SourceOptions again = sourceOptions;
            again.streamOpenTimeoutMs =
                std::min(again.streamOpenTimeoutMs, kReconnectOpenTimeoutMs);
            bool back = false;
            std::string lastFailure;
            for (auto attempt = lostAt + kReconnectInterval; !gInterrupted.load();
                 attempt += kReconnectInterval) {
                while (!gInterrupted.load() && Clock::now() < attempt) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(50));
                }
                if (gInterrupted.load()) {
                    break;
                }
                const double offsetMs =
                    std::chrono::duration<double, std::milli>(Clock::now() - sessionStart).count();
                try {
                    source.replace(core::openSource(*sourceSpec, again), offsetMs);
                    back = true;
                    break;
                } catch (const std::exception& e) {
                    if (lastFailure != e.what()) {  // each new reason once, not every 2 s
                        lastFailure = e.what();
                        std::cerr << "reconnect failed: " << lastFailure << '\n';
                    }
                }
            }
            if (!back) {  // Ctrl+C while reconnecting
                summary.reason = core::EndReason::Stopped;
                summary.message = "stopped while reconnecting after: " + summary.message;
                break;
            }
            ++returns;
            const double gapS = std::chrono::duration<double>(Clock::now() - lostAt).count();
            const std::string note = "after " + fixed(gapS, 1) + " s";
            std::cerr << "source back " << note << '\n';
            try {
                // At the start of the new source's clock: before its first frame.
                recorder.addMarker(source.currentStartMs(), "source back", note);
            } catch (const core::RecordingError& e) {
                recordingError = e.what();
                break;
            }
        }
        if (stdinMarkers) {
            stdinMarkers->stop();
        }
    }
    summary.counters = total;
    summary.wallMs = wallMs;
    if (recordingError.empty() && recorder.failed()) {
        recordingError = recorder.error();  // e.g. a marker write failed
    }
    progress.done();
    const std::string endReason = recordingError.empty()
                                      ? std::string(core::endReasonName(summary.reason))
                                      : "recording failed";
    recorder.finish(endReason);

    std::cout << "\nSession " << folder << " (" << endReason << ")\n"
              << "  " << summary.message << '\n'
              << "  frames: captured " << summary.counters.captured << ", processed "
              << summary.counters.processed << ", dropped " << summary.counters.dropped << ", in "
              << fixed(summary.wallMs / 1000.0, 1) << " s ("
              << fixed(
                     summary.wallMs > 0.0
                         ? 1000.0 * static_cast<double>(summary.counters.processed) / summary.wallMs
                         : 0.0,
                     1)
              << " fps)\n"
              << "  faces found in " << stats.framesWithFaces << " frames, "
              << stats.trackIds.size() << " track id(s)\n"
              << "  median ms: detect " << fixed(litefer::percentile(stats.stages.detect, 0.5), 1)
              << ", align " << fixed(litefer::percentile(stats.stages.align, 0.5), 2)
              << ", classify " << fixed(litefer::percentile(stats.stages.classify, 0.5), 1)
              << ", total " << fixed(litefer::percentile(stats.stages.total, 0.5), 1) << '\n';
    if (losses > 0) {
        std::cout << "  source lost " << losses << " time(s), back " << returns
                  << " time(s) (marker rows in " << core::kMarkersCsv << ")\n";
    }
    for (const auto& p : source.problems()) {
        std::cout << "  problem: " << p << '\n';
    }
    printSessionSummary(folder, std::cout);
    std::cout << "  files: " << core::kSessionJson << ", " << core::kFramesCsv << ", "
              << core::kMarkersCsv << ", " << core::kSummaryJson
              << (recorderOptions.writeVideo ? std::string(", ") + core::kVideoFile : "") << '\n';
    if (!recordingError.empty()) {
        std::cerr << "litefer-cli analyze: error: " << recordingError << '\n';
        return kExitFailure;
    }
    return kExitOk;
}

int runBenchPipeline(int argc, const char* const* argv) {
    Args args(
        "bench-pipeline",
        {
            {"source", "FILE", "video file (repeat for several)", "", true},
            {"detector", "KIND", "face detector: auto, haar or yunet", "auto", false},
            {"detector-model", "FILE", "YuNet .onnx or Haar cascade .xml (default: searched)", "",
             false},
            {"model", "FILE", "emotion model (.lfm); default: the shipped one", "", false},
            {"device", "DEV", "auto, cpu or cuda", "cpu", false},
            {"realtime", "", "play files at their own pace (measures dropped frames)", "", false},
            {"json", "", "print JSON instead of a table", "", false},
        });
    args.parse(argc, argv, 2);
    if (args.flag("help")) {
        std::cout << args.help(
            "Benchmark the whole pipeline (read, detect, align, classify, track) on video\n"
            "files: per-stage median and p95 latency, end-to-end frames/s, dropped frames,\n"
            "face-found rate and number of track ids. Files are processed as fast as possible\n"
            "(nothing dropped) unless --realtime. 1 OpenCV + 1 LibTorch thread.",
            "--source FILE [--source FILE...] [--detector auto|haar|yunet] "
            "[--detector-model FILE] [--model FILE] [--device auto|cpu|cuda] [--realtime] "
            "[--json]");
        return kExitOk;
    }
    const std::vector<std::string> sources = args.values("source");
    if (sources.empty()) {
        throw UsageError("missing --source");
    }
    app::reexecWithRuntimeEnv(argv);
    core::AnalysisSetup setup = setupFromArgs(args, "cpu");
    // "auto" resolved once for all the files (and its note said once).
    const core::DetectorChoice choice = core::chooseDetector(setup.detector, setup.detectorModel);
    if (!choice.note.empty()) {
        std::cerr << "note: " << choice.note << '\n';
    }
    setup.detector = choice.kind;  // the file is found again by the same search
    if (setup.modelPath.empty()) {
        setup.modelPath = core::defaultModelPath();
    }
    const std::string detectorKind = setup.detector;
    const bool json = args.flag("json");

    json::Value report = json::Value::object();
    report["detector"] = detectorKind;
    report["model"] = setup.modelPath;
    report["omp_num_threads"] =
        std::getenv("OMP_NUM_THREADS") ? std::getenv("OMP_NUM_THREADS") : "";
    json::Value runs = json::Value::array();
    for (const auto& spec : sources) {
        core::SourceOptions sourceOptions;
        sourceOptions.realtime = args.flag("realtime");
        auto source = core::openSource(spec, sourceOptions);
        core::AnalysisStages loaded = core::makeAnalysisStages(setup);
        const std::string deviceText = loaded.info.device;
        core::Pipeline pipeline(std::move(loaded.detector), std::move(loaded.classifier),
                                loaded.pipelineOptions);
        RunStats stats;
        auto onResult = [&stats](const core::FrameResult& r) { stats.add(r); };
        core::RunSummary summary;
        {
            InterruptGuard guard(pipeline);
            summary = sourceOptions.realtime || source->info().live
                          ? pipeline.run(*source, onResult)
                          : pipeline.runEveryFrame(*source, onResult);
        }
        const auto processed = summary.counters.processed;
        const double fps =
            summary.wallMs > 0.0 ? 1000.0 * static_cast<double>(processed) / summary.wallMs : 0.0;
        const double found = processed > 0 ? static_cast<double>(stats.framesWithFaces) /
                                                 static_cast<double>(processed)
                                           : 0.0;
        json::Value run = json::Value::object();
        run["source"] = spec;
        run["size"] = std::to_string(source->info().frameSize.width) + "x" +
                      std::to_string(source->info().frameSize.height);
        run["device"] = deviceText;
        run["mode"] = source->info().live      ? "live"
                      : sourceOptions.realtime ? "realtime"
                                               : "every frame";
        run["frames_captured"] = summary.counters.captured;
        run["frames_processed"] = processed;
        run["frames_dropped"] = summary.counters.dropped;
        run["fps"] = fps;
        run["face_found_rate"] = found;
        run["track_ids"] = stats.trackIds.size();
        json::Value stages = json::Value::object();
        for (const auto& [name, samples] : stats.stages.named()) {
            json::Value s = json::Value::object();
            s["median_ms"] = litefer::percentile(*samples, 0.5);
            s["p95_ms"] = litefer::percentile(*samples, 0.95);
            stages[name] = std::move(s);
        }
        run["stages"] = std::move(stages);
        if (!json) {
            std::cout << spec << " (" << run.at("size").asString() << ", " << detectorKind << ", "
                      << deviceText << ", " << run.at("mode").asString() << ")\n"
                      << "  frames " << processed << "/" << summary.counters.captured
                      << " processed, " << summary.counters.dropped << " dropped, " << fixed(fps, 1)
                      << " fps end to end, faces found " << fixed(100.0 * found, 1) << "%, "
                      << stats.trackIds.size()
                      << " track id(s)\n  stage       median ms    p95 ms\n";
            for (const auto& [name, samples] : stats.stages.named()) {
                std::cout << "  " << std::left << std::setw(10) << name << std::right
                          << std::setw(11) << fixed(litefer::percentile(*samples, 0.5), 2)
                          << std::setw(10) << fixed(litefer::percentile(*samples, 0.95), 2) << '\n';
            }
        }
        runs.push(std::move(run));
        if (summary.reason == core::EndReason::Stopped) {
            break;
        }
    }
    report["runs"] = std::move(runs);
    if (json) {
        std::cout << report.dump(2) << '\n';
    }
    return kExitOk;
}

}  // namespace litefer::cli
