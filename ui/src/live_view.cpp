#include "litefer/ui/live_view.h"

#include <QColor>
#include <QFont>
#include <QFontMetrics>
#include <QPaintEvent>
#include <QPainter>

#include <algorithm>

namespace litefer::ui {

namespace {

// A dark, neutral surround: the picture is the brightest thing on screen and the eye is not
// drawn to the borders when the aspect ratios differ.
const QColor kBackground(0x1e, 0x1f, 0x22);
const QColor kHeadlineColour(0xe8, 0xea, 0xed);
const QColor kDetailColour(0x9a, 0xa0, 0xa6);

constexpr int kMessageMaxWidth = 560;     // px: long lines wrap within this width
constexpr int kMessageMargin = 24;        // px from the widget's edges
constexpr double kHeadlineScale = 1.6;    // headline point size relative to the widget's font
constexpr double kDetailScale = 1.1;      // explanation point size relative to the widget's font
constexpr int kHeadlineToDetailGap = 12;  // px between headline and explanation

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

}  // namespace

LiveView::LiveView(QWidget* parent) : QWidget(parent) {
    // Every pixel is painted in paintEvent(): skip Qt's background fill.
    setAttribute(Qt::WA_OpaquePaintEvent);
    setAutoFillBackground(false);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void LiveView::setImage(const QImage& image) {
    image_ = image;
    message_.clear();
    update();
}

void LiveView::setMessage(const QString& message) {
    message_ = message;
    image_ = QImage();
    update();
}

void LiveView::setMirrored(bool mirrored) {
    if (mirrored_ == mirrored) {
        return;
    }
    mirrored_ = mirrored;
    update();
}

QRect LiveView::imageRect() const {
    if (image_.isNull() || width() <= 0 || height() <= 0) {
        return {};
    }
    const QSize fitted = image_.size().scaled(size(), Qt::KeepAspectRatio);
    return {QPoint((width() - fitted.width()) / 2, (height() - fitted.height()) / 2), fitted};
}

QSize LiveView::sizeHint() const {
    return {640, 480};
}

QSize LiveView::minimumSizeHint() const {
    return {320, 240};
}

void LiveView::paintEvent(QPaintEvent* event) {
    QPainter painter(this);
    painter.fillRect(event->rect(), kBackground);

    const QRect target = imageRect();
    if (!target.isEmpty()) {
        painter.setRenderHint(QPainter::SmoothPixmapTransform);
        if (mirrored_) {
            // Reflect about the target's vertical centre line: x -> left + right + 1 - x.
            painter.translate(target.left() + target.right() + 1, 0);
            painter.scale(-1, 1);
        }
        painter.drawImage(target, image_);
        return;
    }
    if (!message_.isEmpty()) {
        paintMessage(painter);
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
