#include "litefer/ui/live_view.h"

#include <QColor>
#include <QFont>
#include <QFontMetrics>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QPen>

#include <algorithm>
#include <cmath>

#include "litefer/ui/emotion_timeline.h"

namespace litefer::ui {

namespace {

// A dark, neutral surround: the picture is the brightest thing on screen and the eye is not
// drawn to the borders when the aspect ratios differ.
const QColor kBackground(0x1e, 0x1f, 0x22);
const QColor kHeadlineColour(0xe8, 0xea, 0xed);
const QColor kDetailColour(0x9a, 0xa0, 0xa6);
const QColor kTagText(0x10, 0x10, 0x10);
const QColor kBarTrack(0, 0, 0, 110);

constexpr int kMessageMaxWidth = 560;     // px: long lines wrap within this width
constexpr int kMessageMargin = 24;        // px from the widget's edges
constexpr double kHeadlineScale = 1.6;    // headline point size relative to the widget's font
constexpr double kDetailScale = 1.1;      // explanation point size relative to the widget's font
constexpr int kHeadlineToDetailGap = 12;  // px between headline and explanation

constexpr double kBoxPen = 2.0;          // px, face box
constexpr double kSelectedBoxPen = 4.0;  // px, the selected face's box
constexpr int kTagPadding = 4;           // px around the tag text
constexpr int kBarsHeight = 26;          // px, the compact bars under a box
constexpr int kBarsGap = 4;              // px between box and bars

constexpr double kGoldenAngle = 137.508;  // degrees: successive ids get well-separated hues

QFont scaledFont(const QFont& base, double scale, bool bold) {
    QFont font = base;
    if (base.pointSizeF() > 0) {
        font.setPointSizeF(base.pointSizeF() * scale);
    } else {
        font.setPixelSize(static_cast<int>(base.pixelSize() * scale));
    }
    font.setBold(bold);
    return font;
}

QString capitalised(std::string_view name) {
    QString text = QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size()));
    if (!text.isEmpty()) {
        text[0] = text[0].toUpper();
    }
    return text;
}

int percent(float p) {
    return static_cast<int>(std::lround(100.0 * static_cast<double>(p)));
}

}  // namespace

int pickFace(const QVector<FaceState>& faces, int selectedId) {
    int best = -1;
    double bestArea = -1.0;
    for (int i = 0; i < faces.size(); ++i) {
        if (faces[i].id == selectedId) {
            return i;
        }
        const double area = faces[i].box.width() * faces[i].box.height();
        if (area > bestArea) {
            bestArea = area;
            best = i;
        }
    }
    return best;
}

QString faceSummary(const FaceState& face) {
    if (!face.hasScores) {
        return QStringLiteral("\u2026");
    }
    const std::size_t top = static_cast<std::size_t>(face.label);
    const QString name = capitalised(kEmotionNames[top]);
    if (face.uncertain) {
        return LiveView::tr("uncertain (%1 %2%)")
            .arg(name.toLower())
            .arg(percent(face.smoothed[top]));
    }
    return LiveView::tr("%1 %2%").arg(name).arg(percent(face.smoothed[top]));
}

LiveView::LiveView(QWidget* parent) : QWidget(parent) {
    // Every pixel is painted in paintEvent(): skip Qt's background fill.
    setAttribute(Qt::WA_OpaquePaintEvent);
    setAutoFillBackground(false);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    updateTexts();
}

QColor LiveView::trackColour(int id) {
    const double hue = std::fmod(static_cast<double>(id) * kGoldenAngle, 360.0);
    return QColor::fromHsv(static_cast<int>(hue), 170, 255);
}

void LiveView::setImage(const QImage& image) {
    image_ = image;
    faces_.clear();
    message_.clear();
    updateTexts();
    update();
}

void LiveView::setFrame(const AnalysisFrame& frame) {
    image_ = frame.image;
    faces_ = frame.faces;
    message_.clear();
    updateTexts();
    update();
}

void LiveView::setMessage(const QString& message) {
    message_ = message;
    image_ = QImage();
    faces_.clear();
    updateTexts();
    update();
}

void LiveView::setMirrored(bool mirrored) {
    if (mirrored_ == mirrored) {
        return;
    }
    mirrored_ = mirrored;
    update();
}

void LiveView::setSelectedFace(int id) {
    if (selectedId_ == id) {
        return;
    }
    selectedId_ = id;
    updateTexts();
    update();
}

void LiveView::setBoothMode(bool on) {
    if (booth_ == on) {
        return;
    }
    booth_ = on;
    updateTexts();
    update();
}

void LiveView::updateTexts() {
    faceTexts_.clear();
    for (const FaceState& face : faces_) {
        faceTexts_.append(QStringLiteral("#%1  %2").arg(face.id).arg(faceSummary(face)));
    }
    const int index = pickFace(faces_, selectedId_);
    if (index < 0) {
        boothHeadline_ = tr("Step in front of the camera");
        boothDetail_.clear();
    } else {
        const FaceState& face = faces_[index];
        const std::size_t top = static_cast<std::size_t>(face.label);
        if (!face.hasScores) {
            boothHeadline_ = QStringLiteral("\u2026");
            boothDetail_.clear();
        } else if (face.uncertain) {
            boothHeadline_ = tr("Hard to say");
            boothDetail_ =
                tr("maybe %1 (%2%)")
                    .arg(QString::fromLatin1(kEmotionNames[top].data(),
                                             static_cast<qsizetype>(kEmotionNames[top].size())))
                    .arg(percent(face.smoothed[top]));
        } else {
            boothHeadline_ = capitalised(kEmotionNames[top]);
            boothDetail_ = tr("%1% confident").arg(percent(face.smoothed[top]));
        }
    }
}

QRect LiveView::imageRect() const {
    if (image_.isNull() || width() <= 0 || height() <= 0) {
        return {};
    }
    const QSize fitted = image_.size().scaled(size(), Qt::KeepAspectRatio);
    return {QPoint((width() - fitted.width()) / 2, (height() - fitted.height()) / 2), fitted};
}

QRectF LiveView::toWidget(const QRectF& box) const {
    const QRect target = imageRect();
    if (target.isEmpty()) {
        return {};
    }
    const double scale = static_cast<double>(target.width()) / image_.width();
    const double x = mirrored_ ? image_.width() - box.right() : box.left();
    return {target.left() + x * scale, target.top() + box.top() * scale, box.width() * scale,
            box.height() * scale};
}

int LiveView::faceAt(const QPoint& point) const {
    for (const FaceState& face : faces_) {
        if (toWidget(face.box).contains(point)) {
            return face.id;
        }
    }
    return -1;
}

QSize LiveView::sizeHint() const {
    return {640, 480};
}

QSize LiveView::minimumSizeHint() const {
    return {320, 240};
}

void LiveView::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton) {
        Q_EMIT faceClicked(faceAt(event->position().toPoint()));
    }
    QWidget::mousePressEvent(event);
}

void LiveView::paintEvent(QPaintEvent* event) {
    QPainter painter(this);
    painter.fillRect(event->rect(), kBackground);

    const QRect target = imageRect();
    if (!target.isEmpty()) {
        painter.save();
        painter.setRenderHint(QPainter::SmoothPixmapTransform);
        if (mirrored_) {
            // Reflect about the target's vertical centre line: x -> left + right + 1 - x.
            painter.translate(target.left() + target.right() + 1, 0);
            painter.scale(-1, 1);
        }
        painter.drawImage(target, image_);
        painter.restore();
        paintFaces(painter);
    } else if (!message_.isEmpty()) {
        paintMessage(painter);
    }
    if (booth_) {
        paintBooth(painter);
    }
}

void LiveView::paintFaces(QPainter& painter) const {
    painter.setRenderHint(QPainter::Antialiasing);
    const QFont tagFont = scaledFont(font(), 1.0, /*bold=*/true);
    const QFontMetrics metrics(tagFont);
    painter.setFont(tagFont);
    for (int i = 0; i < faces_.size(); ++i) {
        const FaceState& face = faces_[i];
        const QRectF box = toWidget(face.box);
        const QColor colour = trackColour(face.id);
        QPen pen(colour, face.id == selectedId_ ? kSelectedBoxPen : kBoxPen);
        if (face.hasScores && face.uncertain) {
            pen.setStyle(Qt::DashLine);  // uncertain: the box says so too
        }
        painter.setPen(pen);
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(box);
        if (booth_) {
            continue;  // the booth's large readout replaces tags and bars
        }

        // Tag: "#id  Happy 82%" on the track's colour, above the box (inside when no room).
        const QString& text = faceTexts_[i];
        const int tagW = metrics.horizontalAdvance(text) + 2 * kTagPadding;
        const int tagH = metrics.height() + kTagPadding;
        double tagY = box.top() - tagH;
        if (tagY < 0) {
            tagY = box.top();
        }
        const QRectF tag(box.left() - pen.widthF() / 2, tagY, tagW, tagH);
        painter.fillRect(tag, colour);
        painter.setPen(kTagText);
        painter.drawText(tag, Qt::AlignCenter, text);

        // Seven compact bars of the smoothed probabilities, emotion colours, under the box.
        if (face.hasScores) {
            const double slot = box.width() / static_cast<double>(kNumEmotions);
            const double barW = std::max(2.0, slot - 2.0);
            const double baseY = box.bottom() + kBarsGap + kBarsHeight;
            painter.fillRect(QRectF(box.left(), box.bottom() + kBarsGap, box.width(), kBarsHeight),
                             kBarTrack);
            for (std::size_t e = 0; e < kNumEmotions; ++e) {
                const double h =
                    kBarsHeight * std::clamp(static_cast<double>(face.smoothed[e]), 0.0, 1.0);
                painter.fillRect(
                    QRectF(box.left() + static_cast<double>(e) * slot + 1.0, baseY - h, barW, h),
                    emotionColour(static_cast<Emotion>(e)));
            }
        }
    }
}

void LiveView::paintBooth(QPainter& painter) const {
    painter.setRenderHint(QPainter::Antialiasing);
    // Privacy notice, top centre.
    const QFont noticeFont = scaledFont(font(), 1.3, /*bold=*/false);
    const QString notice = tr("Processed on this computer. Nothing is stored.");
    const QFontMetrics noticeMetrics(noticeFont);
    const int noticeW = noticeMetrics.horizontalAdvance(notice) + 32;
    const QRect noticeBox((width() - noticeW) / 2, 16, noticeW, noticeMetrics.height() + 16);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(0, 0, 0, 150));
    painter.drawRoundedRect(noticeBox, 8, 8);
    painter.setFont(noticeFont);
    painter.setPen(kHeadlineColour);
    painter.drawText(noticeBox, Qt::AlignCenter, notice);

    // Readout, bottom centre: the emotion in very large type, the confidence below.
    const double scale = std::max(3.0, height() / 160.0);
    const QFont big = scaledFont(font(), scale, /*bold=*/true);
    const QFont small = scaledFont(font(), scale / 2.5, /*bold=*/false);
    const QFontMetrics bigMetrics(big);
    const QFontMetrics smallMetrics(small);
    const int blockH =
        bigMetrics.height() + (boothDetail_.isEmpty() ? 0 : smallMetrics.height()) + 24;
    const int blockW = std::max(bigMetrics.horizontalAdvance(boothHeadline_),
                                smallMetrics.horizontalAdvance(boothDetail_)) +
                       64;
    const QRect block((width() - blockW) / 2, height() - blockH - 32, blockW, blockH);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(0, 0, 0, 170));
    painter.drawRoundedRect(block, 16, 16);
    const int index = pickFace(faces_, selectedId_);
    const QColor headlineColour = index >= 0 && faces_[index].hasScores && !faces_[index].uncertain
                                      ? emotionColour(faces_[index].label).lighter(130)
                                      : kHeadlineColour;
    painter.setFont(big);
    painter.setPen(headlineColour);
    painter.drawText(QRect(block.left(), block.top() + 8, block.width(), bigMetrics.height()),
                     Qt::AlignCenter, boothHeadline_);
    if (!boothDetail_.isEmpty()) {
        painter.setFont(small);
        painter.setPen(kDetailColour);
        painter.drawText(QRect(block.left(), block.top() + 8 + bigMetrics.height(), block.width(),
                               smallMetrics.height()),
                         Qt::AlignCenter, boothDetail_);
    }
}

void LiveView::paintMessage(QPainter& painter) const {
    const int headlineEnd = message_.indexOf(QLatin1Char('\n'));
    const QString headline = headlineEnd < 0 ? message_ : message_.left(headlineEnd);
    const QString detail = headlineEnd < 0 ? QString() : message_.mid(headlineEnd + 1).trimmed();

    const int textWidth = std::min(kMessageMaxWidth, width() - 2 * kMessageMargin);
    if (textWidth <= 0) {
        return;
    }
    const int flags = Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap;
    const QFont headlineFont = scaledFont(font(), kHeadlineScale, /*bold=*/true);
    const QFont detailFont = scaledFont(font(), kDetailScale, /*bold=*/false);
    const QRect bounds(0, 0, textWidth, height());
    const QRect headlineBox = QFontMetrics(headlineFont).boundingRect(bounds, flags, headline);
    const QRect detailBox =
        detail.isEmpty() ? QRect() : QFontMetrics(detailFont).boundingRect(bounds, flags, detail);
    const int gap = detail.isEmpty() ? 0 : kHeadlineToDetailGap;
    const int blockHeight = headlineBox.height() + gap + detailBox.height();

    const int left = (width() - textWidth) / 2;
    int top = std::max(kMessageMargin, (height() - blockHeight) / 2);
    painter.setFont(headlineFont);
    painter.setPen(kHeadlineColour);
    painter.drawText(QRect(left, top, textWidth, headlineBox.height()), flags, headline);
    if (!detail.isEmpty()) {
        top += headlineBox.height() + gap;
        painter.setFont(detailFont);
        painter.setPen(kDetailColour);
        painter.drawText(QRect(left, top, textWidth, detailBox.height()), flags, detail);
    }
}

}  // namespace litefer::ui
