#include "litefer/ui/recording_panel.h"

#include <QAbstractItemView>
#include <QCheckBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFrame>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSettings>
#include <QSignalBlocker>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTableWidgetItem>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <exception>
#include <string>

#include "litefer/core/session_reader.h"
#include "litefer/files.h"

namespace litefer::ui {

namespace {

constexpr int kMaxNamePart = 40;
/// The elapsed time is redrawn this often, so the shown second changes at most this late
/// (a 1 s timer may fire early and show the same second twice).
constexpr int kTickMs = 200;
/// Requested markers whose confirmation has not come back are forgotten beyond this many.
constexpr std::size_t kMaxPendingNotes = 64;
constexpr const char* kLabelsKey = "recording/markerLabels";
constexpr const char* kFolderKey = "recording/outputFolder";

enum MarkerColumn { kTimeColumn = 0, kLabelColumn = 1, kNoteColumn = 2 };

/// "m:ss.s" of a time on the frames' clock.
QString markerTimeText(double ms) {
    const double seconds = std::max(0.0, ms / 1000.0);
    const int minutes = static_cast<int>(seconds / 60.0);
    return QStringLiteral("%1:%2").arg(minutes).arg(seconds - 60.0 * minutes, /*fieldWidth=*/4, 'f',
                                                    /*precision=*/1, QLatin1Char('0'));
}

/// Whether a participant id looks like a person's name (a space, or letters without digits).
bool looksLikeName(const QString& id) {
    const QString t = id.trimmed();
    if (t.isEmpty()) {
        return false;
    }
    if (t.contains(QRegularExpression(QStringLiteral("\\s")))) {
        return true;
    }
    int letters = 0;
    for (const QChar c : t) {
        if (c.isDigit()) {
            return false;
        }
        letters += c.isLetter() ? 1 : 0;
    }
    return letters >= 3;
}

QSettings settings() {
    return QSettings(QStringLiteral("LiteFER"), QStringLiteral("LiteFER"));
}

std::string toPath(const QString& s) {
    return s.toStdString();  // UTF-8, the file system's encoding here
}

}  // namespace

QString sanitizeFileNamePart(const QString& text) {
    QString out;
    bool dash = false;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        const bool keep =
            (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9');
        if (keep) {
            out += c;
            dash = false;
        } else if (!dash && !out.isEmpty()) {
            out += QLatin1Char('-');
            dash = true;
        }
        if (out.size() >= kMaxNamePart) {
            break;
        }
    }
    while (out.endsWith(QLatin1Char('-'))) {
        out.chop(1);
    }
    return out;
}

QString sessionFolderName(const QString& participant, const QString& session,
                          const QDateTime& time) {
    QStringList parts;
    for (const QString& p : {sanitizeFileNamePart(participant), sanitizeFileNamePart(session)}) {
        if (!p.isEmpty()) {
            parts << p;
        }
    }
    parts << time.toString(QStringLiteral("yyyyMMdd-hhmmss"));
    return parts.join(QLatin1Char('_'));
}

QString defaultSessionsFolder() {
    QString docs = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (docs.isEmpty()) {
        docs = QDir::homePath();
    }
    return QDir(docs).filePath(QStringLiteral("LiteFER/sessions"));
}

QStringList defaultMarkerLabels() {
    QStringList labels = {QStringLiteral("baseline"), QStringLiteral("stimulus"),
                          QStringLiteral("response"), QStringLiteral("rest")};
    for (int key = 5; key <= kMarkerKeys; ++key) {
        labels << QStringLiteral("event %1").arg(key);
    }
    return labels;
}

RecordingPanel::RecordingPanel(QWidget* parent) : QWidget(parent) {
    // The status row stays on top; the rest scrolls when the panel (usually a dock) is short.
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto* statusBox = createStatusBox();
    statusBox->setContentsMargins(6, 6, 6, 0);
    outer->addWidget(statusBox);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* content = new QWidget(scroll);
    auto* layout = new QVBoxLayout(content);
    layout->addWidget(createSetupBox(content));
    layout->addWidget(createMarkerLabelsBox(content));
    layout->addWidget(createMarkerListBox(content), /*stretch=*/1);
    scroll->setWidget(content);
    outer->addWidget(scroll, /*stretch=*/1);

    tickTimer_ = new QTimer(this);
    tickTimer_->setInterval(kTickMs);
    connect(tickTimer_, &QTimer::timeout, this, &RecordingPanel::onTick);

    loadMarkerLabels();
    updateFolderPreview();
    updateState();
}

RecordingPanel::~RecordingPanel() = default;

QWidget* RecordingPanel::createSetupBox(QWidget* parent) {
    auto* box = new QGroupBox(tr("Session"), parent);
    auto* form = new QFormLayout(box);

    participantEdit_ = new QLineEdit(box);
    participantEdit_->setObjectName(QStringLiteral("participantEdit"));
    participantEdit_->setPlaceholderText(tr("e.g. P017"));
    auto* hint = new QLabel(tr("A pseudonymous code only, never the participant's name."), box);
    hint->setObjectName(QStringLiteral("participantHint"));
    hint->setWordWrap(true);
    participantWarning_ =
        new QLabel(tr("This looks like a name. Please use a code such as P017 instead."), box);
    participantWarning_->setObjectName(QStringLiteral("participantWarning"));
    participantWarning_->setStyleSheet(QStringLiteral("color: #b35900;"));
    participantWarning_->setWordWrap(true);
    participantWarning_->hide();
    auto* participantColumn = new QVBoxLayout;
    participantColumn->addWidget(participantEdit_);
    participantColumn->addWidget(hint);
    participantColumn->addWidget(participantWarning_);
    form->addRow(tr("Participant id"), participantColumn);

    sessionEdit_ = new QLineEdit(box);
    sessionEdit_->setObjectName(QStringLiteral("sessionEdit"));
    sessionEdit_->setPlaceholderText(tr("e.g. baseline-1"));
    form->addRow(tr("Session"), sessionEdit_);

    notesEdit_ = new QPlainTextEdit(box);
    notesEdit_->setObjectName(QStringLiteral("notesEdit"));
    notesEdit_->setMaximumHeight(60);
    form->addRow(tr("Notes"), notesEdit_);

    folderEdit_ = new QLineEdit(box);
    folderEdit_->setObjectName(QStringLiteral("folderEdit"));
    folderEdit_->setText(
        settings().value(QLatin1String(kFolderKey), defaultSessionsFolder()).toString());
    chooseButton_ = new QPushButton(tr("Choose..."), box);
    chooseButton_->setObjectName(QStringLiteral("chooseFolderButton"));
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(folderEdit_, 1);
    folderRow->addWidget(chooseButton_);
    form->addRow(tr("Save in"), folderRow);
    folderPreview_ = new QLabel(box);
    folderPreview_->setObjectName(QStringLiteral("folderPreview"));
    folderPreview_->setWordWrap(true);
    folderPreview_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(QString(), folderPreview_);

    noVideoCheck_ = new QCheckBox(tr("No video (scores only)"), box);
    noVideoCheck_->setObjectName(QStringLiteral("noVideoCheck"));
    noVideoCheck_->setToolTip(tr("Record only the numbers: no picture of anyone is stored."));
    blurCheck_ = new QCheckBox(tr("Blur faces in the video"), box);
    blurCheck_->setObjectName(QStringLiteral("blurCheck"));
    form->addRow(QString(), noVideoCheck_);
    form->addRow(QString(), blurCheck_);

    consentCheck_ = new QCheckBox(tr("The participant has given informed consent"), box);
    consentCheck_->setObjectName(QStringLiteral("consentCheck"));
    auto* consentNote =
        new QLabel(tr("Record only with informed consent, and tell the participant that the "
                      "camera's picture is analysed for facial expressions. Tick it again for "
                      "every session."),
                   box);
    consentNote->setWordWrap(true);
    form->addRow(QString(), consentCheck_);
    form->addRow(QString(), consentNote);

    connect(participantEdit_, &QLineEdit::textChanged, this, [this](const QString& text) {
        participantWarning_->setVisible(looksLikeName(text));
        updateFolderPreview();
    });
    connect(sessionEdit_, &QLineEdit::textChanged, this, &RecordingPanel::updateFolderPreview);
    connect(folderEdit_, &QLineEdit::textChanged, this, &RecordingPanel::updateFolderPreview);
    connect(chooseButton_, &QPushButton::clicked, this, &RecordingPanel::onChooseFolder);
    connect(noVideoCheck_, &QCheckBox::toggled, this, &RecordingPanel::updateState);
    connect(consentCheck_, &QCheckBox::toggled, this, &RecordingPanel::updateState);
    return box;
}

QWidget* RecordingPanel::createStatusBox() {
    auto* box = new QWidget(this);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* row = new QHBoxLayout;
    startStopButton_ = new QPushButton(box);
    startStopButton_->setObjectName(QStringLiteral("startStopButton"));
    indicator_ = new QLabel(QStringLiteral("\u25CF REC"), box);
    indicator_->setObjectName(QStringLiteral("recordingIndicator"));
    indicator_->setStyleSheet(
        QStringLiteral("background: #d00000; color: white; font-weight: bold; padding: 2px 8px; "
                       "border-radius: 4px;"));
    indicator_->setToolTip(tr("Recording: the camera's picture is being analysed and saved"));
    elapsedLabel_ = new QLabel(QStringLiteral("00:00"), box);
    elapsedLabel_->setObjectName(QStringLiteral("elapsedLabel"));
    QFont mono = elapsedLabel_->font();
    mono.setFamily(QStringLiteral("monospace"));
    mono.setBold(true);
    elapsedLabel_->setFont(mono);
    row->addWidget(startStopButton_);
    row->addWidget(indicator_);
    row->addWidget(elapsedLabel_);
    row->addStretch(1);
    layout->addLayout(row);

    errorLabel_ = new QLabel(box);
    errorLabel_->setObjectName(QStringLiteral("errorLabel"));
    errorLabel_->setWordWrap(true);
    errorLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    errorLabel_->setStyleSheet(QStringLiteral(
        "color: #a00000; background: #fff0f0; border: 1px solid #d00000; padding: 4px;"));
    errorLabel_->hide();
    layout->addWidget(errorLabel_);

    connect(startStopButton_, &QPushButton::clicked, this, &RecordingPanel::onStartStopClicked);
    return box;
}

QWidget* RecordingPanel::createMarkerLabelsBox(QWidget* parent) {
    auto* box = new QGroupBox(tr("Marker keys"), parent);
    auto* layout = new QVBoxLayout(box);
    auto* hint = new QLabel(
        tr("While recording, press 1-9 (or double-click a row) to mark that moment."), box);
    hint->setWordWrap(true);
    layout->addWidget(hint);
    labelTable_ = new QTableWidget(kMarkerKeys, 2, box);
    labelTable_->setObjectName(QStringLiteral("markerLabelTable"));
    labelTable_->setHorizontalHeaderLabels({tr("Key"), tr("Label")});
    labelTable_->verticalHeader()->hide();
    labelTable_->horizontalHeader()->setStretchLastSection(true);
    labelTable_->setSelectionBehavior(QAbstractItemView::SelectRows);
    for (int row = 0; row < kMarkerKeys; ++row) {
        auto* key = new QTableWidgetItem(QString::number(row + 1));
        key->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
        labelTable_->setItem(row, 0, key);
        labelTable_->setItem(row, 1, new QTableWidgetItem());
    }
    labelTable_->resizeColumnToContents(0);
    layout->addWidget(labelTable_);
    layout->addWidget(new QLabel(tr("Note for the next marker (optional):"), box));
    markerNoteEdit_ = new QLineEdit(box);
    markerNoteEdit_->setObjectName(QStringLiteral("markerNoteEdit"));
    layout->addWidget(markerNoteEdit_);

    connect(labelTable_, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
        if (item->column() == 1) {
            storeMarkerLabels();
        }
    });
    connect(labelTable_, &QTableWidget::cellDoubleClicked, this, [this](int row, int /*col*/) {
        if (recording_) {
            triggerMarkerKey(row + 1);
        }
    });
    return box;
}

QWidget* RecordingPanel::createMarkerListBox(QWidget* parent) {
    auto* box = new QGroupBox(tr("Markers of this session"), parent);
    auto* layout = new QVBoxLayout(box);
    markerTable_ = new QTableWidget(0, 3, box);
    markerTable_->setObjectName(QStringLiteral("markerTable"));
    markerTable_->setHorizontalHeaderLabels({tr("Time"), tr("Label"), tr("Note")});
    markerTable_->verticalHeader()->hide();
    markerTable_->horizontalHeader()->setStretchLastSection(true);
    markerTable_->setSelectionBehavior(QAbstractItemView::SelectRows);
    layout->addWidget(markerTable_);
    auto* buttons = new QHBoxLayout;
    deleteMarkerButton_ = new QPushButton(tr("Delete marker"), box);
    deleteMarkerButton_->setObjectName(QStringLiteral("deleteMarkerButton"));
    saveMarkersButton_ = new QPushButton(tr("Save markers"), box);
    saveMarkersButton_->setObjectName(QStringLiteral("saveMarkersButton"));
    buttons->addWidget(deleteMarkerButton_);
    buttons->addStretch(1);
    buttons->addWidget(saveMarkersButton_);
    layout->addLayout(buttons);

    connect(markerTable_, &QTableWidget::itemChanged, this, [this](QTableWidgetItem*) {
        markersEdited_ = true;
        updateState();
    });
    connect(deleteMarkerButton_, &QPushButton::clicked, this,
            &RecordingPanel::deleteSelectedMarkers);
    connect(saveMarkersButton_, &QPushButton::clicked, this, [this] { saveMarkers(); });
    return box;
}

void RecordingPanel::triggerMarkerKey(int key) {
    if (!recording_ || key < 1 || key > kMarkerKeys) {
        return;
    }
    const QTableWidgetItem* item = labelTable_->item(key - 1, 1);
    QString label = item != nullptr ? item->text().trimmed() : QString();
    if (label.isEmpty()) {
        label = defaultMarkerLabels().at(key - 1);
    }
    const QString note = markerNoteEdit_->text();
    markerNoteEdit_->clear();
    pendingNotes_.emplace_back(label, note);
    while (pendingNotes_.size() > kMaxPendingNotes) {
        pendingNotes_.pop_front();
    }
    Q_EMIT markerRequested(key, label, note);
}

QStringList RecordingPanel::markerLabels() const {
    QStringList labels;
    for (int row = 0; row < kMarkerKeys; ++row) {
        labels << labelTable_->item(row, 1)->text();
    }
    return labels;
}

QString RecordingPanel::errorText() const {
    return errorLabel_->isHidden() ? QString() : errorLabel_->text();
}

void RecordingPanel::onStartStopClicked() {
    if (recording_) {
        stopping_ = true;
        updateState();
        Q_EMIT stopRequested();
        return;
    }
    if (!consentCheck_->isChecked() || starting_ || stopping_) {
        return;
    }
    QString base = folderEdit_->text().trimmed();
    if (base.isEmpty()) {
        base = defaultSessionsFolder();
    }
    settings().setValue(QLatin1String(kFolderKey), base);
    RecordingRequest request;
    request.participant = participantEdit_->text().trimmed();
    request.session = sessionEdit_->text().trimmed();
    request.notes = notesEdit_->toPlainText();
    request.folder = QDir(base).filePath(
        sessionFolderName(request.participant, request.session, QDateTime::currentDateTime()));
    request.writeVideo = !noVideoCheck_->isChecked();
    request.blurFaces = request.writeVideo && blurCheck_->isChecked();

    folder_ = request.folder;
    starting_ = true;
    errorLabel_->hide();
    errorLabel_->clear();
    {
        const QSignalBlocker block(markerTable_);
        markerTable_->setRowCount(0);
    }
    pendingNotes_.clear();
    markersEdited_ = false;
    sessionFiles_ = false;
    elapsedLabel_->setText(QStringLiteral("00:00"));
    updateState();
    Q_EMIT startRequested(request);
}

void RecordingPanel::onChooseFolder() {
    const QString chosen = QFileDialog::getExistingDirectory(
        this, tr("Folder for recorded sessions"), folderEdit_->text());
    if (!chosen.isEmpty()) {
        folderEdit_->setText(chosen);
    }
}

void RecordingPanel::onRecordingStarted(const QString& folder) {
    if (!folder.isEmpty()) {
        folder_ = folder;
    }
    recording_ = true;
    starting_ = false;
    stopping_ = false;
    elapsed_.start();
    tickTimer_->start();
    onTick();
    updateState();
}

void RecordingPanel::onRecordingStopped(const QString& folder, const QString& error) {
    const bool wasRecording = recording_;
    if (!folder.isEmpty()) {
        folder_ = folder;
    }
    recording_ = false;
    starting_ = false;
    stopping_ = false;
    tickTimer_->stop();
    if (wasRecording) {
        onTick();  // the final duration stays visible
    }
    pendingNotes_.clear();
    // Each session needs the participant's consent anew.
    consentCheck_->setChecked(false);
    const bool haveFiles =
        !folder_.isEmpty() && fileExists(toPath(QDir(folder_).filePath(core::kSessionJson)));
    sessionFiles_ = haveFiles;
    if (haveFiles) {
        loadMarkersOfSession();
    }
    if (!error.isEmpty()) {
        if (wasRecording || haveFiles) {
            showError(tr("The recording stopped: %1\n\nEverything recorded before this moment is "
                         "kept in %2.")
                          .arg(error, QDir::toNativeSeparators(folder_)));
        } else {
            showError(tr("The recording could not start: %1").arg(error));
        }
    }
    updateState();
}

void RecordingPanel::onMarkerAdded(double timestampMs, const QString& label) {
    QString note;
    const auto it = std::find_if(pendingNotes_.begin(), pendingNotes_.end(),
                                 [&label](const auto& p) { return p.first == label; });
    if (it != pendingNotes_.end()) {
        note = it->second;
        pendingNotes_.erase(pendingNotes_.begin(), it + 1);  // older requests were not written
    }
    appendMarkerRow(timestampMs, label, note);
    markerTable_->scrollToBottom();
    updateState();
}

void RecordingPanel::appendMarkerRow(double timestampMs, const QString& label,
                                     const QString& note) {
    const QSignalBlocker block(markerTable_);
    const int row = markerTable_->rowCount();
    markerTable_->insertRow(row);
    auto* time = new QTableWidgetItem(markerTimeText(timestampMs));
    time->setData(Qt::UserRole, timestampMs);
    time->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    markerTable_->setItem(row, kTimeColumn, time);
    markerTable_->setItem(row, kLabelColumn, new QTableWidgetItem(label));
    markerTable_->setItem(row, kNoteColumn, new QTableWidgetItem(note));
}

void RecordingPanel::loadMarkersOfSession() {
    const std::string path = toPath(QDir(folder_).filePath(core::kMarkersCsv));
    std::vector<core::Marker> markers;
    std::vector<core::SessionProblem> problems;
    try {
        markers = core::parseMarkersCsv(readFileBytes(path), problems);
    } catch (const std::exception& e) {
        problems.push_back({core::kMarkersCsv, 0, e.what()});
    }
    {
        const QSignalBlocker block(markerTable_);
        markerTable_->setRowCount(0);
    }
    for (const auto& m : markers) {
        appendMarkerRow(m.timestampMs, QString::fromStdString(m.label),
                        QString::fromStdString(m.note));
    }
    markersEdited_ = false;
    if (!problems.empty()) {
        QStringList lines;
        for (const auto& p : problems) {
            lines << QString::fromStdString(p.text());
        }
        showError(tr("Some markers could not be read:\n%1").arg(lines.join(QLatin1Char('\n'))));
    }
}

void RecordingPanel::deleteSelectedMarkers() {
    if (recording_) {
        return;
    }
    QList<int> rows;
    for (const QModelIndex& index : markerTable_->selectionModel()->selectedRows()) {
        rows << index.row();
    }
    std::sort(rows.rbegin(), rows.rend());
    for (int row : rows) {
        markerTable_->removeRow(row);
    }
    if (!rows.isEmpty()) {
        markersEdited_ = true;
    }
    updateState();
}

bool RecordingPanel::saveMarkers() {
    if (recording_ || !sessionFiles_) {
        return false;
    }
    std::vector<core::Marker> markers;
    for (int row = 0; row < markerTable_->rowCount(); ++row) {
        core::Marker m;
        m.timestampMs = markerTable_->item(row, kTimeColumn)->data(Qt::UserRole).toDouble();
        m.label = markerTable_->item(row, kLabelColumn)->text().toStdString();
        m.note = markerTable_->item(row, kNoteColumn)->text().toStdString();
        markers.push_back(std::move(m));
    }
    try {
        core::writeMarkersCsv(toPath(folder_), markers);
    } catch (const std::exception& e) {
        showError(tr("The markers could not be saved: %1").arg(QString::fromStdString(e.what())));
        return false;
    }
    markersEdited_ = false;
    updateState();
    return true;
}

void RecordingPanel::keyPressEvent(QKeyEvent* event) {
    const int key = event->key() - Qt::Key_0;
    const auto modifiers = event->modifiers() & ~Qt::KeypadModifier;
    if (recording_ && modifiers == Qt::NoModifier && key >= 1 && key <= kMarkerKeys) {
        triggerMarkerKey(key);
        event->accept();
        return;
    }
    QWidget::keyPressEvent(event);
}

void RecordingPanel::onTick() {
    if (!elapsed_.isValid()) {
        return;
    }
    const qint64 seconds = elapsed_.elapsed() / 1000;
    elapsedLabel_->setText(QStringLiteral("%1:%2")
                               .arg(seconds / 60, 2, 10, QLatin1Char('0'))
                               .arg(seconds % 60, 2, 10, QLatin1Char('0')));
}

void RecordingPanel::updateState() {
    const bool idle = !recording_ && !starting_ && !stopping_;
    for (QWidget* w :
         std::initializer_list<QWidget*>{participantEdit_, sessionEdit_, notesEdit_, folderEdit_,
                                         chooseButton_, noVideoCheck_, consentCheck_}) {
        w->setEnabled(idle);
    }
    blurCheck_->setEnabled(idle && !noVideoCheck_->isChecked());
    if (recording_) {
        startStopButton_->setText(tr("Stop recording"));
        startStopButton_->setEnabled(!stopping_);
    } else {
        startStopButton_->setText(starting_ ? tr("Starting...") : tr("Start recording"));
        startStopButton_->setEnabled(idle && consentCheck_->isChecked());
    }
    startStopButton_->setToolTip(
        !recording_ && !consentCheck_->isChecked() ? tr("Tick the consent box first") : QString());
    indicator_->setVisible(recording_);
    markerNoteEdit_->setEnabled(recording_);

    // Markers are edited after a session, in its files (never while it records).
    const bool editable = idle && sessionFiles_;
    markerTable_->setEditTriggers(editable ? QAbstractItemView::DoubleClicked |
                                                 QAbstractItemView::EditKeyPressed |
                                                 QAbstractItemView::AnyKeyPressed
                                           : QAbstractItemView::NoEditTriggers);
    deleteMarkerButton_->setEnabled(editable && markerTable_->rowCount() > 0);
    saveMarkersButton_->setEnabled(editable && markersEdited_);
}

void RecordingPanel::updateFolderPreview() {
    QString base = folderEdit_->text().trimmed();
    if (base.isEmpty()) {
        base = defaultSessionsFolder();
    }
    const QString name = sessionFolderName(participantEdit_->text(), sessionEdit_->text(),
                                           QDateTime::currentDateTime());
    folderPreview_->setText(
        tr("Saved as %1").arg(QDir::toNativeSeparators(QDir(base).filePath(name))));
}

void RecordingPanel::loadMarkerLabels() {
    QStringList labels = settings().value(QLatin1String(kLabelsKey)).toStringList();
    const QStringList defaults = defaultMarkerLabels();
    const QSignalBlocker block(labelTable_);
    for (int row = 0; row < kMarkerKeys; ++row) {
        const QString stored = row < labels.size() ? labels.at(row).trimmed() : QString();
        labelTable_->item(row, 1)->setText(stored.isEmpty() ? defaults.at(row) : stored);
    }
}

void RecordingPanel::storeMarkerLabels() {
    settings().setValue(QLatin1String(kLabelsKey), markerLabels());
}

void RecordingPanel::showError(const QString& text) {
    errorLabel_->setText(text);
    errorLabel_->show();
}

}  // namespace litefer::ui
