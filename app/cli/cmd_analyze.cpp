// litefer-cli analyze: camera, video, image(s) or stream -> session folder (frames.csv,
// markers.csv, session.json, summary.json, annotated video).
// litefer-cli bench-pipeline: per-stage latency and end-to-end throughput on video files.
//
// Threads (RUNTIME.md "Threads"): both commands need OMP_NUM_THREADS=1 before LibTorch's OpenMP
// runtime initialises, which happens when the library is loaded, before main(). So when it is
// unset they re-execute the program (/proc/self/exe) with OMP_NUM_THREADS=1 added to the
// environment; a value the user set is kept. The classifier then runs on 1 LibTorch thread,
// detection on 1 OpenCV thread, capture on its own thread (see core/pipeline.h).
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
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "args.h"
#include "commands.h"
#include "litefer/core/emotion_classifier.h"
#include "litefer/core/face_detector.h"
#include "litefer/core/frame_source.h"
#include "litefer/core/model_locator.h"
#include "litefer/core/pipeline.h"
#include "litefer/core/session_recorder.h"
#include "litefer/files.h"
#include "litefer/json.h"

namespace litefer::cli {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kProgressBarWidth = 30;
constexpr double kProgressEveryMs = 250.0;

/// The pipeline that Ctrl+C stops (stop() is async-signal-safe: an atomic store).
std::atomic<core::Pipeline*> gPipeline{nullptr};

extern "C" void onInterrupt(int /*signal*/) {
    if (core::Pipeline* p = gPipeline.load()) {
        p->stop();
    }
}

/// Installs onInterrupt for SIGINT/SIGTERM for the lifetime of a run.
class InterruptGuard {
  public:
    explicit InterruptGuard(core::Pipeline& pipeline) {
        gPipeline.store(&pipeline);
        struct sigaction sa {};
        sa.sa_handler = onInterrupt;
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

/// See the top of this file. Returns only when no re-execution happened (already set, or
/// exec failed: then the thread counts set in code are all we have).
void ensureSingleOmpThread(const char* const* argv) {
    if (std::getenv("OMP_NUM_THREADS") != nullptr) {
        return;
    }
    setenv("OMP_NUM_THREADS", "1", /*overwrite=*/0);
    execv("/proc/self/exe", const_cast<char* const*>(argv));  // NOLINT: execv's historic type
}

std::string defaultSessionFolder() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "litefer-session-%Y%m%d-%H%M%S", &tm);
    return buf;
}

/// "auto" picks YuNet when its model is found, else Haar (with a note on stderr).
std::string resolveDetector(const std::string& kind, const std::string& model) {
    if (kind != "auto") {
        if (kind != "haar" && kind != "yunet") {
            throw UsageError("--detector must be auto, haar or yunet, not '" + kind + "'");
        }
        return kind;
    }
    if (!core::findYuNetModel(model).empty()) {
        return "yunet";
    }
    std::cerr << "note: YuNet model not found, using the Haar detector (less accurate). "
              << core::yuNetModelHelp() << '\n';
    return "haar";
}

core::Device deviceOption(const std::string& name) {
    try {
        return core::parseDevice(name);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) {
        return 0.0;
    }
    std::sort(v.begin(), v.end());
    const double rank = std::ceil(p * static_cast<double>(v.size()));
    const auto idx = static_cast<std::size_t>(std::max(1.0, rank)) - 1;
    return v[std::min(idx, v.size() - 1)];
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
              });
    args.parse(argc, argv, 2);
    if (args.flag("help")) {
        std::cout << args.help(
            "Analyse faces in a camera, video, image(s) or stream and record a session folder:\n"
            "frames.csv (per face per frame), markers.csv, session.json, summary.json and an\n"
            "annotated video.mkv (MJPG; --no-video for scores only). Files are analysed frame\n"
            "by frame as fast as possible unless --realtime; cameras and streams in real time,\n"
            "keeping the newest frame. Ctrl+C ends the session cleanly.\n"
            "Record people only with their consent; see docs on intended use.",
            "--source SRC [--out DIR] [--model FILE] [--detector auto|haar|yunet] "
            "[--detector-model FILE] [--device auto|cpu|cuda] [--no-video] [--blur] "
            "[--participant ID] [--session NAME] [--realtime]");
        return kExitOk;
    }
    const auto sourceSpec = args.value("source");
    if (!sourceSpec) {
        throw UsageError("missing --source");
    }
    ensureSingleOmpThread(argv);
    const core::Device device = deviceOption(args.value("device", "auto"));
    const std::string detectorModel = args.value("detector-model", "");
    const std::string detectorKind = resolveDetector(args.value("detector", "auto"), detectorModel);

    core::SourceOptions sourceOptions;
    sourceOptions.realtime = args.flag("realtime");
    std::unique_ptr<core::FrameSource> source = core::openSource(*sourceSpec, sourceOptions);
    const core::SourceInfo sourceInfo = source->info();

    core::DetectorOptions detectorOptions;
    auto detector = core::makeDetector(detectorKind, detectorOptions, detectorModel);
    const std::string modelPath =
        args.value("model", "").empty() ? core::defaultModelPath() : args.value("model", "");
    core::ClassifierOptions classifierOptions;
    classifierOptions.device = device;
    classifierOptions.threads = 1;
    auto classifier = std::make_unique<core::EmotionClassifier>(modelPath, classifierOptions);

    core::SessionInfo info;
    info.participant = args.value("participant", "");
    info.session = args.value("session", "");
    info.source = *sourceSpec;
    info.sourceKind = std::string(core::sourceKindName(sourceInfo.kind));
    info.resolution = sourceInfo.frameSize;
    info.fps = sourceInfo.fps;
    info.modelPath = modelPath;
    info.modelName = classifier->manifest().name;
    info.modelArchitecture = classifier->manifest().architecture;
    info.modelWeightsSha256 = classifier->manifest().weightsSha256;
    info.device = classifier->deviceDescription();
    info.detector = detectorKind;
    info.detectorModel = detectorKind == "yunet" ? core::findYuNetModel(detectorModel)
                                                 : core::findHaarCascade(detectorModel);
    info.detectorOptions = detectorOptions;
    core::PipelineOptions pipelineOptions;
    info.trackerOptions = pipelineOptions.tracker;

    core::RecorderOptions recorderOptions;
    recorderOptions.writeVideo = !args.flag("no-video");
    recorderOptions.blurFaces = args.flag("blur");
    const std::string folder =
        args.value("out", "").empty() ? defaultSessionFolder() : args.value("out", "");
    core::SessionRecorder recorder(folder, info, recorderOptions);

    core::Pipeline pipeline(std::move(detector), std::move(classifier), pipelineOptions);
    const bool liveRun = sourceInfo.live || sourceOptions.realtime;
    std::cerr << "analysing " << core::sourceKindName(sourceInfo.kind) << ' ' << *sourceSpec << " ("
              << sourceInfo.frameSize.width << 'x' << sourceInfo.frameSize.height << ") with "
              << detectorKind << " + " << info.modelName << " on " << info.device
              << "\nrecording to " << folder << (liveRun ? "; Ctrl+C to stop" : "") << '\n';

    RunStats stats;
    Progress progress(sourceInfo.frameCount, liveRun);
    std::string recordingError;
    auto onResult = [&](const core::FrameResult& r) {
        stats.add(r);
        progress.update(r);
        try {
            recorder.record(r);
        } catch (const core::RecordingError& e) {
            recordingError = e.what();
            pipeline.stop();
        }
    };
    core::RunSummary summary;
    {
        InterruptGuard guard(pipeline);
        summary =
            liveRun ? pipeline.run(*source, onResult) : pipeline.runEveryFrame(*source, onResult);
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
              << "  median ms: detect " << fixed(percentile(stats.stages.detect, 0.5), 1)
              << ", align " << fixed(percentile(stats.stages.align, 0.5), 2) << ", classify "
              << fixed(percentile(stats.stages.classify, 0.5), 1) << ", total "
              << fixed(percentile(stats.stages.total, 0.5), 1) << '\n';
    for (const auto& p : source->problems()) {
        std::cout << "  skipped " << p << '\n';
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
    ensureSingleOmpThread(argv);
    const core::Device device = deviceOption(args.value("device", "cpu"));
    const std::string detectorModel = args.value("detector-model", "");
    const std::string detectorKind = resolveDetector(args.value("detector", "auto"), detectorModel);
    const std::string modelPath =
        args.value("model", "").empty() ? core::defaultModelPath() : args.value("model", "");
    const bool json = args.flag("json");

    json::Value report = json::Value::object();
    report["detector"] = detectorKind;
    report["model"] = modelPath;
    report["omp_num_threads"] =
        std::getenv("OMP_NUM_THREADS") ? std::getenv("OMP_NUM_THREADS") : "";
    json::Value runs = json::Value::array();
    for (const auto& spec : sources) {
        core::SourceOptions sourceOptions;
        sourceOptions.realtime = args.flag("realtime");
        auto source = core::openSource(spec, sourceOptions);
        core::ClassifierOptions classifierOptions;
        classifierOptions.device = device;
        classifierOptions.threads = 1;
        auto classifier = std::make_unique<core::EmotionClassifier>(modelPath, classifierOptions);
        const std::string deviceText = classifier->deviceDescription();
        core::Pipeline pipeline(core::makeDetector(detectorKind, {}, detectorModel),
                                std::move(classifier));
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
        run["mode"] = sourceOptions.realtime ? "realtime" : "every frame";
        run["frames_captured"] = summary.counters.captured;
        run["frames_processed"] = processed;
        run["frames_dropped"] = summary.counters.dropped;
        run["fps"] = fps;
        run["face_found_rate"] = found;
        run["track_ids"] = stats.trackIds.size();
        json::Value stages = json::Value::object();
        for (const auto& [name, samples] : stats.stages.named()) {
            json::Value s = json::Value::object();
            s["median_ms"] = percentile(*samples, 0.5);
            s["p95_ms"] = percentile(*samples, 0.95);
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
                          << std::setw(11) << fixed(percentile(*samples, 0.5), 2) << std::setw(10)
                          << fixed(percentile(*samples, 0.95), 2) << '\n';
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
