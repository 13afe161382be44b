#pragma once
// SessionViewer: a window on one recorded session folder (core::readSession).
//
// Tabs: "Timeline" (a Qt Charts plot of the smoothed probabilities of one face over time, a
// face picker, and a dashed vertical line per marker), "Summary" (per face, the share of time
// per emotion for the whole session and for each marker segment, from summary.json or
// recomputed when the session did not finish), "Markers", "Details" (participant, session,
// model, detector, source, start/end, status with the error of a failed recording) and
// "Problems" (what was wrong in the files; the rest was still read).
// Buttons: "Open folder" (the system's file manager), "Delete session..." (asks, then
// core::deleteSession: removes the session's own files and the folder when empty).
//
// A folder that cannot be read at all (missing, not a session) shows the reason instead of the
// tabs (errorText()).
//
// Thread-safety: a QDialog; GUI thread only. Reading happens on the GUI thread (a one-hour
// session at 30 fps is ~20 MB of CSV, well under a second).
#include <QDialog>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

#include "litefer/core/session_reader.h"

class QChart;
class QChartView;
class QComboBox;
class QFormLayout;
class QLabel;
class QListWidget;
class QPushButton;
class QTabWidget;
class QTableWidget;

namespace litefer::ui {

class SessionViewer : public QDialog {
    Q_OBJECT

  public:
    /// Opens `folder` (see openSession()).
    explicit SessionViewer(const QString& folder, QWidget* parent = nullptr);
    ~SessionViewer() override;
    SessionViewer(const SessionViewer&) = delete;
    SessionViewer& operator=(const SessionViewer&) = delete;

    /// Lets the user pick a session folder (starting in the default sessions folder); empty
    /// when cancelled.
    static QString chooseSessionFolder(QWidget* parent);

    /// Reads and shows `folder`. Returns false (and shows the reason, errorText()) when it
    /// cannot be read at all.
    bool openSession(const QString& folder);

    QString folder() const { return folder_; }
    /// Why the folder could not be read; empty when it was.
    QString errorText() const { return error_; }
    /// The session as read; null before a successful openSession().
    const core::SessionData* session() const { return data_.get(); }

    /// Track ids with classified rows, in the face picker's order.
    QList<int> faceIds() const { return faceIds_; }
    /// Shows the timeline of `faceId` (a track id from faceIds()).
    void showFace(int faceId);
    /// Series in the timeline chart: one per emotion for the face shown (7) + one per marker.
    int seriesCount() const;
    /// Points per emotion series (at most kMaxChartPoints; long sessions are averaged down).
    int pointsPerSeries() const;
    int markerCount() const;
    /// Rows of the summary table (per face for the whole session, then per segment and face).
    int summaryRowCount() const;
    /// The problems found while reading, as sentences ("frames.csv line 12: ...").
    QStringList problems() const;

    /// Deletes the session (core::deleteSession) without asking (the button asks first).
    /// Returns false, showing why, when it could not; on success emits sessionDeleted and
    /// closes the window.
    bool deleteSessionNow();

    /// Longest emotion series drawn; longer sessions are averaged into this many buckets.
    static constexpr int kMaxChartPoints = 3000;

  Q_SIGNALS:
    /// The session's files were deleted (the caller may refresh lists of sessions).
    void sessionDeleted(const QString& folder);

  private:
    void buildUi();
    void fillDetails();
    void fillSummary();
    void fillMarkers();
    void fillProblems();
    void onDeleteClicked();
    void onOpenFolderClicked();

    QString folder_;
    QString error_;
    std::unique_ptr<core::SessionData> data_;
    QList<int> faceIds_;
    int shownFace_ = -1;

    QLabel* titleLabel_ = nullptr;
    QLabel* statusLabel_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    QComboBox* facePicker_ = nullptr;
    QChart* chart_ = nullptr;
    QChartView* chartView_ = nullptr;
    QLabel* noFaceLabel_ = nullptr;
    QTableWidget* summaryTable_ = nullptr;
    QLabel* summaryNote_ = nullptr;
    QTableWidget* markerTable_ = nullptr;
    QFormLayout* detailsForm_ = nullptr;
    QWidget* detailsPage_ = nullptr;
    QListWidget* problemList_ = nullptr;
    QPushButton* openFolderButton_ = nullptr;
    QPushButton* deleteButton_ = nullptr;
};

}  // namespace litefer::ui
