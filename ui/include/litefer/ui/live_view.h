#pragma once
// LiveView: the picture area of the main window. It shows either the newest analysed frame with
// its faces, or a message (no camera, camera lost, source failed), never both, and paints only
// what it has been given: setters store state (and precompute the texts to draw) and schedule a
// repaint; paintEvent() reads that state and draws.
//
// Per face: a box in the track's colour, the track id, the smoothed top emotion with its
// confidence ("uncertain" when the scores are too flat), and seven compact bars of the smoothed
// probabilities. The selected face (setSelectedFace, or a click: faceClicked()) is drawn with a
// thicker box. Mirroring flips the display only; face boxes follow the flipped picture.
//
// Booth mode paints, over the picture, a large readout of the selected face's emotion and a
// privacy notice.
//
// Thread-safety: a QWidget; use it from the GUI thread only.
#include <QImage>
#include <QRect>
#include <QRectF>
#include <QSize>
#include <QString>
#include <QVector>
#include <QWidget>

#include "litefer/ui/analysis_types.h"

class QMouseEvent;
class QPaintEvent;
class QPainter;

namespace litefer::ui {

class LiveView : public QWidget {
    Q_OBJECT

  public:
    explicit LiveView(QWidget* parent = nullptr);

    /// Shows `image` (any QImage format; the data is shared, not copied) scaled to fit with its
    /// aspect ratio, centred, without faces. Clears the message. A null image shows an empty view.
    void setImage(const QImage& image);
    /// Shows an analysed frame: its picture and its faces.
    void setFrame(const AnalysisFrame& frame);
    /// The image being shown (null when a message or nothing is shown).
    const QImage& image() const { return image_; }
    bool hasImage() const { return !image_.isNull(); }
    /// The faces being drawn (empty without a frame).
    const QVector<FaceState>& faces() const { return faces_; }

    /// Shows `message` in large type, centred, instead of a picture (the image is dropped). The
    /// first line is the headline; further lines are the explanation in smaller type.
    void setMessage(const QString& message);
    /// The message being shown (empty while a picture is shown).
    const QString& message() const { return message_; }

    /// Mirrors the picture left-right on screen (a "selfie" view). Only the display flips.
    void setMirrored(bool mirrored);
    bool isMirrored() const { return mirrored_; }

    /// The track drawn as selected (-1: none).
    void setSelectedFace(int id);
    int selectedFace() const { return selectedId_; }

    /// Booth mode: large readout and privacy notice over the picture.
    void setBoothMode(bool on);
    bool boothMode() const { return booth_; }
    /// The booth readout's text (headline), e.g. "Happy" or "Step in front of the camera".
    const QString& boothHeadline() const { return boothHeadline_; }

    /// Where the image is painted, in widget coordinates (empty without an image).
    QRect imageRect() const;
    /// A face box (frame pixels) in widget coordinates, mirrored when isMirrored().
    QRectF toWidget(const QRectF& frameBox) const;
    /// The id of the face under `point` (widget coordinates), or -1.
    int faceAt(const QPoint& point) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

    /// The colour of track `id` (distinct for neighbouring ids, stable across frames).
    static QColor trackColour(int id);

  Q_SIGNALS:
    /// A click on a face (its id), or on no face (-1).
    void faceClicked(int id);

  protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

  private:
    void paintMessage(QPainter& painter) const;
    void paintFaces(QPainter& painter) const;
    void paintBooth(QPainter& painter) const;
    void updateTexts();

    QImage image_;
    QVector<FaceState> faces_;
    QVector<QString> faceTexts_;  // per face, precomputed tag text
    QString message_;
    bool mirrored_ = false;
    int selectedId_ = -1;
    bool booth_ = false;
    QString boothHeadline_;
    QString boothDetail_;
};

/// The face a readout follows: `selectedId` when present in `faces`, else the largest face.
/// Returns an index into `faces`, or -1 when empty.
int pickFace(const QVector<FaceState>& faces, int selectedId);

/// "Happy 82%" or "uncertain (happy 41%)" for a face; "…" before its first scores.
QString faceSummary(const FaceState& face);

}  // namespace litefer::ui
