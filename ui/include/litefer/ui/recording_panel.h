#pragma once
// RecordingPanel: the recording studio for psychologists (docs/recording.md).
//
// Before a session: a pseudonymous participant id, a session name, notes, the output folder
// (the session folder inside it is named <participant>_<session>_<yyyyMMdd-hhmmss>, sanitised
// by sessionFolderName()), "No video (scores only)" and "Blur faces in the video", and the
// consent checkbox that must be ticked before Start is enabled.
// During a session: a red recording indicator with the elapsed time (mm:ss, each second), and
// markers from the keys 1-9 (triggerMarkerKey) with the labels of an editable table that is
// kept in QSettings (organisation "LiteFER", application "LiteFER", key
// "recording/markerLabels"; the "Save in" folder under "recording/outputFolder").
// After a session: its markers (read back from markers.csv) can be relabelled, annotated and
// deleted, and are saved back with core::writeMarkersCsv.
//
// The panel does not record: it asks (startRequested/stopRequested/markerRequested) and is
// told what happened (onRecordingStarted/onRecordingStopped/onMarkerAdded); the main window
// connects it to the analysis worker that owns the core::SessionRecorder.
//
// Thread-safety: a QWidget; GUI thread only.
#include <QDateTime>
#include <QElapsedTimer>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <deque>
#include <utility>

#include "litefer/ui/recording_request.h"

class QCheckBox;
class QKeyEvent;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;
class QTimer;

namespace litefer::ui {

/// Number of marker keys (1-9).
inline constexpr int kMarkerKeys = 9;

/// `text` as a file-name part: ASCII letters, digits and '-' (anything else becomes '-', runs
/// collapse, ends trimmed), at most 40 characters. Empty when nothing is left.
QString sanitizeFileNamePart(const QString& text);

/// "<participant>_<session>_<yyyyMMdd-hhmmss>" with each part sanitised; empty parts are left
/// out (the time is always there).
QString sessionFolderName(const QString& participant, const QString& session,
                          const QDateTime& time);

/// The default place for sessions: <Documents>/LiteFER/sessions (not created here).
QString defaultSessionsFolder();

/// The default marker labels: "baseline", "stimulus", "response", "rest", "event 5" ...
/// "event 9".
QStringList defaultMarkerLabels();

class RecordingPanel : public QWidget {
    Q_OBJECT

  public:
    explicit RecordingPanel(QWidget* parent = nullptr);
    ~RecordingPanel() override;
    RecordingPanel(const RecordingPanel&) = delete;
    RecordingPanel& operator=(const RecordingPanel&) = delete;

    /// True between onRecordingStarted() and onRecordingStopped().
    bool isRecording() const { return recording_; }

    /// Key 1-9 pressed: while recording, emits markerRequested(key, its label, the note typed
    /// in the marker-note field) and clears that field. Otherwise (or for another key) does
    /// nothing.
    void triggerMarkerKey(int key);

    /// The labels of keys 1-9 (index 0 = key 1).
    QStringList markerLabels() const;
    /// The folder the last or current session records to; empty before the first.
    QString sessionFolder() const { return folder_; }
    /// The error shown for the last session; empty when none.
    QString errorText() const;
    /// Saves the edited marker list of the last session to its markers.csv (and summary.json
    /// follows). Returns false and shows the reason when it cannot.
    bool saveMarkers();

  public Q_SLOTS:
    /// The recording has started in `folder` (the request's folder).
    void onRecordingStarted(const QString& folder);
    /// The recording has ended. `error` is empty for a normal stop; otherwise it says why it
    /// stopped (e.g. a full disk; everything recorded before is kept). `folder` may be empty
    /// when a start failed before any file was made.
    void onRecordingStopped(const QString& folder, const QString& error);
    /// A marker was written at `timestampMs` (frames' clock) with `label`.
    void onMarkerAdded(double timestampMs, const QString& label);

  Q_SIGNALS:
    void startRequested(const litefer::ui::RecordingRequest& request);
    void stopRequested();
    void markerRequested(int key, const QString& label, const QString& note);

  protected:
    /// Keys 1-9 while recording and the panel has the focus (the main window may route keys
    /// from elsewhere through triggerMarkerKey()).
    void keyPressEvent(QKeyEvent* event) override;

  private:
    QWidget* createSetupBox(QWidget* parent);
    QWidget* createStatusBox();
    QWidget* createMarkerLabelsBox(QWidget* parent);
    QWidget* createMarkerListBox(QWidget* parent);
    void onStartStopClicked();
    void onChooseFolder();
    void onTick();
    void updateState();
    void updateFolderPreview();
    void loadMarkerLabels();
    void storeMarkerLabels();
    void loadMarkersOfSession();
    void appendMarkerRow(double timestampMs, const QString& label, const QString& note);
    void deleteSelectedMarkers();
    void showError(const QString& text);

    QLineEdit* participantEdit_ = nullptr;
    QLabel* participantWarning_ = nullptr;
    QLineEdit* sessionEdit_ = nullptr;
    QPlainTextEdit* notesEdit_ = nullptr;
    QLineEdit* folderEdit_ = nullptr;
    QPushButton* chooseButton_ = nullptr;
    QLabel* folderPreview_ = nullptr;
    QCheckBox* noVideoCheck_ = nullptr;
    QCheckBox* blurCheck_ = nullptr;
    QCheckBox* consentCheck_ = nullptr;
    QPushButton* startStopButton_ = nullptr;
    QLabel* indicator_ = nullptr;
    QLabel* elapsedLabel_ = nullptr;
    QLabel* errorLabel_ = nullptr;
    QTableWidget* labelTable_ = nullptr;
    QLineEdit* markerNoteEdit_ = nullptr;
    QTableWidget* markerTable_ = nullptr;
    QPushButton* deleteMarkerButton_ = nullptr;
    QPushButton* saveMarkersButton_ = nullptr;
    QTimer* tickTimer_ = nullptr;

    bool recording_ = false;
    bool starting_ = false;  // startRequested sent, no answer yet
    bool stopping_ = false;  // stopRequested sent, no answer yet
    bool markersEdited_ = false;
    QString folder_;
    QElapsedTimer elapsed_;
    /// Notes of requested markers not yet confirmed, oldest first: (label, note).
    std::deque<std::pair<QString, QString>> pendingNotes_;
    bool sessionFiles_ = false;  // the last session's folder holds its files
};

}  // namespace litefer::ui
