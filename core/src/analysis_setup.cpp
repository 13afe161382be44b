#include "litefer/core/analysis_setup.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include "litefer/core/model_locator.h"

namespace litefer::core {

namespace fs = std::filesystem;

namespace {

constexpr const char* kHaarEnv = "LITEFER_HAAR_CASCADE";
constexpr const char* kYuNetEnv = "LITEFER_YUNET_MODEL";
constexpr const char* kModelEnv = "LITEFER_MODEL";

bool envSet(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0';
}

/// Where a detector file came from, for messages: the option, the environment variable, or
/// the search ("").
std::string origin(const std::string& explicitPath, const char* envName) {
    if (!explicitPath.empty()) {
        return " (the detector model given)";
    }
    return envSet(envName) ? std::string(" (from ") + envName + ")" : std::string();
}

bool endsWithXml(const std::string& path) {
    const std::string ext = fs::path(path).extension().string();
    std::string lower(ext.size(), '\0');
    std::transform(ext.begin(), ext.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower == ".xml";
}

/// "" when `path` is a regular file, else what is wrong, to follow the file's name: "was not
/// found (no such file)", "is a folder, not a file", "is not a regular file".
std::string notAFile(const std::string& path) {
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) {
        return "was not found (no such file)";
    }
    if (fs::is_directory(st)) {
        return "is a folder, not a file";
    }
    return fs::is_regular_file(st) ? std::string() : "is not a regular file";
}

/// `message` as it is when it names `file`, else prefixed with what and which file.
std::string namingFile(const std::string& what, const std::string& file,
                       const std::string& message) {
    if (file.empty() || message.find(file) != std::string::npos) {
        return message;
    }
    return what + " '" + file + "': " + message;
}

std::unique_ptr<FaceDetector> loadDetector(const DetectorChoice& choice,
                                           const AnalysisSetup& setup) {
    using Stage = AnalysisSetupError::Stage;
    const bool haar = choice.kind == "haar";
    if (choice.file.empty()) {
        if (haar) {
            std::string looked;
            for (const auto& c : haarCascadeCandidates(setup.detectorModel)) {
                looked += (looked.empty() ? "" : ", ") + c;
            }
            throw AnalysisSetupError(
                Stage::Detector, "",
                "the Haar face cascade " + std::string(kHaarCascadeFile) +
                    " was not found (looked at: " + looked +
                    "). Install it with 'apt install opencv-data', or point to the file with "
                    "--detector-model FILE or " +
                    kHaarEnv + "=FILE; or use the YuNet detector (--detector yunet).");
        }
        const std::string dir = userModelDir();
        throw AnalysisSetupError(
            Stage::Detector, "",
            "no YuNet face detector model was found: no detector model was given, " +
                std::string(kYuNetEnv) + " is not set, and " +
                (dir.empty() ? std::string("$XDG_DATA_HOME/litefer/models") : dir) + " holds no " +
                std::string(kYuNetFilePattern) + ". " + yuNetModelHelp());
    }
    if (const std::string why = notAFile(choice.file); !why.empty()) {
        const std::string from = origin(setup.detectorModel, haar ? kHaarEnv : kYuNetEnv);
        throw AnalysisSetupError(
            Stage::Detector, choice.file,
            haar ? "Haar face cascade '" + choice.file + "'" + from + " " + why +
                       ". Check the path, or leave the detector model and " + kHaarEnv +
                       " unset to use the system cascade (apt install opencv-data)."
                 : "YuNet face detector model '" + choice.file + "'" + from + " " + why + ". " +
                       yuNetModelHelp());
    }
    try {
        return makeDetector(choice.kind, setup.detectorOptions, choice.file);
    } catch (const std::exception& e) {
        throw AnalysisSetupError(
            Stage::Detector, choice.file,
            namingFile(haar ? "Haar face cascade" : "YuNet face detector model", choice.file,
                       e.what()));
    }
}

std::unique_ptr<EmotionClassifier> loadClassifier(const std::string& path,
                                                  const AnalysisSetup& setup) {
    using Stage = AnalysisSetupError::Stage;
    if (const std::string why = notAFile(path); !why.empty()) {
        // An empty setup.modelPath resolves to an existing file unless $LITEFER_MODEL names one.
        const bool fromEnv = setup.modelPath.empty() && envSet(kModelEnv);
        throw AnalysisSetupError(
            Stage::Model, path,
            "emotion model '" + path + "'" +
                (fromEnv ? std::string(" (from ") + kModelEnv + ")" : std::string()) + " " + why +
                ". Check the path, or " +
                (fromEnv ? std::string("unset ") + kModelEnv + " to use"
                         : std::string("leave the model unset (no --model) to use")) +
                " the shipped model " + kDefaultModelFile + ".");
    }
    try {
        return std::make_unique<EmotionClassifier>(path, setup.classifierOptions);
    } catch (const std::exception& e) {
        throw AnalysisSetupError(Stage::Model, path,
                                 namingFile("cannot use the emotion model", path, e.what()));
    }
}

}  // namespace

AnalysisSetupError::AnalysisSetupError(Stage stage, std::string file, const std::string& message)
    : std::runtime_error(message), stage_(stage), file_(std::move(file)) {}

DetectorChoice chooseDetector(const std::string& kind, const std::string& detectorModel) {
    DetectorChoice c;
    if (kind == "haar") {
        c.kind = kind;
        c.file = findHaarCascade(detectorModel);
    } else if (kind == "yunet") {
        c.kind = kind;
        c.file = findYuNetModel(detectorModel);
    } else if (kind == "auto") {
        if (!detectorModel.empty() && endsWithXml(detectorModel)) {
            c.kind = "haar";
            c.file = findHaarCascade(detectorModel);
        } else if (std::string yunet = findYuNetModel(detectorModel); !yunet.empty()) {
            c.kind = "yunet";
            c.file = std::move(yunet);
        } else {
            c.kind = "haar";
            c.file = findHaarCascade();
            c.note = "YuNet model not found, using the Haar detector (less accurate). " +
                     yuNetModelHelp();
        }
    } else {
        throw std::invalid_argument("unknown face detector '" + kind +
                                    "': choose haar, yunet or auto (YuNet when its model is "
                                    "found, else Haar)");
    }
    return c;
}

AnalysisStages makeAnalysisStages(const AnalysisSetup& setup) {
    const DetectorChoice choice = chooseDetector(setup.detector, setup.detectorModel);
    AnalysisStages s;
    s.detector = loadDetector(choice, setup);
    std::string modelPath = setup.modelPath;
    if (modelPath.empty()) {
        try {
            modelPath = defaultModelPath();
        } catch (const std::exception& e) {
            throw AnalysisSetupError(AnalysisSetupError::Stage::Model, "", e.what());
        }
    }
    s.classifier = loadClassifier(modelPath, setup);
    s.pipelineOptions = setup.pipelineOptions;
    s.note = choice.note;

    SessionInfo& info = s.info;
    const ModelManifest& manifest = s.classifier->manifest();
    info.modelPath = modelPath;
    info.modelName = manifest.name;
    info.modelArchitecture = manifest.architecture;
    info.modelWeightsSha256 = manifest.weightsSha256;
    info.device = s.classifier->deviceDescription();
    info.detector = choice.kind;
    info.detectorModel = choice.file;
    info.detectorOptions = setup.detectorOptions;
    info.trackerOptions = setup.pipelineOptions.tracker;
    return s;
}

void describeSource(SessionInfo& info, const SourceInfo& source, const std::string& spec) {
    info.source = spec.empty() ? source.spec : spec;
    info.sourceKind = std::string(sourceKindName(source.kind));
    info.resolution = source.frameSize;
    info.fps = source.fps;
}

}  // namespace litefer::core
