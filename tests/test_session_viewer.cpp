// SessionViewer and OfflineAnalysisJob on Qt's offscreen platform. The viewer opens sessions
// written by core::SessionRecorder from synthetic results (no model needed): its series,
// markers, summary rows, problems and status, and deletes them. The offline analysis runs the
// real pipeline (shipped model, Haar or YuNet) on ../shared/video/face_d0.mp4 and skips with a
// reason when ../shared is absent.
#include <catch2/catch.hpp>

#include <QApplication>
#include <QLabel>
#include <QString>
#include <QTableWidget>
#include <QTableWidgetItem>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "litefer/core/session_reader.h"
#include "litefer/core/session_recorder.h"
#include "litefer/files.h"
#include "litefer/ui/offline_analysis.h"
#include "litefer/ui/session_viewer.h"
#include "support/qt_app.h"
#include "support/session_data.h"
#include "support/shared_data.h"
#include "support/temp_dir.h"

using namespace litefer;
namespace fs = std::filesystem;
using litefer::ui::OfflineAnalysisJob;
using litefer::ui::OfflineAnalysisRequest;
using litefer::ui::SessionViewer;

namespace {

using test::pumpEvents;

QApplication& app() {
    return test::testApplication("test_session_viewer");
}

core::TrackedFace face(int id, Emotion label) {
    const cv::Rect2f box(5.0f + 30.0f * static_cast<float>(id), 5.0f, 20.0f, 20.0f);
    return test::classifiedFace(id, box, label, 0.7f, 0.7f, /*uncertain=*/true);
}

/// `frames` frames at 40 ms; face 1 happy throughout, face 2 sad in the first half; markers
/// at 1/4 and 3/4 of the time and one at the middle.
void recordSession(const std::string& folder, int frames = 50) {
    core::SessionInfo info;
    info.participant = "P09";
    info.session = "viewer";
    info.source = "synthetic";
    info.sourceKind = "video";
    info.modelName = "test model";
    info.detector = "haar";
    core::RecorderOptions options;
    options.writeVideo = false;
    core::SessionRecorder rec(folder, info, options);
    for (int i = 0; i < frames; ++i) {
        core::FrameResult r =
            test::frameResult(static_cast<std::uint64_t>(i), 40.0 * i, {face(1, Emotion::Happy)});
        if (i < frames / 2) {
            r.faces.push_back(face(2, Emotion::Sad));
        }
        rec.record(r);
    }
    const double end = 40.0 * frames;
    rec.addMarker(end / 4, "baseline", "");
    rec.addMarker(end / 2, "stimulus", "picture, \"one\"");
    rec.addMarker(3 * end / 4, "rest", "");
    rec.finish("source ended");
}

/// Rows the summary table should have: per part, one per face (or one "no face" row).
int expectedSummaryRows(const json::Value& summary) {
    auto rows = [](const json::Value& faces) {
        return std::max<int>(1, static_cast<int>(faces.size()));
    };
    int n = rows(summary.at("faces"));
    for (const auto& s : summary.at("segments").asArray()) {
        n += rows(s.at("faces"));
    }
    return n;
}

/// The shared face video, or empty (with a warning that the test is skipped) without ../shared.
std::string faceVideoOrSkip() {
    const std::string video = test::sharedPath("video/face_d0.mp4");
    if (!fs::exists(video)) {
        WARN("skipped: " << video << " is absent (the shared data folder ../shared)");
        return "";
    }
    return video;
}

/// What an OfflineAnalysisJob said when it finished, once watch() connected to it.
struct JobEnd {
    bool done = false;
    QString folder;
    QString error;

    void watch(OfflineAnalysisJob& job) {
        QObject::connect(&job, &OfflineAnalysisJob::finished,
                         [this](const QString& f, const QString& e) {
                             folder = f;
                             error = e;
                             done = true;
                         });
    }
    /// Runs the event loop until the job finished; false on timeout.
    bool wait(int timeoutMs) const {
        return test::waitUntil([this] { return done; }, timeoutMs);
    }
};

}  // namespace

TEST_CASE("the viewer shows a recorded session's timeline, markers and summary",
          "[session_viewer]") {
    app();
    test::TempDir dir;
    const std::string folder = dir.file("P09 viewer Ü");
    recordSession(folder);
    SessionViewer viewer(QString::fromStdString(folder));
    viewer.show();
    pumpEvents(20);
    INFO(viewer.errorText().toStdString());
    REQUIRE(viewer.errorText().isEmpty());
    REQUIRE(viewer.session() != nullptr);
    CHECK(viewer.problems().isEmpty());
    CHECK(viewer.faceIds() == QList<int>({1, 2}));
    CHECK(viewer.seriesCount() == 7 + 3);  // one per emotion + one per marker
    CHECK(viewer.pointsPerSeries() == 50);
    viewer.showFace(2);
    CHECK(viewer.seriesCount() == 10);
    CHECK(viewer.pointsPerSeries() == 25);
    CHECK(viewer.markerCount() == 3);
    const json::Value summary = json::parse(readFileBytes(folder + "/summary.json"));
    CHECK(viewer.summaryRowCount() == expectedSummaryRows(summary));
    CHECK(viewer.summaryRowCount() == 2 + 2 + 2 + 1 + 1);  // whole, before, baseline, stim, rest

    auto* table = viewer.findChild<QTableWidget*>(QStringLiteral("summaryTable"));
    REQUIRE(table != nullptr);
    CHECK(table->item(0, 0)->text() == QStringLiteral("Whole session"));
    CHECK(table->item(0, 1)->text() == QStringLiteral("#1"));
    CHECK(table->item(0, 3 + 3)->text() == QStringLiteral("100%"));  // face 1: happy all along
    CHECK(table->item(1, 3 + 4)->text() == QStringLiteral("100%"));  // face 2: sad

    auto* status = viewer.findChild<QLabel*>(QStringLiteral("statusLabel"));
    REQUIRE(status != nullptr);
    CHECK(status->text().startsWith(QStringLiteral("Complete")));
}

TEST_CASE("the viewer shows a failed or cut-off session with its problems", "[session_viewer]") {
    app();
    test::TempDir dir;
    const std::string folder = dir.file("s");
    recordSession(folder);
    std::string session = readFileBytes(folder + "/session.json");
    session.replace(session.find("\"complete\""), 10, "\"failed\"");
    session.replace(session.find("\"error\": \"\""), 11,
                    "\"error\": \"disk almost full: 12 MiB free\"");
    writeFileAtomic(folder + "/session.json", session);
    const std::string frames = readFileBytes(folder + "/frames.csv");
    writeFileAtomic(folder + "/frames.csv", frames.substr(0, frames.size() - 7));
    fs::remove(folder + "/summary.json");

    SessionViewer viewer(QString::fromStdString(folder));
    REQUIRE(viewer.errorText().isEmpty());
    auto* status = viewer.findChild<QLabel*>(QStringLiteral("statusLabel"));
    INFO(status->text().toStdString());
    CHECK(status->text().contains(QStringLiteral("Failed: disk almost full: 12 MiB free")));
    CHECK(status->text().contains(QStringLiteral("kept")));
    const QStringList problems = viewer.problems();
    INFO(problems.join(QLatin1Char('\n')).toStdString());
    CHECK(
        problems.filter(QStringLiteral("frames.csv line 76: the last row is incomplete")).size() ==
        1);
    CHECK(problems.filter(QStringLiteral("summary.json: missing")).size() == 1);
    CHECK(viewer.summaryRowCount() > 0);  // recomputed
}

TEST_CASE("a long session is averaged down to a drawable number of points", "[session_viewer]") {
    app();
    test::TempDir dir;
    recordSession(dir.file("long"), 7000);
    SessionViewer viewer(QString::fromStdString(dir.file("long")));
    CHECK(viewer.pointsPerSeries() == SessionViewer::kMaxChartPoints);
}

TEST_CASE("a folder that is not a session shows why", "[session_viewer]") {
    app();
    test::TempDir dir;
    SessionViewer viewer(QString::fromStdString(dir.file("missing")));
    CHECK(viewer.session() == nullptr);
    CHECK(viewer.errorText().contains(QStringLiteral("does not exist")));
    CHECK(viewer.seriesCount() == 0);
    CHECK_FALSE(viewer.deleteSessionNow());
}

TEST_CASE("Delete removes every file of the session and its folder", "[session_viewer]") {
    app();
    test::TempDir dir;
    const std::string folder = dir.file("to delete");
    recordSession(folder);
    SessionViewer viewer(QString::fromStdString(folder));
    QString deleted;
    QObject::connect(&viewer, &SessionViewer::sessionDeleted,
                     [&deleted](const QString& f) { deleted = f; });
    REQUIRE(viewer.deleteSessionNow());
    CHECK(deleted == QString::fromStdString(folder));
    CHECK_FALSE(fs::exists(folder));
    CHECK(fs::exists(dir.str()));
}

TEST_CASE("offline analysis of a video saves a complete session", "[session_viewer][offline]") {
    app();
    const std::string video = faceVideoOrSkip();
    if (video.empty()) {
        return;
    }
    test::TempDir dir;
    OfflineAnalysisRequest request;
    request.videoPath = QString::fromStdString(video);
    request.folder = QString::fromStdString(dir.file("offline"));
    request.participant = QStringLiteral("P01");
    request.recorderOptions.writeVideo = false;
    OfflineAnalysisJob job;
    JobEnd end;
    end.watch(job);
    std::vector<int> progress;
    QObject::connect(&job, &OfflineAnalysisJob::progress,
                     [&progress](int permille) { progress.push_back(permille); });
    REQUIRE(job.start(request));
    CHECK(job.isRunning());
    CHECK_FALSE(job.start(request));  // one at a time
    REQUIRE(end.wait(120000));
    INFO(end.error.toStdString());
    CHECK(end.error.isEmpty());
    CHECK(end.folder == request.folder);
    CHECK_FALSE(job.isRunning());
    REQUIRE_FALSE(progress.empty());
    CHECK(progress.back() == 1000);
    CHECK(std::is_sorted(progress.begin(), progress.end()));

    const core::SessionData d = core::readSession(end.folder.toStdString());
    CHECK(d.problems.empty());
    CHECK(d.meta.status == "complete");
    CHECK(d.meta.endReason == "source ended");
    CHECK(d.meta.participant == "P01");
    CHECK(d.meta.framesRecorded == 78);
    std::set<std::uint64_t> ids;
    for (const auto& row : d.frames) {
        ids.insert(row.frameId);
    }
    CHECK(ids.size() == 78);
}

TEST_CASE("cancelling an offline analysis leaves a complete session marked cancelled",
          "[session_viewer][offline]") {
    app();
    const std::string video = faceVideoOrSkip();
    if (video.empty()) {
        return;
    }
    test::TempDir dir;
    OfflineAnalysisRequest request;
    request.videoPath = QString::fromStdString(video);
    request.folder = QString::fromStdString(dir.file("cancelled"));
    OfflineAnalysisJob job;
    JobEnd end;
    end.watch(job);
    QObject::connect(&job, &OfflineAnalysisJob::progress, [&job](int permille) {
        if (permille > 0) {
            job.cancel();  // after the first frames
        }
    });
    REQUIRE(job.start(request));
    REQUIRE(end.wait(120000));
    INFO(end.error.toStdString());
    CHECK(end.error.isEmpty());
    CHECK(job.wasCancelled());
    const core::SessionData d = core::readSession(end.folder.toStdString());
    CHECK(d.problems.empty());
    CHECK(d.meta.status == "complete");
    CHECK(d.meta.endReason == "cancelled");
    CHECK(d.meta.framesRecorded > 0);
    CHECK(d.meta.framesRecorded < 78);
    CHECK_FALSE(d.summaryRecomputed);
    CHECK(d.hasVideo);

    // A file that does not exist: no session, a message naming it.
    OfflineAnalysisJob bad;
    end = JobEnd();
    end.watch(bad);
    request.videoPath = QString::fromStdString(dir.file("no such video.mp4"));
    request.folder = QString::fromStdString(dir.file("never"));
    REQUIRE(bad.start(request));
    REQUIRE(end.wait(60000));
    CHECK(end.folder.isEmpty());
    CHECK(end.error.contains(QStringLiteral("no such video.mp4")));
    CHECK_FALSE(fs::exists(dir.file("never")));
}
