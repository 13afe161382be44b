// RecordingPanel (the recording studio) on Qt's offscreen platform: consent gates Start, the
// start request carries a sanitised folder and the options, marker keys work only while
// recording, the marker list of a finished session is edited and saved to markers.csv, and a
// recording error is shown with what was kept. No camera or model is needed: the test plays
// the analysis worker's part (a core::SessionRecorder and the panel's slots).
#include <catch2/catch.hpp>

#include <QApplication>
#include <QCheckBox>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QString>
#include <QTableWidget>
#include <QTableWidgetItem>

#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "litefer/core/session_reader.h"
#include "litefer/core/session_recorder.h"
#include "litefer/ui/recording_panel.h"
#include "litefer/ui/recording_request.h"
#include "support/qt_app.h"
#include "support/session_data.h"
#include "support/temp_dir.h"

using namespace litefer;
using litefer::ui::RecordingPanel;
using litefer::ui::RecordingRequest;

namespace {

using test::pumpEvents;

/// Settings go to a private folder so that tests never touch the user's LiteFER settings.
QApplication& app() {
    return test::testApplication("test_recording_panel");
}

template <typename T>
T* child(const QWidget& parent, const char* name) {
    T* w = parent.findChild<T*>(QString::fromLatin1(name));
    if (w == nullptr) {
        FAIL("no child widget named " << name);
    }
    return w;
}

/// Records what the panel asks for.
struct Requests {
    std::vector<RecordingRequest> starts;
    int stops = 0;
    std::vector<std::tuple<int, QString, QString>> markers;

    explicit Requests(RecordingPanel& panel) {
        QObject::connect(&panel, &RecordingPanel::startRequested,
                         [this](const RecordingRequest& r) { starts.push_back(r); });
        QObject::connect(&panel, &RecordingPanel::stopRequested, [this] { ++stops; });
        QObject::connect(&panel, &RecordingPanel::markerRequested,
                         [this](int key, const QString& label, const QString& note) {
                             markers.emplace_back(key, label, note);
                         });
    }
};

core::SessionInfo info() {
    core::SessionInfo i;
    i.participant = "P07";
    i.source = "camera 0";
    i.sourceKind = "camera";
    i.detector = "haar";
    return i;
}

/// Frame `id` at `ms` (no picture) with face 1, happy.
core::FrameResult frame(std::uint64_t id, double ms) {
    const cv::Rect2f box(5, 5, 20, 20);
    return test::frameResult(
        id, ms, {test::classifiedFace(1, box, Emotion::Happy, 0.4f, 0.4f, /*uncertain=*/true)});
}

}  // namespace

TEST_CASE("session folder names are sanitised", "[recording_panel]") {
    const QDateTime t(QDate(2026, 11, 28), QTime(6, 23, 5));
    CHECK(ui::sessionFolderName(QStringLiteral("P017"), QStringLiteral("baseline"), t) ==
          QStringLiteral("P017_baseline_20261128-062305"));
    CHECK(ui::sessionFolderName(QStringLiteral(" P 01/ä "), QStringLiteral("../x_y"), t) ==
          QStringLiteral("P-01_x-y_20261128-062305"));
    CHECK(ui::sessionFolderName(QString(), QStringLiteral("///"), t) ==
          QStringLiteral("20261128-062305"));
    CHECK(ui::sanitizeFileNamePart(QString(100, QLatin1Char('a'))).size() == 40);
    CHECK(ui::sanitizeFileNamePart(QStringLiteral("..")).isEmpty());
    CHECK(ui::defaultSessionsFolder().endsWith(QStringLiteral("LiteFER/sessions")));
    CHECK(ui::defaultMarkerLabels().size() == ui::kMarkerKeys);
    CHECK(ui::defaultMarkerLabels().at(0) == QStringLiteral("baseline"));
    CHECK(ui::defaultMarkerLabels().at(4) == QStringLiteral("event 5"));
}

TEST_CASE("Start stays disabled until the consent box is ticked", "[recording_panel]") {
    app();
    RecordingPanel panel;
    panel.show();
    Requests requests(panel);
    auto* start = child<QPushButton>(panel, "startStopButton");
    auto* consent = child<QCheckBox>(panel, "consentCheck");
    CHECK_FALSE(consent->isChecked());
    CHECK_FALSE(start->isEnabled());
    start->click();
    CHECK(requests.starts.empty());
    consent->setChecked(true);
    CHECK(start->isEnabled());
    consent->setChecked(false);
    CHECK_FALSE(start->isEnabled());
    CHECK(child<QLabel>(panel, "participantHint")->text().contains(QStringLiteral("never")));
}

TEST_CASE("Start asks for a sanitised session folder with the chosen options",
          "[recording_panel]") {
    app();
    test::TempDir dir;
    RecordingPanel panel;
    panel.show();
    Requests requests(panel);
    child<QLineEdit>(panel, "participantEdit")->setText(QStringLiteral("P 01/ä"));
    child<QLineEdit>(panel, "sessionEdit")->setText(QStringLiteral("Base line.."));
    child<QPlainTextEdit>(panel, "notesEdit")->setPlainText(QStringLiteral("quiet room"));
    child<QLineEdit>(panel, "folderEdit")->setText(QString::fromStdString(dir.str()));
    child<QCheckBox>(panel, "blurCheck")->setChecked(true);
    child<QCheckBox>(panel, "consentCheck")->setChecked(true);
    CHECK(child<QLabel>(panel, "participantWarning")->isVisible());  // a space: maybe a name
    child<QPushButton>(panel, "startStopButton")->click();

    REQUIRE(requests.starts.size() == 1);
    const RecordingRequest& r = requests.starts[0];
    const QString parent = QFileInfo(r.folder).absolutePath();
    CHECK(QDir(parent) == QDir(QString::fromStdString(dir.str())));
    INFO("folder: " << r.folder.toStdString());
    CHECK(QRegularExpression(QStringLiteral("^P-01_Base-line_\\d{8}-\\d{6}$"))
              .match(QFileInfo(r.folder).fileName())
              .hasMatch());
    CHECK(r.participant == QStringLiteral("P 01/ä"));
    CHECK(r.session == QStringLiteral("Base line.."));
    CHECK(r.notes == QStringLiteral("quiet room"));
    CHECK(r.writeVideo);
    CHECK(r.blurFaces);
    // Waiting for the worker: no second start, the settings are locked.
    CHECK_FALSE(child<QPushButton>(panel, "startStopButton")->isEnabled());
    CHECK_FALSE(child<QLineEdit>(panel, "participantEdit")->isEnabled());

    panel.onRecordingStarted(r.folder);
    CHECK(panel.isRecording());
    CHECK(child<QLabel>(panel, "recordingIndicator")->isVisible());
    CHECK(child<QPushButton>(panel, "startStopButton")->isEnabled());
    CHECK(child<QPushButton>(panel, "startStopButton")->text().contains(QStringLiteral("Stop")));
    pumpEvents(1300);
    CHECK(child<QLabel>(panel, "elapsedLabel")->text().toStdString() == "00:01");
    child<QPushButton>(panel, "startStopButton")->click();
    CHECK(requests.stops == 1);
    panel.onRecordingStopped(r.folder, QString());
    CHECK_FALSE(panel.isRecording());
    CHECK_FALSE(child<QLabel>(panel, "recordingIndicator")->isVisible());
    CHECK(panel.errorText().isEmpty());
    // The next session needs consent again.
    CHECK_FALSE(child<QCheckBox>(panel, "consentCheck")->isChecked());
    CHECK_FALSE(child<QPushButton>(panel, "startStopButton")->isEnabled());

    // Scores only: no video, and so nothing to blur.
    child<QCheckBox>(panel, "noVideoCheck")->setChecked(true);
    CHECK_FALSE(child<QCheckBox>(panel, "blurCheck")->isEnabled());
    child<QCheckBox>(panel, "consentCheck")->setChecked(true);
    child<QPushButton>(panel, "startStopButton")->click();
    REQUIRE(requests.starts.size() == 2);
    CHECK_FALSE(requests.starts[1].writeVideo);
    CHECK_FALSE(requests.starts[1].blurFaces);
}

TEST_CASE("marker keys ask for markers only while recording", "[recording_panel]") {
    app();
    RecordingPanel panel;
    panel.show();
    Requests requests(panel);
    panel.triggerMarkerKey(1);
    CHECK(requests.markers.empty());

    panel.onRecordingStarted(QStringLiteral("/tmp/nowhere"));
    child<QLineEdit>(panel, "markerNoteEdit")->setText(QStringLiteral("picture 3, sad"));
    panel.triggerMarkerKey(2);
    panel.triggerMarkerKey(0);
    panel.triggerMarkerKey(10);
    REQUIRE(requests.markers.size() == 1);
    CHECK(requests.markers[0] ==
          std::make_tuple(2, QStringLiteral("stimulus"), QStringLiteral("picture 3, sad")));
    CHECK(child<QLineEdit>(panel, "markerNoteEdit")->text().isEmpty());

    QKeyEvent press(QEvent::KeyPress, Qt::Key_3, Qt::NoModifier, QStringLiteral("3"));
    QCoreApplication::sendEvent(&panel, &press);
    REQUIRE(requests.markers.size() == 2);
    CHECK(std::get<0>(requests.markers[1]) == 3);
    CHECK(std::get<1>(requests.markers[1]) == QStringLiteral("response"));

    panel.onMarkerAdded(1500.0, QStringLiteral("stimulus"));
    auto* list = child<QTableWidget>(panel, "markerTable");
    REQUIRE(list->rowCount() == 1);
    CHECK(list->item(0, 1)->text() == QStringLiteral("stimulus"));
    CHECK(list->item(0, 2)->text() == QStringLiteral("picture 3, sad"));
    CHECK(list->item(0, 0)->text() == QStringLiteral("0:01.5"));

    panel.onRecordingStopped(QString(), QString());
    panel.triggerMarkerKey(1);
    CHECK(requests.markers.size() == 2);
}

TEST_CASE("marker labels are edited and kept in the settings", "[recording_panel]") {
    app();
    {
        RecordingPanel panel;
        auto* table = child<QTableWidget>(panel, "markerLabelTable");
        REQUIRE(table->rowCount() == ui::kMarkerKeys);
        table->item(0, 1)->setText(QStringLiteral("eyes closed"));
        CHECK(panel.markerLabels().at(0) == QStringLiteral("eyes closed"));
    }
    RecordingPanel again;
    CHECK(again.markerLabels().at(0) == QStringLiteral("eyes closed"));
    CHECK(again.markerLabels().at(8) == QStringLiteral("event 9"));
    Requests requests(again);
    again.onRecordingStarted(QStringLiteral("/tmp/nowhere"));
    again.triggerMarkerKey(1);
    REQUIRE(requests.markers.size() == 1);
    CHECK(std::get<1>(requests.markers[0]) == QStringLiteral("eyes closed"));
    // Put the default back for the other tests.
    child<QTableWidget>(again, "markerLabelTable")->item(0, 1)->setText(QStringLiteral("baseline"));
}

TEST_CASE("the marker list of a finished session is edited and saved to markers.csv",
          "[recording_panel]") {
    app();
    test::TempDir dir;
    const std::string folder = dir.file("P07_pilot");
    const QString qfolder = QString::fromStdString(folder);
    RecordingPanel panel;
    panel.show();
    Requests requests(panel);

    // The worker's part: a recorder that writes the markers the panel asks for.
    core::RecorderOptions options;
    options.writeVideo = false;
    core::SessionRecorder recorder(folder, info(), options);
    panel.onRecordingStarted(qfolder);
    for (int i = 0; i < 30; ++i) {
        recorder.record(frame(static_cast<std::uint64_t>(i), i * 100.0));
        if (i == 5 || i == 12 || i == 20) {
            child<QLineEdit>(panel, "markerNoteEdit")
                ->setText(i == 12 ? QStringLiteral("loud, \"noise\"") : QString());
            panel.triggerMarkerKey(i == 5 ? 1 : i == 12 ? 2 : 4);
            const auto& [key, label, note] = requests.markers.back();
            recorder.addMarker(i * 100.0, label.toStdString(), note.toStdString());
            panel.onMarkerAdded(i * 100.0, label);
        }
    }
    auto* list = child<QTableWidget>(panel, "markerTable");
    CHECK(list->rowCount() == 3);
    CHECK_FALSE(child<QPushButton>(panel, "deleteMarkerButton")->isEnabled());  // while recording
    recorder.finish("stopped");
    panel.onRecordingStopped(qfolder, QString());

    // Read back from markers.csv.
    REQUIRE(list->rowCount() == 3);
    CHECK(list->item(1, 2)->text() == QStringLiteral("loud, \"noise\""));
    CHECK_FALSE(child<QPushButton>(panel, "saveMarkersButton")->isEnabled());  // nothing edited
    list->item(0, 1)->setText(QStringLiteral("baseline, eyes open"));
    list->item(2, 2)->setText(QStringLiteral("a note\nwith two lines"));
    list->selectRow(1);
    child<QPushButton>(panel, "deleteMarkerButton")->click();
    CHECK(list->rowCount() == 2);
    auto* save = child<QPushButton>(panel, "saveMarkersButton");
    REQUIRE(save->isEnabled());
    save->click();
    CHECK(panel.errorText().isEmpty());
    CHECK_FALSE(save->isEnabled());

    const core::SessionData d = core::readSession(folder);
    REQUIRE(d.markers.size() == 2);
    CHECK(d.markers[0].label == "baseline, eyes open");
    CHECK(d.markers[0].timestampMs == Approx(500.0));
    CHECK(d.markers[1].label == "rest");
    CHECK(d.markers[1].note == "a note\nwith two lines");
    const auto& segments = d.summary.at("segments").asArray();
    REQUIRE(segments.size() == 3);  // before the first marker + 2
    CHECK(segments[1].at("label").asString() == "baseline, eyes open");
}

TEST_CASE("a recording error is shown and says that what was recorded is kept",
          "[recording_panel]") {
    app();
    test::TempDir dir;
    RecordingPanel panel;
    panel.show();
    panel.onRecordingStarted(QString::fromStdString(dir.str()));
    panel.onRecordingStopped(QString::fromStdString(dir.str()),
                             QStringLiteral("disk almost full: 50 MiB free on /data"));
    CHECK_FALSE(panel.isRecording());
    const QString error = panel.errorText();
    INFO(error.toStdString());
    CHECK(error.contains(QStringLiteral("disk almost full: 50 MiB free")));
    CHECK(error.contains(QStringLiteral("Everything recorded before this moment is kept")));
    CHECK(child<QLabel>(panel, "errorLabel")->isVisible());

    // A start that failed before any file was made says so instead.
    RecordingPanel other;
    other.onRecordingStopped(QString(), QStringLiteral("no camera"));
    CHECK(other.errorText().contains(QStringLiteral("could not start: no camera")));
    CHECK_FALSE(other.errorText().contains(QStringLiteral("kept")));
}
