#include "litefer/core/face_detector.h"

#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace litefer::core {

namespace fs = std::filesystem;

namespace {

constexpr std::array<std::string_view, 3> kHaarSystemDirs = {
    "/usr/share/opencv4/haarcascades/", "/usr/share/opencv/haarcascades/",
    "/usr/local/share/opencv4/haarcascades/"};

/// Values per grid cell of each output group (cls, obj, bbox, kps).
constexpr std::array<int, 4> kYuNetValuesPerCell = {1, 1, 4, 10};

/// Size of the warm-up input: a 4:3 frame at the default detection width.
constexpr int kWarmUpWidth = 320;
constexpr int kWarmUpHeight = 240;

/// Smaller faces slip through the minimum-size filter by this much, so that boxes which are
/// exactly minFaceSize before mapping back to frame pixels are not lost to float rounding.
constexpr float kMinSizeTolerancePx = 0.5f;

std::string getEnv(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr ? std::string(value) : std::string();
}

bool isRegularFile(const std::string& path) {
    std::error_code ec;
    return !path.empty() && fs::is_regular_file(path, ec);
}

/// Throws for frames the detectors cannot read; an empty frame is allowed (no faces).
void checkFrame(const cv::Mat& frame) {
    if (frame.empty()) {
        return;
    }
    const int channels = frame.channels();
    if (frame.depth() != CV_8U || (channels != 1 && channels != 3 && channels != 4)) {
        throw std::invalid_argument(
            "face detector: expected an 8-bit grey, BGR or BGRA frame, got type " +
            cv::typeToString(frame.type()));
    }
}

/// The size a frame is detected at: width detectWidth (aspect kept) when wider, else unchanged.
cv::Size detectionSize(cv::Size frame, int detectWidth) {
    if (detectWidth <= 0 || frame.width <= detectWidth) {
        return frame;
    }
    const double scale = static_cast<double>(detectWidth) / frame.width;
    const int height = std::max(1, static_cast<int>(std::lround(frame.height * scale)));
    return {detectWidth, height};
}

cv::Mat resizeTo(const cv::Mat& image, cv::Size size) {
    if (image.size() == size) {
        return image;
    }
    cv::Mat out;
    cv::resize(image, out, size, 0, 0, cv::INTER_AREA);
    return out;
}

void applyThreads(const DetectorOptions& options) {
    if (options.openCvThreads > 0) {
        cv::setNumThreads(options.openCvThreads);
    }
}

/// Keeps faces whose smaller side is at least minFaceSize, then the first maxFaces.
void filterFaces(Faces& faces, const DetectorOptions& options) {
    const float minSide = static_cast<float>(options.minFaceSize) - kMinSizeTolerancePx;
    faces.erase(std::remove_if(faces.begin(), faces.end(),
                               [minSide](const Face& f) {
                                   return std::min(f.box.width, f.box.height) < minSide;
                               }),
                faces.end());
    if (options.maxFaces > 0 && faces.size() > static_cast<std::size_t>(options.maxFaces)) {
        faces.resize(static_cast<std::size_t>(options.maxFaces));
    }
}

std::string joinLines(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& item : items) {
        out += "\n  " + item;
    }
    return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Haar

std::vector<std::string> haarCascadeCandidates(const std::string& explicitPath) {
    std::vector<std::string> out;
    if (!explicitPath.empty()) {
        out.push_back(explicitPath);
    }
    const std::string env = getEnv("LITEFER_HAAR_CASCADE");
    if (!env.empty()) {
        out.push_back(env);
    }
    for (std::string_view dir : kHaarSystemDirs) {
        out.push_back(std::string(dir) + std::string(kHaarCascadeFile));
    }
    return out;
}

std::string findHaarCascade(const std::string& explicitPath) {
    // A file the user named is returned as given, so that loading reports that file instead of
    // silently using another one.
    if (!explicitPath.empty()) {
        return explicitPath;
    }
    const std::string env = getEnv("LITEFER_HAAR_CASCADE");
    if (!env.empty()) {
        return env;
    }
    for (const std::string& candidate : haarCascadeCandidates(explicitPath)) {
        if (isRegularFile(candidate)) {
            return candidate;
        }
    }
    return {};
}

struct HaarDetector::Impl {
    DetectorOptions options;
    std::string path;
    cv::CascadeClassifier cascade;
    cv::Mat gray;  // reused buffers
    cv::Mat small;
};

HaarDetector::HaarDetector(const DetectorOptions& options, const std::string& cascadePath)
    : impl_(std::make_unique<Impl>()) {
    impl_->options = options;
    impl_->path = findHaarCascade(cascadePath);
    if (impl_->path.empty()) {
        throw std::runtime_error(
            "Haar face cascade " + std::string(kHaarCascadeFile) +
            " not found; looked at:" + joinLines(haarCascadeCandidates(cascadePath)) +
            "\nInstall it with 'apt install opencv-data', or point to the file with "
            "--detector-model FILE or LITEFER_HAAR_CASCADE=FILE.");
    }
    if (!isRegularFile(impl_->path)) {
        throw std::runtime_error("Haar face cascade '" + impl_->path +
                                 "' not found. Point --detector-model or LITEFER_HAAR_CASCADE to "
                                 "an existing file, or install 'opencv-data' and leave them "
                                 "unset to use the system cascade.");
    }
    bool loaded = false;
    std::string reason = "not a readable OpenCV cascade file";
    try {
        loaded = impl_->cascade.load(impl_->path) && !impl_->cascade.empty();
    } catch (const cv::Exception& e) {
        reason = e.err;
    }
    if (!loaded) {
        throw std::runtime_error("cannot load the Haar face cascade '" + impl_->path +
                                 "': " + reason +
                                 ". Reinstall it with 'apt install --reinstall opencv-data' or "
                                 "pass a valid file with --detector-model FILE.");
    }
    applyThreads(options);
}

HaarDetector::~HaarDetector() = default;
HaarDetector::HaarDetector(HaarDetector&&) noexcept = default;
HaarDetector& HaarDetector::operator=(HaarDetector&&) noexcept = default;

const std::string& HaarDetector::cascadePath() const {
    return impl_->path;
}

Faces HaarDetector::detect(const cv::Mat& bgrOrGray) {
    checkFrame(bgrOrGray);
    if (bgrOrGray.empty()) {
        return {};
    }
    Impl& d = *impl_;
    switch (bgrOrGray.channels()) {
        case 3:
            cv::cvtColor(bgrOrGray, d.gray, cv::COLOR_BGR2GRAY);
            break;
        case 4:
            cv::cvtColor(bgrOrGray, d.gray, cv::COLOR_BGRA2GRAY);
            break;
        default:
            d.gray = bgrOrGray;
            break;
    }
    const cv::Size size = detectionSize(bgrOrGray.size(), d.options.detectWidth);
    const cv::Mat resized = resizeTo(d.gray, size);
    // equalizeHist as in OpenCV's facedetect sample: the cascade was trained on normalised
    // windows but equalising helps it on dim or low-contrast frames.
    cv::equalizeHist(resized, d.small);

    const double sx = static_cast<double>(bgrOrGray.cols) / size.width;
    const double sy = static_cast<double>(bgrOrGray.rows) / size.height;
    const int minSide =
        static_cast<int>(std::ceil(std::max(0, d.options.minFaceSize) / std::max(sx, sy)));
    std::vector<cv::Rect> rects;
    d.cascade.detectMultiScale(d.small, rects, kScaleFactor, kMinNeighbors, /*flags=*/0,
                               cv::Size(minSide, minSide));

    Faces faces;
    faces.reserve(rects.size());
    for (const cv::Rect& r : rects) {
        Face f;
        f.box = cv::Rect2f(static_cast<float>(r.x * sx), static_cast<float>(r.y * sy),
                           static_cast<float>(r.width * sx), static_cast<float>(r.height * sy));
        // The cascade has no calibrated confidence (detectMultiScale3's level weights are
        // unbounded stage sums, not probabilities): every accepted face counts as certain and
        // minNeighbors is the acceptance threshold instead of scoreThreshold.
        f.score = 1.0f;
        faces.push_back(f);
    }
    std::stable_sort(faces.begin(), faces.end(),
                     [](const Face& a, const Face& b) { return a.box.area() > b.box.area(); });
    filterFaces(faces, d.options);
    return faces;
}

// ---------------------------------------------------------------------------------------------
// YuNet decoder
//
// Provenance: written from the model description in ../shared/models/yunet/README.md and
// checked, line by line, against OpenCV's FaceDetectorYNImpl::postProcess
// (opencv/opencv modules/objdetect/src/face_detect.cpp, 4.8+; read, not copied): same output
// order, same clamped geometric-mean score, same centre/size/landmark formulas, same
// threshold-then-NMS. Differences, on purpose: non-finite cells are dropped (fuzzing, corrupt
// models), NMS runs on float boxes (upstream truncates boxes to int first), a score equal to
// the threshold is always kept (upstream's NMSBoxes call drops it unless it is the only
// candidate), and the shapes of the outputs are checked instead of trusted.

Faces decodeYuNet(const std::vector<cv::Mat>& outputs, cv::Size inputSize, float scoreThreshold,
                  float nmsIouThreshold, int topK) {
    const std::size_t numStrides = kYuNetStrides.size();
    if (outputs.size() != kYuNetOutputNames.size()) {
        throw std::invalid_argument("decodeYuNet: expected " +
                                    std::to_string(kYuNetOutputNames.size()) + " outputs, got " +
                                    std::to_string(outputs.size()));
    }
    if (inputSize.width <= 0 || inputSize.height <= 0 || inputSize.width % kYuNetDivisor != 0 ||
        inputSize.height % kYuNetDivisor != 0) {
        throw std::invalid_argument("decodeYuNet: input size " + std::to_string(inputSize.width) +
                                    "x" + std::to_string(inputSize.height) +
                                    " is not a positive multiple of 32");
    }

    if (!(nmsIouThreshold >= 0.0f && nmsIouThreshold <= 1.0f)) {
        throw std::invalid_argument("decodeYuNet: NMS IoU threshold " +
                                    std::to_string(nmsIouThreshold) + " is not in [0, 1]");
    }

    Faces candidates;
    std::vector<cv::Rect2d> boxes;
    std::vector<float> scores;
    for (std::size_t si = 0; si < numStrides; ++si) {
        const int stride = kYuNetStrides[si];
        const int cols = inputSize.width / stride;
        const int rows = inputSize.height / stride;
        const std::size_t cells = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);

        std::array<cv::Mat, 4> group;  // cls, obj, bbox, kps of this stride, continuous
        for (std::size_t g = 0; g < group.size(); ++g) {
            const std::size_t index = g * numStrides + si;
            const cv::Mat& m = outputs[index];
            const std::size_t expected = cells * static_cast<std::size_t>(kYuNetValuesPerCell[g]);
            if (m.depth() != CV_32F || m.total() * m.elemSize() / sizeof(float) != expected) {
                throw std::invalid_argument(
                    "decodeYuNet: output " + std::string(kYuNetOutputNames[index]) + " has " +
                    std::to_string(m.total() * static_cast<std::size_t>(m.channels())) +
                    " values of type " + cv::typeToString(m.type()) + ", expected " +
                    std::to_string(expected) + " floats for a " + std::to_string(inputSize.width) +
                    "x" + std::to_string(inputSize.height) + " input");
            }
            group[g] = m.isContinuous() ? m : m.clone();
        }
        const float* cls = group[0].ptr<float>();
        const float* obj = group[1].ptr<float>();
        const float* bbox = group[2].ptr<float>();
        const float* kps = group[3].ptr<float>();
        const float s = static_cast<float>(stride);

        for (int r = 0; r < rows; ++r) {
            for (int c = 0; c < cols; ++c) {
                const std::size_t i = static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) +
                                      static_cast<std::size_t>(c);
                const float clsScore = std::clamp(cls[i], 0.0f, 1.0f);
                const float objScore = std::clamp(obj[i], 0.0f, 1.0f);
                const float score = std::sqrt(clsScore * objScore);
                if (!(score >= scoreThreshold)) {  // also drops NaN
                    continue;
                }
                const float* b = bbox + i * 4;
                const float* k = kps + i * 10;
                const float fc = static_cast<float>(c);
                const float fr = static_cast<float>(r);
                const float cx = (fc + b[0]) * s;
                const float cy = (fr + b[1]) * s;
                const float w = std::exp(b[2]) * s;
                const float h = std::exp(b[3]) * s;
                Face f;
                f.box = cv::Rect2f(cx - w / 2.0f, cy - h / 2.0f, w, h);
                bool finite = std::isfinite(cx) && std::isfinite(cy) && std::isfinite(w) &&
                              std::isfinite(h) && std::isfinite(f.box.x) && std::isfinite(f.box.y);
                for (std::size_t n = 0; n < kNumLandmarks; ++n) {
                    f.landmarks[n] = cv::Point2f((k[2 * n] + fc) * s, (k[2 * n + 1] + fr) * s);
                    finite = finite && std::isfinite(f.landmarks[n].x) &&
                             std::isfinite(f.landmarks[n].y);
                }
                if (!finite) {
                    continue;
                }
                f.hasLandmarks = true;
                f.score = score;
                candidates.push_back(f);
                boxes.emplace_back(f.box.x, f.box.y, f.box.width, f.box.height);
                scores.push_back(score);
            }
        }
    }

    // The candidates already passed the (inclusive) threshold; NMSBoxes' own test is strict
    // (score > threshold) and requires a threshold >= 0, so it gets 0: every candidate with a
    // positive score goes through (a score of 0 is never a face).
    std::vector<int> keep;
    cv::dnn::NMSBoxes(boxes, scores, /*score_threshold=*/0.0f, nmsIouThreshold, keep,
                      /*eta=*/1.0f, std::max(0, topK));
    Faces faces;
    faces.reserve(keep.size());
    for (int index : keep) {
        faces.push_back(candidates[static_cast<std::size_t>(index)]);
    }
    // NMSBoxes returns indices in descending score order; keep ties deterministic anyway.
    std::stable_sort(faces.begin(), faces.end(),
                     [](const Face& a, const Face& b) { return a.score > b.score; });
    return faces;
}

// ---------------------------------------------------------------------------------------------
// YuNet model file

std::string userModelDir() {
    const std::string xdg = getEnv("XDG_DATA_HOME");
    if (!xdg.empty()) {
        return (fs::path(xdg) / "litefer" / "models").string();
    }
    const std::string home = getEnv("HOME");
    if (!home.empty()) {
        return (fs::path(home) / ".local" / "share" / "litefer" / "models").string();
    }
    return {};
}

std::string findYuNetModel(const std::string& explicitPath) {
    if (!explicitPath.empty()) {
        return explicitPath;
    }
    const std::string env = getEnv("LITEFER_YUNET_MODEL");
    if (!env.empty()) {
        return env;
    }
    const std::string dir = userModelDir();
    std::error_code ec;
    if (dir.empty() || !fs::is_directory(dir, ec)) {
        return {};
    }
    // kYuNetFilePattern is "<prefix>*<suffix>".
    const std::string_view pattern = kYuNetFilePattern;
    const std::size_t star = pattern.find('*');
    const std::string prefix(pattern.substr(0, star));
    const std::string suffix(pattern.substr(star + 1));
    std::vector<std::string> matches;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() >= prefix.size() + suffix.size() && name.rfind(prefix, 0) == 0 &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
            isRegularFile(it->path().string())) {
            matches.push_back(it->path().string());
        }
    }
    if (matches.empty()) {
        return {};
    }
    std::sort(matches.begin(), matches.end());
    return matches.front();
}

std::string yuNetModelHelp() {
    const std::string dir = userModelDir();
    return "LiteFER does not ship the YuNet face detector. Download "
           "face_detection_yunet_2023mar.onnx from the OpenCV model zoo "
           "(https://github.com/opencv/opencv_zoo/tree/main/models/face_detection_yunet) into " +
           (dir.empty() ? std::string("$XDG_DATA_HOME/litefer/models/") : dir + "/") +
           ", or point to it with --detector-model FILE or LITEFER_YUNET_MODEL=FILE; or use the "
           "Haar detector (--detector haar).";
}

// ---------------------------------------------------------------------------------------------
// YuNet detector

struct YuNetDetector::Impl {
    DetectorOptions options;
    std::string path;
    cv::dnn::Net net;
    std::vector<cv::String> outputNames;  // kYuNetOutputNames, as found in the model
    cv::Mat bgr;                          // reused buffers
    cv::Mat padded;
    cv::Mat blob;
    std::vector<cv::Mat> outputs;
};

YuNetDetector::YuNetDetector(const std::string& modelPath, const DetectorOptions& options)
    : impl_(std::make_unique<Impl>()) {
    Impl& d = *impl_;
    d.options = options;
    d.path = modelPath;
    if (modelPath.empty()) {
        throw std::runtime_error("no YuNet model file given. " + yuNetModelHelp());
    }
    if (!isRegularFile(modelPath)) {
        throw std::runtime_error("YuNet model '" + modelPath + "' not found (" +
                                 (fs::exists(modelPath) ? "not a regular file" : "no such file") +
                                 "). " + yuNetModelHelp());
    }
    try {
        d.net = cv::dnn::readNetFromONNX(modelPath);
    } catch (const cv::Exception& e) {
        throw std::runtime_error("cannot load YuNet model '" + modelPath +
                                 "': not a readable ONNX model (" + e.err +
                                 "); the file may be truncated or corrupt. " + yuNetModelHelp());
    }
    if (d.net.empty()) {
        throw std::runtime_error("cannot load YuNet model '" + modelPath +
                                 "': the ONNX file holds no network. " + yuNetModelHelp());
    }

    // Outputs by name, never by index: cv::dnn lists unconnected outputs in its own order
    // (alphabetical for this model), not in the order the decoder needs.
    const std::vector<cv::String> found = d.net.getUnconnectedOutLayersNames();
    for (std::string_view wanted : kYuNetOutputNames) {
        if (std::find(found.begin(), found.end(), wanted) == found.end()) {
            std::string have;
            for (const cv::String& name : found) {
                have += (have.empty() ? "" : ", ") + name;
            }
            throw std::runtime_error(
                "'" + modelPath + "' is not a YuNet 2023mar model: it has no output '" +
                std::string(wanted) + "' (its outputs: " + have + "). " + yuNetModelHelp());
        }
        d.outputNames.emplace_back(wanted);
    }
    d.net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    d.net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    applyThreads(options);

    // Warm-up: the first forward allocates and is several times slower; it also proves that
    // the model runs and that its outputs decode.
    try {
        detect(cv::Mat(kWarmUpHeight, kWarmUpWidth, CV_8UC3, cv::Scalar::all(0)));
    } catch (const std::exception& e) {
        throw std::runtime_error("YuNet model '" + modelPath +
                                 "' loads but does not run: " + e.what() + ". " + yuNetModelHelp());
    }
}

YuNetDetector::~YuNetDetector() = default;
YuNetDetector::YuNetDetector(YuNetDetector&&) noexcept = default;
YuNetDetector& YuNetDetector::operator=(YuNetDetector&&) noexcept = default;

const std::string& YuNetDetector::modelPath() const {
    return impl_->path;
}

Faces YuNetDetector::detect(const cv::Mat& bgrOrGray) {
    checkFrame(bgrOrGray);
    if (bgrOrGray.empty()) {
        return {};
    }
    Impl& d = *impl_;
    // The network was trained on BGR images with raw 0..255 values.
    switch (bgrOrGray.channels()) {
        case 1:
            cv::cvtColor(bgrOrGray, d.bgr, cv::COLOR_GRAY2BGR);
            break;
        case 4:
            cv::cvtColor(bgrOrGray, d.bgr, cv::COLOR_BGRA2BGR);
            break;
        default:
            d.bgr = bgrOrGray;
            break;
    }
    const cv::Size size = detectionSize(bgrOrGray.size(), d.options.detectWidth);
    const cv::Mat small = resizeTo(d.bgr, size);
    // Pad right and bottom with black to multiples of 32, as FaceDetectorYN does: coordinates
    // in the padded image equal those in `small`, so mapping back is a pure scale.
    const int padW = (size.width + kYuNetDivisor - 1) / kYuNetDivisor * kYuNetDivisor;
    const int padH = (size.height + kYuNetDivisor - 1) / kYuNetDivisor * kYuNetDivisor;
    cv::copyMakeBorder(small, d.padded, 0, padH - size.height, 0, padW - size.width,
                       cv::BORDER_CONSTANT, cv::Scalar::all(0));
    // [1, 3, H, W] float, BGR, 0..255: no scaling, no mean, no channel swap.
    cv::dnn::blobFromImage(d.padded, d.blob, /*scalefactor=*/1.0, cv::Size(), cv::Scalar(),
                           /*swapRB=*/false, /*crop=*/false, CV_32F);
    d.net.setInput(d.blob);
    d.net.forward(d.outputs, d.outputNames);

    Faces faces = decodeYuNet(d.outputs, d.padded.size(), d.options.scoreThreshold);
    const float sx = static_cast<float>(bgrOrGray.cols) / static_cast<float>(size.width);
    const float sy = static_cast<float>(bgrOrGray.rows) / static_cast<float>(size.height);
    for (Face& f : faces) {
        f.box = cv::Rect2f(f.box.x * sx, f.box.y * sy, f.box.width * sx, f.box.height * sy);
        for (cv::Point2f& p : f.landmarks) {
            p = cv::Point2f(p.x * sx, p.y * sy);
        }
    }
    filterFaces(faces, d.options);
    return faces;
}

// ---------------------------------------------------------------------------------------------

std::unique_ptr<FaceDetector> makeDetector(const std::string& kind, const DetectorOptions& options,
                                           const std::string& modelPath) {
    if (kind == "haar") {
        return std::make_unique<HaarDetector>(options, modelPath);
    }
    if (kind == "yunet") {
        const std::string path = findYuNetModel(modelPath);
        if (path.empty()) {
            const std::string dir = userModelDir();
            throw std::runtime_error(
                "YuNet model not found: no --detector-model option, LITEFER_YUNET_MODEL is not set, "
                "and no " +
                std::string(kYuNetFilePattern) + " in " +
                (dir.empty() ? std::string("$XDG_DATA_HOME/litefer/models") : dir) + ". " +
                yuNetModelHelp());
        }
        return std::make_unique<YuNetDetector>(path, options);
    }
    throw std::invalid_argument("unknown face detector '" + kind + "' (use haar or yunet)");
}

}  // namespace litefer::core
