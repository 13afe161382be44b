#include "litefer/ui/session_viewer.h"

#include <QAbstractItemView>
#include <QChart>
#include <QChartView>
#include <QColor>
#include <QComboBox>
#include <QCursor>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QListWidget>
#include <QMessageBox>
#include <QPainter>
#include <QPen>
#include <QPushButton>
#include <QSignalBlocker>
#include <QTabWidget>
#include <QTableWidget>
#include <QTableWidgetItem>
#include <QToolTip>
#include <QUrl>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <set>
#include <string>
#include <vector>

#include "litefer/labels.h"
#include "litefer/ui/recording_panel.h"

namespace litefer::ui {

namespace {

/// One colour per emotion, canonical order.
const std::array<QColor, kNumEmotions> kEmotionColours = {
    QColor(0xd6, 0x27, 0x28),  // angry
    QColor(0x8c, 0x56, 0x4b),  // disgust
    QColor(0x94, 0x67, 0xbd),  // fear
    QColor(0xff, 0xb3, 0x00),  // happy
    QColor(0x1f, 0x77, 0xb4),  // sad
    QColor(0x17, 0xbe, 0xcf),  // surprise
    QColor(0x7f, 0x7f, 0x7f),  // neutral
};

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

QString orDash(const std::string& s) {
    return s.empty() ? QStringLiteral("\u2013") : qs(s);
}

QString percent(double share) {
    return QStringLiteral("%1%").arg(100.0 * share, 0, 'f', 0);
}

QTableWidgetItem* readOnlyItem(const QString& text) {
    auto* item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    return item;
}

QString statusSentence(const core::SessionMeta& meta) {
    if (meta.status == "complete") {
        return QObject::tr("Complete") + (meta.endReason.empty()
                                              ? QString()
                                              : QStringLiteral(" (%1)").arg(qs(meta.endReason)));
    }
    if (meta.status == "failed") {
        return QObject::tr("Failed: %1. Everything recorded before the failure is kept.")
            .arg(meta.error.empty() ? QObject::tr("no reason recorded") : qs(meta.error));
    }
    if (meta.status == "recording") {
        return QObject::tr(
            "Did not finish (the program stopped during the recording, or it is "
            "still recording); every whole row written until then is shown.");
    }
    return QObject::tr("Unknown (session.json could not be read)");
}

}  // namespace

SessionViewer::SessionViewer(const QString& folder, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Recorded session"));
    resize(960, 640);
    buildUi();
    openSession(folder);
}

SessionViewer::~SessionViewer() = default;

QString SessionViewer::chooseSessionFolder(QWidget* parent) {
    return QFileDialog::getExistingDirectory(parent, tr("Open a recorded session"),
                                             defaultSessionsFolder());
}

void SessionViewer::buildUi() {
    auto* layout = new QVBoxLayout(this);
    titleLabel_ = new QLabel(this);
    titleLabel_->setObjectName(QStringLiteral("titleLabel"));
    QFont big = titleLabel_->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    big.setBold(true);
    titleLabel_->setFont(big);
    titleLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusLabel_ = new QLabel(this);
    statusLabel_->setObjectName(QStringLiteral("statusLabel"));
    statusLabel_->setWordWrap(true);
    statusLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(titleLabel_);
    layout->addWidget(statusLabel_);

    tabs_ = new QTabWidget(this);
    tabs_->setObjectName(QStringLiteral("tabs"));

    // Timeline
    auto* timeline = new QWidget(tabs_);
    auto* timelineLayout = new QVBoxLayout(timeline);
    auto* pickRow = new QHBoxLayout;
    pickRow->addWidget(new QLabel(tr("Face:"), timeline));
    facePicker_ = new QComboBox(timeline);
    facePicker_->setObjectName(QStringLiteral("facePicker"));
    pickRow->addWidget(facePicker_);
    pickRow->addStretch(1);
    timelineLayout->addLayout(pickRow);
    chart_ = new QChart;
    chart_->legend()->setAlignment(Qt::AlignBottom);
    chartView_ = new QChartView(chart_, timeline);  // takes ownership of the chart
    chartView_->setObjectName(QStringLiteral("timelineChart"));
    chartView_->setRenderHint(QPainter::Antialiasing);
    timelineLayout->addWidget(chartView_, 1);
    noFaceLabel_ = new QLabel(tr("No face was classified in this session."), timeline);
    noFaceLabel_->hide();
    timelineLayout->addWidget(noFaceLabel_);
    tabs_->addTab(timeline, tr("Timeline"));
    connect(facePicker_, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index >= 0 && index < faceIds_.size()) {
            showFace(faceIds_.at(index));
        }
    });

    // Summary
    auto* summary = new QWidget(tabs_);
    auto* summaryLayout = new QVBoxLayout(summary);
    summaryNote_ = new QLabel(summary);
    summaryNote_->setWordWrap(true);
    summaryLayout->addWidget(summaryNote_);
    summaryTable_ = new QTableWidget(summary);
    summaryTable_->setObjectName(QStringLiteral("summaryTable"));
    QStringList headers = {tr("Part"), tr("Face"), tr("Seconds")};
    for (auto name : kEmotionNames) {
        headers << QString::fromUtf8(name.data(), static_cast<int>(name.size()));
    }
    headers << tr("uncertain");
    summaryTable_->setColumnCount(static_cast<int>(headers.size()));
    summaryTable_->setHorizontalHeaderLabels(headers);
    summaryTable_->verticalHeader()->hide();
    summaryTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    summaryLayout->addWidget(summaryTable_);
    tabs_->addTab(summary, tr("Summary"));

    // Markers
    markerTable_ = new QTableWidget(0, 3, tabs_);
    markerTable_->setObjectName(QStringLiteral("markerTable"));
    markerTable_->setHorizontalHeaderLabels({tr("Time (s)"), tr("Label"), tr("Note")});
    markerTable_->verticalHeader()->hide();
    markerTable_->horizontalHeader()->setStretchLastSection(true);
    markerTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    tabs_->addTab(markerTable_, tr("Markers"));

    // Details
    detailsPage_ = new QWidget(tabs_);
    detailsForm_ = new QFormLayout(detailsPage_);
    tabs_->addTab(detailsPage_, tr("Details"));

    // Problems
    problemList_ = new QListWidget(tabs_);
    problemList_->setObjectName(QStringLiteral("problemList"));
    problemList_->setWordWrap(true);
    tabs_->addTab(problemList_, tr("Problems"));

    layout->addWidget(tabs_, 1);

    auto* buttons = new QHBoxLayout;
    openFolderButton_ = new QPushButton(tr("Open folder"), this);
    openFolderButton_->setObjectName(QStringLiteral("openFolderButton"));
    deleteButton_ = new QPushButton(tr("Delete session..."), this);
    deleteButton_->setObjectName(QStringLiteral("deleteButton"));
    auto* close = new QPushButton(tr("Close"), this);
    buttons->addWidget(openFolderButton_);
    buttons->addWidget(deleteButton_);
    buttons->addStretch(1);
    buttons->addWidget(close);
    layout->addLayout(buttons);
    connect(openFolderButton_, &QPushButton::clicked, this, &SessionViewer::onOpenFolderClicked);
    connect(deleteButton_, &QPushButton::clicked, this, &SessionViewer::onDeleteClicked);
    connect(close, &QPushButton::clicked, this, &QDialog::reject);
}

bool SessionViewer::openSession(const QString& folder) {
    folder_ = folder;
    error_.clear();
    data_.reset();
    faceIds_.clear();
    shownFace_ = -1;
    chart_->removeAllSeries();
    for (QAbstractAxis* axis : chart_->axes()) {
        chart_->removeAxis(axis);
        delete axis;
    }
    titleLabel_->setText(QDir::toNativeSeparators(folder));
    try {
        data_ = std::make_unique<core::SessionData>(core::readSession(folder.toStdString()));
    } catch (const std::exception& e) {
        error_ = QString::fromStdString(e.what());
        statusLabel_->setText(tr("This session cannot be opened: %1").arg(error_));
        statusLabel_->setStyleSheet(QStringLiteral("color: #a00000;"));
        tabs_->setEnabled(false);
        deleteButton_->setEnabled(false);
        openFolderButton_->setEnabled(QDir(folder).exists());
        return false;
    }
    tabs_->setEnabled(true);
    deleteButton_->setEnabled(true);
    openFolderButton_->setEnabled(true);

    const core::SessionMeta& meta = data_->meta;
    QStringList title;
    if (!meta.participant.empty()) {
        title << tr("Participant %1").arg(qs(meta.participant));
    }
    if (!meta.session.empty()) {
        title << tr("session %1").arg(qs(meta.session));
    }
    title << (meta.started.empty() ? QDir(folder).dirName() : qs(meta.started));
    titleLabel_->setText(title.join(QStringLiteral(", ")));
    statusLabel_->setText(statusSentence(meta));
    statusLabel_->setStyleSheet(meta.status == "complete" ? QString()
                                                          : QStringLiteral("color: #a00000;"));

    std::set<int> ids;
    for (const auto& row : data_->frames) {
        if (row.hasFace && row.hasScores) {
            ids.insert(row.faceId);
        }
    }
    faceIds_ = QList<int>(ids.begin(), ids.end());
    {
        const QSignalBlocker block(facePicker_);
        facePicker_->clear();
        for (int id : faceIds_) {
            facePicker_->addItem(tr("Face #%1").arg(id));
        }
    }
    facePicker_->setEnabled(!faceIds_.isEmpty());
    noFaceLabel_->setVisible(faceIds_.isEmpty());
    if (!faceIds_.isEmpty()) {
        showFace(faceIds_.front());
    }
    fillDetails();
    fillSummary();
    fillMarkers();
    fillProblems();
    return true;
}

void SessionViewer::showFace(int faceId) {
    if (!data_ || !faceIds_.contains(faceId)) {
        return;
    }
    shownFace_ = faceId;
    {
        const QSignalBlocker block(facePicker_);
        facePicker_->setCurrentIndex(static_cast<int>(faceIds_.indexOf(faceId)));
    }
    chart_->removeAllSeries();
    for (QAbstractAxis* axis : chart_->axes()) {
        chart_->removeAxis(axis);
        delete axis;
    }

    std::vector<const core::FrameRow*> rows;
    for (const auto& row : data_->frames) {
        if (row.hasFace && row.hasScores && row.faceId == faceId) {
            rows.push_back(&row);
        }
    }
    // Average consecutive rows into at most kMaxChartPoints buckets (a plot cannot show more).
    const std::size_t buckets = std::min<std::size_t>(rows.size(), kMaxChartPoints);
    std::array<QList<QPointF>, kNumEmotions> points;
    double minS = rows.empty() ? 0.0 : rows.front()->timestampMs / 1000.0;
    double maxS = rows.empty() ? 1.0 : rows.back()->timestampMs / 1000.0;
    for (std::size_t b = 0; b < buckets; ++b) {
        const std::size_t from = b * rows.size() / buckets;
        const std::size_t to = (b + 1) * rows.size() / buckets;
        double t = 0.0;
        std::array<double, kNumEmotions> sum{};
        for (std::size_t i = from; i < to; ++i) {
            t += rows[i]->timestampMs;
            for (std::size_t e = 0; e < kNumEmotions; ++e) {
                sum[e] += static_cast<double>(rows[i]->smoothed[e]);
            }
        }
        const auto n = static_cast<double>(to - from);
        for (std::size_t e = 0; e < kNumEmotions; ++e) {
            points[e].append(QPointF(t / n / 1000.0, sum[e] / n));
        }
    }
    auto* xAxis = new QValueAxis;
    xAxis->setTitleText(tr("time (s)"));
    auto* yAxis = new QValueAxis;
    yAxis->setRange(0.0, 1.0);
    yAxis->setTitleText(tr("smoothed probability"));
    chart_->addAxis(xAxis, Qt::AlignBottom);
    chart_->addAxis(yAxis, Qt::AlignLeft);
    for (std::size_t e = 0; e < kNumEmotions; ++e) {
        auto* series = new QLineSeries;
        series->setName(
            QString::fromUtf8(kEmotionNames[e].data(), static_cast<int>(kEmotionNames[e].size())));
        series->setColor(kEmotionColours[e]);
        series->replace(points[e]);
        chart_->addSeries(series);
        series->attachAxis(xAxis);
        series->attachAxis(yAxis);
    }
    for (const auto& m : data_->markers) {
        const double s = m.timestampMs / 1000.0;
        minS = std::min(minS, s);
        maxS = std::max(maxS, s);
        auto* line = new QLineSeries;
        line->setName(qs(m.label));
        QPen pen(Qt::black);
        pen.setStyle(Qt::DashLine);
        pen.setWidthF(1.0);
        line->setPen(pen);
        line->append(s, 0.0);
        line->append(s, 1.0);
        chart_->addSeries(line);
        line->attachAxis(xAxis);
        line->attachAxis(yAxis);
        for (QLegendMarker* marker : chart_->legend()->markers(line)) {
            marker->setVisible(false);
        }
        const QString tip =
            QStringLiteral("%1 s: %2%3")
                .arg(s, 0, 'f', 2)
                .arg(qs(m.label),
                     m.note.empty() ? QString() : QStringLiteral(" (%1)").arg(qs(m.note)));
        connect(line, &QLineSeries::hovered, this, [tip](const QPointF&, bool state) {
            if (state) {
                QToolTip::showText(QCursor::pos(), tip);
            }
        });
    }
    xAxis->setRange(minS, maxS > minS ? maxS : minS + 1.0);
    chart_->setTitle(
        tr("Face #%1: smoothed probabilities (dashed lines: markers; point at one to see it)")
            .arg(faceId));
}

int SessionViewer::seriesCount() const {
    return static_cast<int>(chart_->series().size());
}

int SessionViewer::pointsPerSeries() const {
    const auto series = chart_->series();
    if (series.isEmpty()) {
        return 0;
    }
    return static_cast<int>(static_cast<QLineSeries*>(series.front())->count());
}

int SessionViewer::markerCount() const {
    return markerTable_->rowCount();
}

int SessionViewer::summaryRowCount() const {
    return summaryTable_->rowCount();
}

QStringList SessionViewer::problems() const {
    QStringList out;
    if (data_) {
        for (const auto& p : data_->problems) {
            out << qs(p.text());
        }
    }
    return out;
}

void SessionViewer::fillDetails() {
    while (detailsForm_->rowCount() > 0) {
        detailsForm_->removeRow(0);
    }
    const core::SessionMeta& m = data_->meta;
    auto add = [this](const QString& name, const QString& value) {
        auto* label = new QLabel(value, detailsPage_);
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        detailsForm_->addRow(name, label);
    };
    add(tr("Participant"), orDash(m.participant));
    add(tr("Session"), orDash(m.session));
    add(tr("Notes"), orDash(m.notes));
    add(tr("Status"), statusSentence(m));
    add(tr("Started"), orDash(m.started));
    add(tr("Ended"), orDash(m.ended));
    add(tr("End reason"), orDash(m.endReason));
    if (!m.error.empty()) {
        add(tr("Error"), qs(m.error));
    }
    QString source = orDash(m.sourceSpec);
    if (!m.sourceKind.empty()) {
        source += QStringLiteral(" (%1)").arg(qs(m.sourceKind));
    }
    if (m.width > 0 && m.height > 0) {
        source += QStringLiteral(", %1x%2").arg(m.width).arg(m.height);
    }
    if (m.fps > 0.0) {
        source += QStringLiteral(", %1 fps").arg(m.fps, 0, 'f', 1);
    }
    add(tr("Source"), source);
    add(tr("Model"), QStringLiteral("%1 (%2)\n%3\nweights SHA-256 %4")
                         .arg(orDash(m.modelName), orDash(m.modelArchitecture), orDash(m.modelPath),
                              orDash(m.modelWeightsSha256)));
    add(tr("Runs on"), orDash(m.device));
    add(tr("Face detector"),
        QStringLiteral("%1 (%2)").arg(orDash(m.detector), orDash(m.detectorModel)));
    add(tr("Video"), !m.videoWritten                     ? tr("not recorded (scores only)")
                     : data_->hasVideo && m.facesBlurred ? tr("video.mkv, faces blurred")
                     : data_->hasVideo                   ? tr("video.mkv")
                                                         : tr("missing"));
    std::set<std::uint64_t> frames;
    for (const auto& row : data_->frames) {
        frames.insert(row.frameId);
    }
    add(tr("Frames"), tr("%1 recorded, %2 read from frames.csv (%3 rows)")
                          .arg(m.framesRecorded)
                          .arg(frames.size())
                          .arg(data_->frames.size()));
    add(tr("Folder"), QDir::toNativeSeparators(folder_));
}

void SessionViewer::fillSummary() {
    summaryTable_->setRowCount(0);
    summaryNote_->setText(
        data_->summaryRecomputed
            ? tr("Share of time per emotion (the label shown), recomputed from frames.csv because "
                 "summary.json is missing or damaged.")
            : tr("Share of time per emotion (the label shown), from summary.json."));
    auto addFaces = [this](const QString& part, const json::Value& faces) {
        if (faces.size() == 0) {
            const int row = summaryTable_->rowCount();
            summaryTable_->insertRow(row);
            summaryTable_->setItem(row, 0, readOnlyItem(part));
            summaryTable_->setItem(row, 1, readOnlyItem(tr("no face")));
            return;
        }
        for (const auto& face : faces.asArray()) {
            const int row = summaryTable_->rowCount();
            summaryTable_->insertRow(row);
            summaryTable_->setItem(row, 0, readOnlyItem(part));
            summaryTable_->setItem(row, 1,
                                   readOnlyItem(QStringLiteral("#%1").arg(face.at("id").asInt())));
            summaryTable_->setItem(
                row, 2, readOnlyItem(QString::number(face.at("seconds").asDouble(), 'f', 1)));
            const json::Value& share = face.at("share");
            for (std::size_t e = 0; e < kNumEmotions; ++e) {
                const json::Value* v = share.find(kEmotionNames[e]);
                summaryTable_->setItem(
                    row, 3 + static_cast<int>(e),
                    readOnlyItem(v != nullptr ? percent(v->asDouble()) : QStringLiteral("?")));
            }
            summaryTable_->setItem(row, 3 + static_cast<int>(kNumEmotions),
                                   readOnlyItem(percent(face.at("uncertain_share").asDouble())));
        }
    };
    try {
        addFaces(tr("Whole session"), data_->summary.at("faces"));
        if (const json::Value* segments = data_->summary.find("segments")) {
            for (const auto& s : segments->asArray()) {
                const json::Value* start = s.find("start_ms");
                const QString from = start != nullptr && start->isNumber()
                                         ? QString::number(start->asDouble() / 1000.0, 'f', 1)
                                         : QStringLiteral("start");
                addFaces(QStringLiteral("%1 (from %2 s)").arg(qs(s.at("label").asString()), from),
                         s.at("faces"));
            }
        }
    } catch (const json::Error& e) {
        data_->problems.push_back({core::kSummaryJson, 0,
                                   std::string("unexpected layout (") + e.what() +
                                       "); the table shows what could be read"});
    }
    summaryTable_->resizeColumnsToContents();
}

void SessionViewer::fillMarkers() {
    markerTable_->setRowCount(0);
    for (const auto& m : data_->markers) {
        const int row = markerTable_->rowCount();
        markerTable_->insertRow(row);
        markerTable_->setItem(row, 0,
                              readOnlyItem(QString::number(m.timestampMs / 1000.0, 'f', 2)));
        markerTable_->setItem(row, 1, readOnlyItem(qs(m.label)));
        markerTable_->setItem(row, 2, readOnlyItem(qs(m.note)));
    }
    tabs_->setTabText(tabs_->indexOf(markerTable_), tr("Markers (%1)").arg(data_->markers.size()));
}

void SessionViewer::fillProblems() {
    problemList_->clear();
    problemList_->addItems(problems());
    const int index = tabs_->indexOf(problemList_);
    tabs_->setTabText(index, tr("Problems (%1)").arg(problemList_->count()));
    tabs_->setTabEnabled(index, problemList_->count() > 0);
}

void SessionViewer::onOpenFolderClicked() {
    QDesktopServices::openUrl(QUrl::fromLocalFile(folder_));
}

void SessionViewer::onDeleteClicked() {
    const auto answer = QMessageBox::warning(
        this, tr("Delete session"),
        tr("Delete this session completely?\n\n%1\n\nIts scores, markers, summary and video are "
           "removed from this computer. This cannot be undone.")
            .arg(QDir::toNativeSeparators(folder_)),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer == QMessageBox::Yes) {
        deleteSessionNow();
    }
}

bool SessionViewer::deleteSessionNow() {
    // No modal boxes here: the outcome is shown in the status line (tests call this directly).
    core::DeleteResult result;
    try {
        result = core::deleteSession(folder_.toStdString());
    } catch (const std::exception& e) {
        statusLabel_->setText(tr("The session was not deleted: %1").arg(qs(e.what())));
        statusLabel_->setStyleSheet(QStringLiteral("color: #a00000;"));
        return false;
    }
    const QString folder = folder_;
    data_.reset();
    tabs_->setEnabled(false);
    deleteButton_->setEnabled(false);
    Q_EMIT sessionDeleted(folder);
    if (!result.kept.empty()) {
        QStringList kept;
        for (const auto& k : result.kept) {
            kept << qs(k);
        }
        // Stay open so the user sees what is left.
        statusLabel_->setText(tr("The session's files were deleted. Other files in its folder "
                                 "were left alone: %1")
                                  .arg(kept.join(QStringLiteral(", "))));
        statusLabel_->setStyleSheet(QString());
        return true;
    }
    openFolderButton_->setEnabled(false);
    accept();
    return true;
}

}  // namespace litefer::ui
