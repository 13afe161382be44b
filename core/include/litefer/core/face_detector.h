#pragma once
// Face detection: a small interface with two stages behind it.
//
// - HaarDetector: OpenCV's frontal-face Haar cascade (haarcascade_frontalface_default.xml from
//   the system's OpenCV data). Always available on Debian with opencv-data; weak on turned,
//   tilted or small faces, no landmarks, no calibrated score.
// - YuNetDetector: the YuNet CNN (OpenCV model zoo, 2023mar release) run through cv::dnn with a
//   decoder of our own (decodeYuNet). Much more accurate, gives five landmarks for alignment.
//   Its ONNX file is not shipped with LiteFER: the user provides it (see findYuNetModel()).
//
// Both detect on a copy of the frame downscaled to DetectorOptions::detectWidth and map the
// results back to frame pixels. Detectors are not thread-safe: use one instance per thread.
//
// Threads: OpenCV's parallel loops (TBB in Debian's build) serve Haar and cv::dnn. Detection and
// the emotion network (LibTorch, OpenMP) run on different threads of a 2-core target, and two
// thread pools over 2 cores oversubscribe the CPU and make latency tails long (RUNTIME.md,
// "Threads"). At detectWidth 320 a second OpenCV thread gains little (YuNet 6.7 -> 5.8 ms per
// frame there), so the default is DetectorOptions::openCvThreads = 1: OpenCV work runs on the
// calling (detection) thread and the other core stays free for the classifier.
#include <opencv2/core.hpp>

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "litefer/core/face.h"

namespace litefer::core {

/// Detection settings shared by all detectors.
struct DetectorOptions {
    /// YuNet: faces scoring below this are discarded (the score is sqrt(cls * obj), 0..1).
    /// Haar has no score and ignores it (minNeighbors plays that role).
    float scoreThreshold = 0.6f;
    /// Smallest face kept, in pixels of the input frame (the smaller side of the box).
    int minFaceSize = 40;
    /// At most this many faces per frame, highest score (Haar: largest) first; <= 0: no limit.
    int maxFaces = 8;
    /// Frames wider than this are downscaled to this width (aspect kept) for detection; boxes
    /// and landmarks are mapped back to frame pixels. Narrower frames are used as they are;
    /// <= 0: never downscale.
    int detectWidth = 320;
    /// > 0: the constructor calls cv::setNumThreads(openCvThreads). This is process-wide and
    /// affects every OpenCV call of the process. 0: leave OpenCV's setting alone.
    int openCvThreads = 1;
};

/// A face detector: one frame in, faces out.
class FaceDetector {
  public:
    virtual ~FaceDetector() = default;
    /// `bgrOrGray`: an 8-bit grey, BGR or BGRA frame of any size. Returns the faces in frame
    /// pixels, best first, at most options.maxFaces; no face (or an empty frame) gives an empty
    /// result. Throws std::invalid_argument for a frame that is not 8-bit with 1, 3 or 4 channels.
    virtual Faces detect(const cv::Mat& bgrOrGray) = 0;
    /// A short, stable identifier: "haar" or "yunet" (the kind given to makeDetector()).
    virtual std::string name() const = 0;
};

// ---------------------------------------------------------------------------------------------
// Haar cascade

/// The cascade file name looked for by findHaarCascade().
inline constexpr std::string_view kHaarCascadeFile = "haarcascade_frontalface_default.xml";

/// Where findHaarCascade() looks, in order, for a given explicit path: the explicit path (if
/// not empty), $LITEFER_HAAR_CASCADE (if set), then the system OpenCV data folders
/// (/usr/share/opencv4/haarcascades/, /usr/share/opencv/haarcascades/,
/// /usr/local/share/opencv4/haarcascades/) joined with kHaarCascadeFile.
std::vector<std::string> haarCascadeCandidates(const std::string& explicitPath);

/// The cascade file to use: `explicitPath` if not empty, else $LITEFER_HAAR_CASCADE if set and
/// not empty (both returned as given, even when missing, so that loading names the file the
/// user asked for), else the first system candidate that is a regular file; empty if none is.
std::string findHaarCascade(const std::string& explicitPath = "");

class HaarDetector : public FaceDetector {
  public:
    /// Haar parameters, chosen for real time on a 2-core CPU: the defaults (scale 1.1,
    /// minNeighbors 3, no minimum size) take 180-330 ms per 640x480 frame (RUNTIME.md).
    static constexpr double kScaleFactor = 1.2;
    static constexpr int kMinNeighbors = 5;

    /// Loads the cascade found by findHaarCascade(cascadePath). Throws std::runtime_error naming
    /// the places searched and the fix (install opencv-data, or pass --haar-cascade FILE) when
    /// no file is found, or naming the file when it is missing or does not load as a cascade.
    explicit HaarDetector(const DetectorOptions& options = {}, const std::string& cascadePath = "");
    ~HaarDetector() override;
    HaarDetector(HaarDetector&&) noexcept;
    HaarDetector& operator=(HaarDetector&&) noexcept;

    /// Grey conversion, downscale to detectWidth, equalizeHist, detectMultiScale. Haar gives no
    /// landmarks and no calibrated confidence: every face has score 1 and hasLandmarks false.
    /// Faces are ordered largest first.
    Faces detect(const cv::Mat& bgrOrGray) override;
    std::string name() const override { return "haar"; }
    const std::string& cascadePath() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------------------------------------
// YuNet

/// YuNet's strides, one output group per stride.
inline constexpr std::array<int, 3> kYuNetStrides = {8, 16, 32};
/// The network's input sides must be multiples of this (the largest stride).
inline constexpr int kYuNetDivisor = 32;
/// NMS IoU threshold, as in OpenCV's FaceDetectorYN and the model zoo demo.
inline constexpr float kYuNetNmsIou = 0.3f;
/// The 12 output layer names in the order decodeYuNet() expects them: cls, obj, bbox, kps,
/// each for strides 8, 16, 32 (the order of OpenCV's FaceDetectorYN, 4.8+).
inline constexpr std::array<std::string_view, 12> kYuNetOutputNames = {
    "cls_8",  "cls_16",  "cls_32",  "obj_8", "obj_16", "obj_32",
    "bbox_8", "bbox_16", "bbox_32", "kps_8", "kps_16", "kps_32"};

/// Decodes YuNet's raw outputs into faces, in the pixel coordinates of the network input.
///
/// `outputs`: 12 CV_32F matrices in kYuNetOutputNames order; for stride s the grid has
/// rows = inputSize.height / s and cols = inputSize.width / s cells, one prior each, row-major,
/// and cls/obj hold 1, bbox 4 and kps 10 floats per cell (any shape with that many elements,
/// e.g. cv::dnn's [1, cells, k]). `inputSize`: the network input (multiples of kYuNetDivisor).
///
/// Per cell (c, r) at stride s: score = sqrt(clamp(cls, 0, 1) * clamp(obj, 0, 1)); box centre
/// ((c + bbox0) * s, (r + bbox1) * s), size (exp(bbox2) * s, exp(bbox3) * s); landmark n at
/// ((kps[2n] + c) * s, (kps[2n+1] + r) * s). Cells scoring below `scoreThreshold` are dropped,
/// as are cells with non-finite values; then non-maximum suppression at IoU
/// `nmsIouThreshold` (cv::dnn::NMSBoxes) keeps at most `topK` faces (<= 0: all), best first.
///
/// A face needs a score > 0 whatever the threshold. Throws std::invalid_argument when the
/// count, type or size of the outputs does not match inputSize, or nmsIouThreshold is not in
/// [0, 1]. Pure: safe to call from any thread.
Faces decodeYuNet(const std::vector<cv::Mat>& outputs, cv::Size inputSize, float scoreThreshold,
                  float nmsIouThreshold = kYuNetNmsIou, int topK = 0);

/// The YuNet file name pattern looked for in the data folder.
inline constexpr std::string_view kYuNetFilePattern = "face_detection_yunet_2023mar*.onnx";

/// The folder where LiteFER looks for model files it does not ship:
/// $XDG_DATA_HOME/litefer/models, or ~/.local/share/litefer/models when XDG_DATA_HOME is unset
/// or empty (empty when neither XDG_DATA_HOME nor HOME is set).
std::string userModelDir();

/// The YuNet ONNX file to use: `explicitPath` if not empty, else $LITEFER_YUNET_MODEL if set
/// and not empty (both returned as given, even when missing, so that loading names the file the
/// user asked for), else the first file, in name order, matching kYuNetFilePattern in
/// userModelDir(). Empty when none of these gives a file.
std::string findYuNetModel(const std::string& explicitPath = "");

class YuNetDetector : public FaceDetector {
  public:
    /// Loads `modelPath` with cv::dnn::readNetFromONNX, checks that it has the 12 YuNet outputs
    /// (resolved by layer name) and runs one warm-up forward. Throws std::runtime_error naming
    /// the file, the reason and how to get or point to the model.
    explicit YuNetDetector(const std::string& modelPath, const DetectorOptions& options = {});
    ~YuNetDetector() override;
    YuNetDetector(YuNetDetector&&) noexcept;
    YuNetDetector& operator=(YuNetDetector&&) noexcept;

    /// Downscales to detectWidth, pads right and bottom with black to multiples of 32 (as
    /// OpenCV's FaceDetectorYN does), runs the network on a raw 0..255 BGR blob (no mean, no
    /// scaling), decodes with decodeYuNet and maps the faces back to frame pixels. Faces have
    /// landmarks and are ordered best score first.
    Faces detect(const cv::Mat& bgrOrGray) override;
    std::string name() const override { return "yunet"; }
    const std::string& modelPath() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// How to obtain the YuNet model, for error messages: where to download it, where to put it
/// and the options that point to it.
std::string yuNetModelHelp();

/// "haar" -> HaarDetector, "yunet" -> YuNetDetector. `modelPath` is the file to load (the
/// cascade XML for haar, the ONNX model for yunet); empty means search (findHaarCascade(),
/// findYuNetModel()). Throws std::invalid_argument for an unknown kind and std::runtime_error,
/// with the searched places and the fix, when the file is not found or does not load.
std::unique_ptr<FaceDetector> makeDetector(const std::string& kind,
                                           const DetectorOptions& options = {},
                                           const std::string& modelPath = "");

}  // namespace litefer::core
