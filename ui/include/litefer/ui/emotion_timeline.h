#pragma once
// EmotionTimeline: a Qt Charts line chart of the last 60 s of one face's smoothed emotion
// probabilities (seven series, canonical order), with optional marker lines (a vertical line
// and its label at a moment, e.g. a recording studio marker).
//
// Time is the frames' clock (AnalysisFrame::timestampMs: media time for files, steady clock
// for cameras), shown as seconds. The chart is redrawn at most kRedrawIntervalMs apart however
// fast points arrive; points older than the window are dropped, so memory stays bounded.
//
// Thread-safety: a QWidget; GUI thread only.
#include <QChartView>
#include <QPointF>
#include <QString>
#include <QVector>

#include <array>

#include "litefer/labels.h"

class QLineSeries;
class QValueAxis;
class QPainter;
class QRectF;

namespace litefer::ui {

class EmotionTimeline : public QChartView {
    Q_OBJECT

  public:
    static constexpr double kWindowMs = 60000.0;  ///< the span shown
    static constexpr int kRedrawIntervalMs = 100;

    explicit EmotionTimeline(QWidget* parent = nullptr);

    /// Appends one moment. `tMs` should not go backwards; a jump back (a new source) clears the
    /// chart first.
    void addPoint(double tMs, const EmotionScores& smoothed);
    /// Draws a vertical line labelled `label` at `tMs` (kept while inside the window).
    void addMarker(double tMs, const QString& label);
    /// Forgets all points and markers.
    void clear();

    /// Points held per series (for tests); markers held.
    int pointCount() const { return static_cast<int>(points_[0].size()); }
    int markerCount() const { return static_cast<int>(markers_.size()); }

  protected:
    void drawForeground(QPainter* painter, const QRectF& rect) override;

  private:
    void redraw();
    void prune(double nowMs);

    struct Marker {
        double tMs = 0.0;
        QString label;
    };

    std::array<QLineSeries*, kNumEmotions> series_{};
    std::array<QVector<QPointF>, kNumEmotions> points_;  // x: seconds
    QVector<Marker> markers_;
    QValueAxis* axisX_ = nullptr;
    QValueAxis* axisY_ = nullptr;
    double lastMs_ = -1.0;
    bool dirty_ = false;
    bool redrawQueued_ = false;
};

/// The colour LiteFER uses for an emotion everywhere (bars, timeline, live view).
QColor emotionColour(Emotion emotion);

}  // namespace litefer::ui
