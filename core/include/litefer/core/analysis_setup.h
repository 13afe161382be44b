#pragma once
// One place that assembles the analysis stages: the face detector and the emotion classifier of
// a run, and the facts about them that a recording keeps (SessionInfo). litefer-cli analyze,
// bench-pipeline and soak, and the app's live worker and offline analysis all build their
// stages here, so a choice means the same everywhere ("auto", the default model, one OpenCV and
// one LibTorch thread) and session.json describes the stages that really ran.
//
//   core::AnalysisSetup setup;                          // what the user chose
//   setup.detector = "auto";
//   setup.modelPath = modelOption;                      // "" = the shipped model
//   core::AnalysisStages stages = core::makeAnalysisStages(setup);       // throws, see below
//   if (!stages.note.empty()) std::cerr << "note: " << stages.note << '\n';
//   core::SessionInfo info = stages.info;               // model, detector, device, settings
//   core::describeSource(info, source->info());         // + the source: spec, kind, size, fps
//   info.participant = ...;                             // + what the user typed
//   core::Pipeline pipeline(std::move(stages.detector), std::move(stages.classifier),
//                           stages.pipelineOptions);
//
// Errors: std::invalid_argument for a detector kind that is not haar, yunet or auto (a bad
// option: the CLI's exit code 2), before anything is loaded; AnalysisSetupError when a stage
// cannot be loaded, saying which stage and which file. Every message names the file (or the
// places searched when none was found), the problem and the fix.
//
// Threads: makeAnalysisStages() loads on the calling thread and takes as long as the stages do
// (model load and warm-up, YuNet warm-up: about 0.1-1 s); call it off the GUI thread. Loading
// sets process-wide thread counts (DetectorOptions::openCvThreads, ClassifierOptions::threads;
// pipeline.h "Thread layout"). Torch-free: the UI includes this header.
#include <memory>
#include <stdexcept>
#include <string>

#include "litefer/core/emotion_classifier.h"
#include "litefer/core/face_detector.h"
#include "litefer/core/frame_source.h"
#include "litefer/core/pipeline.h"
#include "litefer/core/session_recorder.h"

namespace litefer::core {

/// What the user chose for a run. Defaults: the shipped model, the Haar detector with the
/// system cascade, 1 OpenCV thread, 1 LibTorch thread on the automatically chosen device.
struct AnalysisSetup {
    /// Emotion model (.lfm). Empty: defaultModelPath() ($LITEFER_MODEL, else the shipped one).
    std::string modelPath;
    /// "haar", "yunet" or "auto" (see chooseDetector()).
    std::string detector = "haar";
    /// The detector's file: Haar cascade .xml or YuNet .onnx. Empty: searched
    /// (findHaarCascade(), findYuNetModel()).
    std::string detectorModel;
    DetectorOptions detectorOptions;  ///< openCvThreads = 1 by default
    /// Device and threads of the classifier. threads = 1 here (ClassifierOptions alone says 0,
    /// one per core): one LibTorch thread beside one OpenCV thread on the 2-core target.
    ClassifierOptions classifierOptions = [] {
        ClassifierOptions o;
        o.threads = 1;
        return o;
    }();
    /// Alignment, tracker (smoothing, dwell) and watchdog of the run; the tracker settings are
    /// recorded in SessionInfo::trackerOptions.
    PipelineOptions pipelineOptions;
};

/// The loaded stages and the facts about them (both stages non-null as makeAnalysisStages()
/// returns them; they are then moved into a Pipeline).
struct AnalysisStages {
    std::unique_ptr<FaceDetector> detector;
    std::unique_ptr<EmotionClassifier> classifier;
    /// To construct the Pipeline with (a copy of AnalysisSetup::pipelineOptions).
    PipelineOptions pipelineOptions;
    /// Filled: modelPath (resolved), modelName, modelArchitecture, modelWeightsSha256, device,
    /// detector ("haar"/"yunet", never "auto"), detectorModel (the file loaded),
    /// detectorOptions, trackerOptions. Left empty for the caller: participant, session, notes
    /// and the source's facts (describeSource()).
    SessionInfo info;
    /// Empty, or a sentence for people: why "auto" chose the Haar detector and how to get
    /// YuNet. Not an error; the CLI prints it as a note.
    std::string note;
};

/// A stage that cannot be loaded. what() names the file (or the places searched), the problem
/// and the fix.
class AnalysisSetupError : public std::runtime_error {
  public:
    enum class Stage { Detector, Model };
    AnalysisSetupError(Stage stage, std::string file, const std::string& message);
    Stage stage() const noexcept { return stage_; }
    /// The file concerned, as resolved; empty when none was found.
    const std::string& file() const noexcept { return file_; }

  private:
    Stage stage_;
    std::string file_;
};

/// The detector a kind resolves to, before anything is loaded.
struct DetectorChoice {
    std::string kind;  ///< "haar" or "yunet"
    /// The file to load: findHaarCascade(detectorModel) or findYuNetModel(detectorModel); an
    /// explicit file (or one from $LITEFER_HAAR_CASCADE / $LITEFER_YUNET_MODEL) as given, even
    /// when missing; empty when the search found nothing.
    std::string file;
    std::string note;  ///< as AnalysisStages::note
};

/// Resolves a detector kind without loading anything (cheap: environment and file lookups).
/// "haar" and "yunet" stay as they are. "auto": an explicit `detectorModel` ending in .xml means
/// Haar with that cascade, any other explicit file YuNet with it; with no explicit file, YuNet
/// when findYuNetModel() finds its model, else Haar with a note. Throws std::invalid_argument
/// naming `kind` and the choices for any other kind.
DetectorChoice chooseDetector(const std::string& kind, const std::string& detectorModel = "");

/// Loads the stages `setup` describes: the detector first (a bad detector is reported without
/// waiting for the model), then the classifier. Throws std::invalid_argument for an unknown
/// detector kind (chooseDetector()) and AnalysisSetupError for a stage that does not load:
/// - Model: the default model not found (the places searched, LITEFER_MODEL / --model);
///   the model file missing or a folder; a file that does not load (ModelFileError's
///   message: damaged, wrong format, checksum); a device that is not available.
/// - Detector: no Haar cascade (install opencv-data, LITEFER_HAAR_CASCADE, --detector-model);
///   no YuNet model (where to download it, where to put it, --detector-model,
///   LITEFER_YUNET_MODEL, or use Haar); the chosen file missing, a folder, or not loading.
AnalysisStages makeAnalysisStages(const AnalysisSetup& setup);

/// Writes the source's facts into `info`: source (`spec`, or SourceInfo::spec when `spec` is
/// empty), sourceKind (sourceKindName()), resolution and fps. Other fields are left alone.
void describeSource(SessionInfo& info, const SourceInfo& source, const std::string& spec = "");

}  // namespace litefer::core
