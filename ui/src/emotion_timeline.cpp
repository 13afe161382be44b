#include "litefer/ui/emotion_timeline.h"

#include <QChart>
#include <QColor>
#include <QFontMetrics>
#include <QLegend>
#include <QLineSeries>
#include <QPainter>
#include <QPen>
#include <QTimer>
#include <QValueAxis>

#include <algorithm>

namespace litefer::ui {

namespace {

QString capitalised(std::string_view name) {
    QString text = QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size()));
    if (!text.isEmpty()) {
        text[0] = text[0].toUpper();
    }
    return text;
}

const QColor kMarkerColour(0xd9, 0x30, 0x25);

}  // namespace

QColor emotionColour(Emotion emotion) {
    // One hue per emotion, readable on light and dark backgrounds; neutral is grey.
    switch (emotion) {
        case Emotion::Angry:
            return {0xd9, 0x30, 0x25};
        case Emotion::Disgust:
            return {0x6a, 0x8e, 0x23};
        case Emotion::Fear:
            return {0x8e, 0x44, 0xad};
        case Emotion::Happy:
            return {0xf2, 0xa9, 0x00};
        case Emotion::Sad:
            return {0x1f, 0x77, 0xb4};
        case Emotion::Surprise:
            return {0x17, 0xbe, 0xcf};
        case Emotion::Neutral:
            return {0x8c, 0x8c, 0x8c};
    }
    return Qt::gray;
}

EmotionTimeline::EmotionTimeline(QWidget* parent) : QChartView(parent) {
    auto* chart = new QChart;
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->legend()->setAlignment(Qt::AlignRight);
    chart->legend()->setFont(font());
    axisX_ = new QValueAxis(chart);
    axisX_->setTitleText(tr("time (s)"));
    axisX_->setLabelFormat(QStringLiteral("%.0f"));
    axisX_->setTickType(QValueAxis::TicksDynamic);
    axisX_->setTickAnchor(0.0);
    axisX_->setTickInterval(10.0);
    axisX_->setRange(0.0, kWindowMs / 1000.0);
    axisY_ = new QValueAxis(chart);
    axisY_->setRange(0.0, 1.0);
    axisY_->setTickCount(3);
    axisY_->setLabelFormat(QStringLiteral("%.1f"));
    chart->addAxis(axisX_, Qt::AlignBottom);
    chart->addAxis(axisY_, Qt::AlignLeft);
    for (std::size_t i = 0; i < kNumEmotions; ++i) {
        auto* series = new QLineSeries(chart);
        series->setName(capitalised(kEmotionNames[i]));
        QPen pen(emotionColour(static_cast<Emotion>(i)));
        pen.setWidthF(1.6);
        series->setPen(pen);
        chart->addSeries(series);
        series->attachAxis(axisX_);
        series->attachAxis(axisY_);
        series_[i] = series;
    }
    // QChartView(parent) made a default chart; setChart() only releases it (Qt 6.4), so it
    // is deleted here (LeakSanitizer found ~26 KB per timeline).
    QChart* defaultChart = this->chart();
    setChart(chart);
    delete defaultChart;
    setRenderHint(QPainter::Antialiasing);
    setToolTip(tr("Smoothed probabilities of the selected face over the last 60 seconds"));
}

void EmotionTimeline::addPoint(double tMs, const EmotionScores& smoothed) {
    if (tMs < lastMs_) {
        clear();
    }
    lastMs_ = tMs;
    const double x = tMs / 1000.0;
    for (std::size_t i = 0; i < kNumEmotions; ++i) {
        points_[i].append(QPointF(x, static_cast<double>(smoothed[i])));
    }
    prune(tMs);
    dirty_ = true;
    if (!redrawQueued_) {
        redrawQueued_ = true;
        QTimer::singleShot(kRedrawIntervalMs, this, [this] { redraw(); });
    }
}

void EmotionTimeline::addMarker(double tMs, const QString& label) {
    markers_.append(Marker{tMs, label});
    dirty_ = true;
    if (!redrawQueued_) {
        redrawQueued_ = true;
        QTimer::singleShot(0, this, [this] { redraw(); });
    }
}

void EmotionTimeline::clear() {
    for (std::size_t i = 0; i < kNumEmotions; ++i) {
        points_[i].clear();
        series_[i]->clear();
    }
    markers_.clear();
    lastMs_ = -1.0;
    axisX_->setRange(0.0, kWindowMs / 1000.0);
    viewport()->update();
}

void EmotionTimeline::prune(double nowMs) {
    const double oldest = (nowMs - kWindowMs) / 1000.0;
    for (auto& points : points_) {
        const auto firstKept = std::find_if(points.begin(), points.end(),
                                            [oldest](const QPointF& p) { return p.x() >= oldest; });
        points.erase(points.begin(), firstKept);
    }
    markers_.erase(std::remove_if(markers_.begin(), markers_.end(),
                                  [oldest](const Marker& m) { return m.tMs / 1000.0 < oldest; }),
                   markers_.end());
}

void EmotionTimeline::redraw() {
    redrawQueued_ = false;
    if (!dirty_) {
        return;
    }
    dirty_ = false;
    // Lines need two points: a single moment (an image) shows as dots.
    const bool dots = points_[0].size() < 2;
    for (std::size_t i = 0; i < kNumEmotions; ++i) {
        series_[i]->setPointsVisible(dots);
        series_[i]->replace(points_[i]);
    }
    // Fills from the left until the window is full, then scrolls: [max(0, t - 60), max(60, t)].
    const double end = std::max(lastMs_ / 1000.0, kWindowMs / 1000.0);
    axisX_->setRange(end - kWindowMs / 1000.0, end);
    viewport()->update();
}

void EmotionTimeline::drawForeground(QPainter* painter, const QRectF& rect) {
    QChartView::drawForeground(painter, rect);
    if (markers_.isEmpty()) {
        return;
    }
    const QRectF plot = chart()->plotArea();
    painter->save();
    painter->setClipRect(plot.adjusted(0, -2, 0, 2));
    QPen pen(kMarkerColour);
    pen.setWidthF(1.5);
    pen.setStyle(Qt::DashLine);
    painter->setFont(font());
    const QFontMetrics metrics(font());
    for (const Marker& m : markers_) {
        const QPointF top = chart()->mapToPosition(QPointF(m.tMs / 1000.0, 1.0), series_[0]);
        if (top.x() < plot.left() || top.x() > plot.right()) {
            continue;
        }
        painter->setPen(pen);
        painter->drawLine(QPointF(top.x(), plot.top()), QPointF(top.x(), plot.bottom()));
        painter->setPen(kMarkerColour);
        const QString text = metrics.elidedText(m.label, Qt::ElideRight, 120);
        painter->drawText(QPointF(top.x() + 3, plot.top() + metrics.ascent() + 1), text);
    }
    painter->restore();
}

}  // namespace litefer::ui
