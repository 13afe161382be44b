#include "litefer/manifest.h"

namespace litefer {

std::vector<std::string> canonicalLabels() {
    return {kEmotionNames.begin(), kEmotionNames.end()};
}

json::Value ModelManifest::toJson() const {
    json::Value v = json::Value::object();
    v["format"] = "litefer-model";
    v["format_version"] = kFormatVersion;
    v["name"] = name;
    v["architecture"] = architecture;
    json::Value input = json::Value::object();
    input["channels"] = inputChannels;
    input["height"] = inputHeight;
    input["width"] = inputWidth;
    input["color"] = "gray";
    v["input"] = input;
    json::Value norm = json::Value::object();
    norm["formula"] = "(pixel / 255 - mean) / std";
    norm["mean"] = static_cast<double>(normalization.mean);
    norm["std"] = static_cast<double>(normalization.std);
    v["normalization"] = norm;
    json::Value labelArray = json::Value::array();
    for (const auto& l : labels) {
        labelArray.push(l);
    }
    v["labels"] = labelArray;
    v["training_data"] = trainingData;
    v["training_split"] = trainingSplit;
    v["training"] = training;
    v["metrics"] = metrics;
    v["parameters"] = parameters;
    json::Value weights = json::Value::object();
    weights["sha256"] = weightsSha256;
    weights["bytes"] = weightsBytes;
    weights["dtype"] = weightsDtype;
    v["weights"] = weights;
    json::Value probe = json::Value::array();
    for (double d : probeLogits) {
        probe.push(d);
    }
    v["probe_logits"] = probe;
    v["writer"] = writer;
    v["created"] = created;
    return v;
}

ModelManifest ModelManifest::fromJson(const json::Value& v) {
    if (!v.isObject()) {
        throw json::Error("manifest is not a JSON object");
    }
    if (v.at("format").asString() != "litefer-model") {
        throw json::Error("manifest format is '" + v.at("format").asString() +
                          "', expected 'litefer-model'");
    }
    const auto version = v.at("format_version").asInt64();
    if (version != kFormatVersion) {
        throw json::Error("manifest format_version " + std::to_string(version) +
                          " is not supported (this LiteFER reads version " +
                          std::to_string(kFormatVersion) + ")");
    }
    ModelManifest m;
    m.name = v.at("name").asString();
    m.architecture = v.at("architecture").asString();
    const auto& input = v.at("input");
    m.inputChannels = input.at("channels").asInt();
    m.inputHeight = input.at("height").asInt();
    m.inputWidth = input.at("width").asInt();
    const auto& norm = v.at("normalization");
    m.normalization.mean = static_cast<float>(norm.at("mean").asDouble());
    m.normalization.std = static_cast<float>(norm.at("std").asDouble());
    for (const auto& l : v.at("labels").asArray()) {
        m.labels.push_back(l.asString());
    }
    m.trainingData = v.at("training_data").asString();
    m.trainingSplit = v.at("training_split").asString();
    m.training = v.at("training");
    m.metrics = v.at("metrics");
    m.parameters = v.at("parameters").asInt64();
    const auto& weights = v.at("weights");
    m.weightsSha256 = weights.at("sha256").asString();
    m.weightsBytes = weights.at("bytes").asInt64();
    m.weightsDtype = weights.at("dtype").asString();
    for (const auto& d : v.at("probe_logits").asArray()) {
        m.probeLogits.push_back(d.asDouble());
    }
    m.writer = v.at("writer").asString();
    m.created = v.at("created").asString();
    return m;
}

}  // namespace litefer
