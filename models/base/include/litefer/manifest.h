#pragma once
// The manifest of a LiteFER model file: every fact needed to use the weights correctly, kept as
// data beside them (OpenCV zoo model-card style) and checked when the model is loaded.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "litefer/json.h"
#include "litefer/labels.h"
#include "litefer/timestamp.h"

namespace litefer {

/// Pixel normalisation: input = (pixel / 255 - mean) / std, applied identically in training
/// and inference (see nn/input.h).
struct Normalization {
    float mean = 0.5f;
    float std = 0.5f;
};

struct ModelManifest {
    static constexpr int kFormatVersion = 1;

    std::string name;          ///< human name, e.g. "vgg-lite FER2013"
    std::string architecture;  ///< a network name from the registry
    int inputChannels = 1;
    int inputHeight = 48;
    int inputWidth = 48;
    Normalization normalization;
    std::vector<std::string> labels;  ///< class order of the outputs; must equal kEmotionNames
    std::string trainingData;         ///< e.g. "FER2013 (image folders)"
    std::string trainingSplit;        ///< e.g. "train (Training); selected on val (PublicTest)"
    json::Value training = json::Value::object();  ///< free-form: command, epochs, seed, ...
    json::Value metrics = json::Value::object();   ///< e.g. {"test": {"accuracy": 0.65}}
    std::int64_t parameters = 0;
    std::string weightsSha256;  ///< SHA-256 of the weights section, lower-case hex
    std::int64_t weightsBytes = 0;
    std::string weightsDtype = "float32";
    /// Logits of the network (eval mode, unfolded) on nn::probeInput(): a load-time self-test.
    std::vector<double> probeLogits;
    std::string writer;   ///< "LiteFER <version>"
    std::string created;  ///< ISO 8601 UTC

    json::Value toJson() const;
    /// Throws json::Error naming the missing or mistyped field.
    static ModelManifest fromJson(const json::Value& v);
};

/// Canonical label names as a vector (for manifests).
std::vector<std::string> canonicalLabels();

}  // namespace litefer
