#pragma once
// Values that cross from the analysis worker's threads to the GUI thread. Plain copyable types
// (registered with Qt's meta-type system so they travel in queued signals); nothing here points
// into the worker's state.
//
// Coordinates are frame pixels of the analysed frame (the picture the pipeline saw, before any
// display mirroring). Probabilities are in [0, 1], canonical label order (litefer::kEmotionNames).
#include <QImage>
#include <QMetaType>
#include <QRectF>
#include <QString>
#include <QVector>

#include <cstdint>

#include "litefer/core/face_detector.h"
#include "litefer/core/tracker.h"
#include "litefer/labels.h"

namespace litefer::ui {

/// One tracked face of a processed frame (core::TrackedFace, reduced to what the GUI shows).
struct FaceState {
    int id = 0;                        ///< track id: stable across frames, never reused in a run
    QRectF box;                        ///< frame pixels
    bool hasScores = false;            ///< the track has been classified at least once
    EmotionScores raw{};               ///< latest classifier output
    EmotionScores smoothed{};          ///< after the track's smoother
    Emotion label = Emotion::Neutral;  ///< the smoothed label (with dwell)
    bool uncertain = true;             ///< scores too flat to name an emotion
};

/// Per-stage milliseconds of one frame (core::StageTimings).
struct StageTimes {
    double capture = 0.0;
    double wait = 0.0;
    double detect = 0.0;
    double align = 0.0;
    double classify = 0.0;
    double track = 0.0;
    double total = 0.0;
    double latency = 0.0;
};

/// One processed frame, as the GUI sees it.
struct AnalysisFrame {
    /// The analysed frame. Shares the pipeline's pixels (8-bit BGR, QImage::Format_BGR888)
    /// without copying; read-only.
    QImage image;
    std::uint64_t frameId = 0;
    double timestampMs = 0.0;  ///< the frame's clock (media time for files)
    QString sourceName;        ///< file name for stills and folders
    QVector<FaceState> faces;  ///< detector order
    StageTimes timings;
    std::uint64_t captured = 0;   ///< frames the source delivered this run
    std::uint64_t processed = 0;  ///< frames processed this run
    std::uint64_t dropped = 0;    ///< frames replaced by newer ones before processing
};

/// What the worker runs with. The GUI maps QSettings and the command line onto it.
struct AnalysisConfig {
    QString modelPath;                          ///< .lfm file; empty: core::defaultModelPath()
    QString detector = QStringLiteral("haar");  ///< "haar" or "yunet"
    QString detectorModel;                      ///< YuNet .onnx / Haar .xml; empty: searched
    core::DetectorOptions detection;
    core::TrackerOptions tracking;  ///< smoothing tau and dwell inside
};

/// Facts about the loaded model and detector, for the statistics panel and the About box.
struct ModelFacts {
    QString path;
    QString name;          ///< manifest name
    QString architecture;  ///< network name
    std::int64_t parameters = 0;
    std::int64_t macs = 0;       ///< multiply-adds per face
    double testAccuracy = -1.0;  ///< manifest metrics (test, no TTA); < 0 unknown
    QString device;              ///< "CPU, 1 thread" / "CUDA"
    QString detector;            ///< "haar" / "yunet"
    QString detectorModel;       ///< file used
};

/// What was opened.
struct SourceFacts {
    QString spec;  ///< as given (file, URL, camera name)
    QString kind;  ///< core::sourceKindName(): camera, stream, video, image, folder
    int width = 0;
    int height = 0;
    double fps = 0.0;  ///< nominal; 0 unknown
    bool live = false;
};

}  // namespace litefer::ui

Q_DECLARE_METATYPE(litefer::ui::AnalysisFrame)
Q_DECLARE_METATYPE(litefer::ui::ModelFacts)
Q_DECLARE_METATYPE(litefer::ui::SourceFacts)
Q_DECLARE_METATYPE(litefer::ui::AnalysisConfig)
