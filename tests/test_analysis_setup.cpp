// AnalysisSetup -> AnalysisStages: the defaults resolve to the shipped model and the Haar
// detector, "auto" falls back with a note, every load failure names the file and the fix, and
// the SessionInfo carries the model, detector, device and settings that really ran.
#include <catch2/catch.hpp>

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include <opencv2/core.hpp>

#include "litefer/core/analysis_setup.h"
#include "litefer/core/model_locator.h"
#include "support/env_guard.h"
#include "support/shared_data.h"
#include "support/temp_dir.h"
#include "support/text_files.h"

using namespace litefer::core;
namespace fs = std::filesystem;
using litefer::test::EnvGuard;
using litefer::test::TempDir;
using litefer::test::writeText;

namespace {

const std::string kYuNetPath = litefer::test::sharedPath(litefer::test::kYuNetModel);

/// The environment of a machine without YuNet: no variable, an empty user model folder.
struct NoYuNet {
    TempDir data{"litefer-setup-xdg"};
    EnvGuard yunet{"LITEFER_YUNET_MODEL", std::nullopt};
    EnvGuard xdg{"XDG_DATA_HOME", data.str()};
};

bool haarInstalled() {
    return !findHaarCascade().empty();
}

/// Runs `f`, which must throw AnalysisSetupError; returns it.
template <class F>
AnalysisSetupError setupError(F&& f) {
    try {
        std::forward<F>(f)();
    } catch (const AnalysisSetupError& e) {
        return e;
    }
    FAIL("no AnalysisSetupError was thrown");
    return AnalysisSetupError(AnalysisSetupError::Stage::Model, "", "");
}

}  // namespace

TEST_CASE("the defaults load the shipped model and the Haar detector", "[analysis_setup]") {
    if (!haarInstalled()) {
        WARN("skipped: no Haar cascade installed (apt install opencv-data)");
        return;
    }
    const AnalysisSetup setup;
    CHECK(setup.detector == "haar");
    CHECK(setup.classifierOptions.threads == 1);
    CHECK(setup.detectorOptions.openCvThreads == 1);

    AnalysisStages s = makeAnalysisStages(setup);
    REQUIRE(s.detector != nullptr);
    REQUIRE(s.classifier != nullptr);
    CHECK(s.detector->name() == "haar");
    CHECK(s.note.empty());
    CHECK(s.info.modelPath == defaultModelPath());
    CHECK(fs::path(s.info.modelPath).filename() == kDefaultModelFile);
    CHECK(s.info.detector == "haar");
    CHECK(s.info.detectorModel == findHaarCascade());
    CHECK(s.classifier->modelPath() == s.info.modelPath);
}

TEST_CASE("the session info carries the model, detector, device and settings that run",
          "[analysis_setup]") {
    if (!haarInstalled()) {
        WARN("skipped: no Haar cascade installed (apt install opencv-data)");
        return;
    }
    AnalysisSetup setup;
    setup.classifierOptions.device = Device::Cpu;
    setup.detectorOptions.minFaceSize = 55;
    setup.detectorOptions.scoreThreshold = 0.7f;
    setup.pipelineOptions.tracker.maxMissedMs = 777.0;
    setup.pipelineOptions.watchdogMs = 1234.0;

    AnalysisStages s = makeAnalysisStages(setup);
    const SessionInfo& info = s.info;
    const auto& manifest = s.classifier->manifest();
    CHECK_FALSE(info.modelName.empty());
    CHECK(info.modelName == manifest.name);
    CHECK_FALSE(info.modelArchitecture.empty());
    CHECK(info.modelArchitecture == manifest.architecture);
    CHECK(info.modelWeightsSha256 == manifest.weightsSha256);
    CHECK(info.modelWeightsSha256.size() == 64);
    CHECK(info.device == s.classifier->deviceDescription());
    CHECK(info.device == "CPU, 1 thread");
    CHECK(info.detector == "haar");
    CHECK(info.detectorOptions.minFaceSize == 55);
    CHECK(info.detectorOptions.scoreThreshold == 0.7f);
    CHECK(info.trackerOptions.maxMissedMs == 777.0);
    CHECK(s.pipelineOptions.watchdogMs == 1234.0);
    // The caller's and the source's facts are left to the caller.
    CHECK(info.participant.empty());
    CHECK(info.source.empty());
    CHECK(info.fps == 0.0);

    // The stages run: a Pipeline takes them and processes a frame.
    Pipeline pipeline(std::move(s.detector), std::move(s.classifier), s.pipelineOptions);
    Frame frame;
    frame.bgr = cv::Mat(240, 320, CV_8UC3, cv::Scalar::all(90));
    const FrameResult r = pipeline.process(frame);
    CHECK(r.faces.empty());
    REQUIRE(pipeline.classifier() != nullptr);
    CHECK(pipeline.classifier()->manifest().name == info.modelName);
}

TEST_CASE("describeSource writes the source's spec, kind, size and rate", "[analysis_setup]") {
    SourceInfo source;
    source.kind = SourceKind::Stream;
    source.spec = "rtsp://camera.local/live";
    source.frameSize = cv::Size(1280, 720);
    source.fps = 25.0;
    SessionInfo info;
    info.participant = "P07";
    info.modelName = "kept";
    describeSource(info, source);
    CHECK(info.source == "rtsp://camera.local/live");
    CHECK(info.sourceKind == std::string(sourceKindName(SourceKind::Stream)));
    CHECK(info.resolution == cv::Size(1280, 720));
    CHECK(info.fps == 25.0);
    CHECK(info.participant == "P07");
    CHECK(info.modelName == "kept");
    describeSource(info, source, "Front camera");  // the name the user saw
    CHECK(info.source == "Front camera");
}

TEST_CASE("a missing model file is reported with its path and the fix", "[analysis_setup]") {
    if (!haarInstalled()) {
        WARN("skipped: no Haar cascade installed (apt install opencv-data)");
        return;
    }
    TempDir dir("litefer-setup");
    AnalysisSetup setup;
    setup.modelPath = dir.file("no such model ü.lfm");
    const AnalysisSetupError e = setupError([&] { makeAnalysisStages(setup); });
    CHECK(e.stage() == AnalysisSetupError::Stage::Model);
    CHECK(e.file() == setup.modelPath);
    CHECK_THAT(e.what(), Catch::Contains(setup.modelPath) && Catch::Contains("no such file") &&
                             Catch::Contains("Check the path") &&
                             Catch::Contains(kDefaultModelFile));

    // A folder instead of a file.
    setup.modelPath = dir.str();
    CHECK_THAT(setupError([&] { makeAnalysisStages(setup); }).what(),
               Catch::Contains(dir.str()) && Catch::Contains("a folder"));

    // A file that is not a model: the loader's reason, with the path.
    setup.modelPath = dir.file("garbage.lfm");
    writeText(setup.modelPath, "not a model at all");
    const AnalysisSetupError bad = setupError([&] { makeAnalysisStages(setup); });
    CHECK(bad.stage() == AnalysisSetupError::Stage::Model);
    CHECK(bad.file() == setup.modelPath);
    CHECK_THAT(bad.what(), Catch::Contains(setup.modelPath));

    // LITEFER_MODEL naming a missing file: the message says where the path came from.
    const EnvGuard env("LITEFER_MODEL", dir.file("gone.lfm"));
    setup.modelPath.clear();
    CHECK_THAT(setupError([&] { makeAnalysisStages(setup); }).what(),
               Catch::Contains(dir.file("gone.lfm")) && Catch::Contains("LITEFER_MODEL"));
}

TEST_CASE("a missing YuNet file is reported with its path and how to get it", "[analysis_setup]") {
    const NoYuNet env;
    TempDir dir("litefer-setup");
    AnalysisSetup setup;
    setup.detector = "yunet";
    setup.detectorModel = dir.file("yunet.onnx");
    setup.modelPath = dir.file("the model is not even looked at.lfm");  // detector first
    const AnalysisSetupError e = setupError([&] { makeAnalysisStages(setup); });
    CHECK(e.stage() == AnalysisSetupError::Stage::Detector);
    CHECK(e.file() == setup.detectorModel);
    CHECK_THAT(e.what(), Catch::Contains(setup.detectorModel) && Catch::Contains("no such file") &&
                             Catch::Contains("face_detection_yunet_2023mar.onnx") &&
                             Catch::Contains("--detector-model") &&
                             Catch::Contains("--detector haar"));

    // Nothing given and nothing found: the folder searched and the fix.
    setup.detectorModel.clear();
    const AnalysisSetupError none = setupError([&] { makeAnalysisStages(setup); });
    CHECK(none.stage() == AnalysisSetupError::Stage::Detector);
    CHECK(none.file().empty());
    CHECK_THAT(none.what(), Catch::Contains(userModelDir()) &&
                                Catch::Contains("LITEFER_YUNET_MODEL") &&
                                Catch::Contains("opencv_zoo"));

    // A file that is not an ONNX model: the loader's reason, with the path.
    setup.detectorModel = dir.file("broken.onnx");
    writeText(setup.detectorModel, "not onnx");
    const AnalysisSetupError broken = setupError([&] { makeAnalysisStages(setup); });
    CHECK(broken.file() == setup.detectorModel);
    CHECK_THAT(broken.what(), Catch::Contains(setup.detectorModel));
}

TEST_CASE("a missing Haar cascade file is reported with its path", "[analysis_setup]") {
    TempDir dir("litefer-setup");
    AnalysisSetup setup;
    setup.detectorModel = dir.file("cascade.xml");
    const AnalysisSetupError e = setupError([&] { makeAnalysisStages(setup); });
    CHECK(e.stage() == AnalysisSetupError::Stage::Detector);
    CHECK(e.file() == setup.detectorModel);
    CHECK_THAT(e.what(), Catch::Contains(setup.detectorModel) && Catch::Contains("no such file") &&
                             Catch::Contains("opencv-data"));
}

TEST_CASE("an unknown detector kind is refused before anything loads", "[analysis_setup]") {
    AnalysisSetup setup;
    setup.detector = "mtcnn";
    setup.modelPath = "/nonexistent/model.lfm";
    CHECK_THROWS_MATCHES(makeAnalysisStages(setup), std::invalid_argument,
                         Catch::Message("unknown face detector 'mtcnn': choose haar, yunet or auto "
                                        "(YuNet when its model is found, else Haar)"));
    CHECK_THROWS_AS(chooseDetector("Haar"), std::invalid_argument);
    CHECK_THROWS_AS(chooseDetector(""), std::invalid_argument);
}

TEST_CASE("auto chooses YuNet when its model is found, else Haar with a note", "[analysis_setup]") {
    {
        const NoYuNet env;
        const DetectorChoice c = chooseDetector("auto");
        CHECK(c.kind == "haar");
        CHECK(c.file == findHaarCascade());
        CHECK_THAT(c.note, Catch::Contains("Haar") && Catch::Contains("--detector-model"));

        // An explicit .xml is a cascade; any other explicit file is YuNet's, even when missing
        // (so loading names the file the user asked for).
        const DetectorChoice xml = chooseDetector("auto", "/somewhere/my cascade.XML");
        CHECK(xml.kind == "haar");
        CHECK(xml.file == "/somewhere/my cascade.XML");
        CHECK(xml.note.empty());
        const DetectorChoice onnx = chooseDetector("auto", "/somewhere/yunet.onnx");
        CHECK(onnx.kind == "yunet");
        CHECK(onnx.file == "/somewhere/yunet.onnx");

        // The user's model folder is searched.
        TempDir data("litefer-setup-xdg");
        const EnvGuard xdg("XDG_DATA_HOME", data.str());
        fs::create_directories(data.path() / "litefer" / "models");
        const std::string found =
            (data.path() / "litefer" / "models" / "face_detection_yunet_2023mar.onnx").string();
        writeText(found, "x");
        const DetectorChoice dir = chooseDetector("auto");
        CHECK(dir.kind == "yunet");
        CHECK(dir.file == found);
        CHECK(dir.note.empty());
    }
    // Explicit kinds stay as they are.
    CHECK(chooseDetector("haar").kind == "haar");
    CHECK(chooseDetector("yunet", "/x/y.onnx").file == "/x/y.onnx");
}

TEST_CASE("auto with the YuNet model loads YuNet and records its file", "[analysis_setup]") {
    if (!fs::exists(kYuNetPath)) {
        WARN("skipped: " << kYuNetPath << " is absent (the shared data folder ../shared)");
        return;
    }
    AnalysisSetup setup;
    setup.detector = "auto";
    setup.detectorModel = kYuNetPath;
    setup.classifierOptions.device = Device::Cpu;
    const AnalysisStages s = makeAnalysisStages(setup);
    CHECK(s.detector->name() == "yunet");
    CHECK(s.info.detector == "yunet");
    CHECK(s.info.detectorModel == kYuNetPath);
    CHECK(s.note.empty());
}
