#pragma once
// LiveView: the picture area of the main window. It shows either the newest camera frame or a
// message (no camera, camera error, camera off), never both, and paints only what it has been
// given: setters store state and schedule a repaint, paintEvent() reads that state and draws.
//
// Thread-safety: a QWidget; use it from the GUI thread only.
#include <QImage>
#include <QRect>
#include <QSize>
#include <QString>
#include <QWidget>

class QPaintEvent;
class QPainter;

namespace litefer::ui {

class LiveView : public QWidget {
    Q_OBJECT

  public:
    explicit LiveView(QWidget* parent = nullptr);

    /// Shows `image` (any QImage format; the data is shared, not copied) scaled to fit with its
    /// aspect ratio, centred. Clears the message. A null image shows an empty view.
    void setImage(const QImage& image);
    /// The image being shown (null when a message or nothing is shown).
    const QImage& image() const { return image_; }
    bool hasImage() const { return !image_.isNull(); }

    /// Shows `message` in large type, centred, instead of a picture (the image is dropped). The
    /// first line is the headline; further lines are the explanation in smaller type.
    void setMessage(const QString& message);
    /// The message being shown (empty while a picture is shown).
    const QString& message() const { return message_; }

    /// Mirrors the picture left-right on screen (a "selfie" view). Only the display flips.
    void setMirrored(bool mirrored);
    bool isMirrored() const { return mirrored_; }

    /// Where the image is painted, in widget coordinates (empty without an image). Overlays
    /// such as face boxes map image pixels into this rectangle (mirrored when isMirrored()).
    QRect imageRect() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

  protected:
    void paintEvent(QPaintEvent* event) override;

  private:
    void paintMessage(QPainter& painter) const;

    QImage image_;
    QString message_;
    bool mirrored_ = false;
};

}  // namespace litefer::ui
