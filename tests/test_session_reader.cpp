// Session reader: round trip with SessionRecorder's files, a frames.csv cut off anywhere,
// garbage and damaged bytes, CRLF, quoted notes, missing files, editing markers afterwards,
// and deleting a session (only its own files).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "litefer/core/session_reader.h"
#include "litefer/core/session_recorder.h"
#include "litefer/files.h"
#include "litefer/json.h"
#include "support/session_data.h"
#include "support/temp_dir.h"
#include "support/text_files.h"

using namespace litefer;
namespace fs = std::filesystem;

namespace {

core::TrackedFace trackedFace(int id, Emotion label, float p = 0.8f, bool uncertain = false) {
    const cv::Rect2f box(10.0f + static_cast<float>(id) * 5.0f, 12.5f, 30.0f, 34.0f);
    return test::classifiedFace(id, box, label, p, p - 0.1f, uncertain);
}

/// A result of `faces` on a plain 64x48 picture.
core::FrameResult result(std::uint64_t id, double ms, std::vector<core::TrackedFace> faces,
                         const std::string& name = "") {
    return test::frameResult(id, ms, std::move(faces),
                             cv::Mat(48, 64, CV_8UC3, cv::Scalar(30, 60, 90)), name);
}

core::SessionInfo info() {
    core::SessionInfo i;
    i.participant = "P07";
    i.session = "pilot";
    i.notes = "first try, \"quiet\" room";
    i.source = "face.mp4";
    i.sourceKind = "video";
    i.resolution = cv::Size(64, 48);
    i.fps = 10.0;
    i.modelName = "test model";
    i.modelArchitecture = "vgg-lite";
    i.detector = "haar";
    return i;
}

/// A finished session: 10 frames of two faces (frame 4 without faces, face 3 unclassified in
/// frame 6), three markers with awkward notes. Returns the frame count.
void recordSession(const std::string& folder, bool video = false) {
    core::RecorderOptions options;
    options.writeVideo = video;
    core::SessionRecorder rec(folder, info(), options);
    for (int i = 0; i < 10; ++i) {
        std::vector<core::TrackedFace> faces;
        if (i != 4) {
            faces.push_back(trackedFace(1, i < 5 ? Emotion::Happy : Emotion::Sad));
            faces.push_back(trackedFace(2, Emotion::Neutral, 0.5f, true));
        }
        if (i == 6) {
            core::TrackedFace unscored = trackedFace(3, Emotion::Neutral);
            unscored.hasScores = false;
            faces.push_back(unscored);
        }
        rec.record(result(static_cast<std::uint64_t>(i), i * 100.0, faces,
                          i == 2 ? "still, \"two\".png" : ""));
    }
    rec.addMarker(150.0, "baseline", "");
    rec.addMarker(420.5, "stimulus", "picture 3, \"sad\"\nsecond line");
    rec.addMarker(800.0, "Reaktion äöü", "notiz: ok");
    rec.finish("source ended");
}

std::string fileText(const std::string& path) {
    return readFileBytes(path);
}

using test::writeText;

bool anyProblemContains(const std::vector<core::SessionProblem>& problems,
                        const std::string& needle) {
    for (const auto& p : problems) {
        if (p.text().find(needle) != std::string::npos) {
            return true;
        }
    }
    return false;
}

std::string allProblems(const std::vector<core::SessionProblem>& problems) {
    std::string out;
    for (const auto& p : problems) {
        out += p.text() + "\n";
    }
    return out;
}

/// Number of data rows in the first `n` bytes of a frames.csv text: whole lines after the
/// header (the test files have no line breaks inside fields).
std::size_t wholeRowsIn(const std::string& text, std::size_t n) {
    std::size_t lines = 0;
    for (std::size_t i = 0; i < n; ++i) {
        lines += text[i] == '\n' ? 1 : 0;
    }
    return lines > 0 ? lines - 1 : 0;
}

}  // namespace

TEST_CASE("reads back what SessionRecorder wrote", "[session_reader]") {
    test::TempDir dir;
    const std::string folder = dir.file("s");
    recordSession(folder);
    const core::SessionData d = core::readSession(folder);

    INFO(allProblems(d.problems));
    CHECK(d.problems.empty());
    CHECK_FALSE(d.framesCutOff);
    CHECK_FALSE(d.summaryRecomputed);
    CHECK_FALSE(d.hasVideo);
    CHECK(d.meta.app == "LiteFER");
    CHECK(d.meta.status == "complete");
    CHECK(d.meta.endReason == "source ended");
    CHECK(d.meta.participant == "P07");
    CHECK(d.meta.session == "pilot");
    CHECK(d.meta.notes == "first try, \"quiet\" room");
    CHECK(d.meta.sourceSpec == "face.mp4");
    CHECK(d.meta.width == 64);
    CHECK(d.meta.fps == Approx(10.0));
    CHECK(d.meta.modelArchitecture == "vgg-lite");
    CHECK(d.meta.detector == "haar");
    CHECK_FALSE(d.meta.videoWritten);
    CHECK(d.meta.framesRecorded == 10);

    // 9 frames x 2 faces + 1 empty frame + 1 unclassified face.
    REQUIRE(d.frames.size() == 20);
    const core::FrameRow& first = d.frames[0];
    CHECK(first.line == 2);
    CHECK(first.frameId == 0);
    CHECK(first.hasFace);
    CHECK(first.faceId == 1);
    CHECK(first.box.x == Approx(15.0f));
    CHECK(first.box.y == Approx(12.5f));
    CHECK(first.box.width == Approx(30.0f));
    CHECK(first.score == Approx(0.9f));
    CHECK(first.hasScores);
    CHECK(first.raw[static_cast<std::size_t>(Emotion::Happy)] == Approx(0.8f));
    CHECK(first.smoothed[static_cast<std::size_t>(Emotion::Happy)] == Approx(0.7f));
    CHECK(first.label == Emotion::Happy);
    CHECK_FALSE(first.uncertain);
    CHECK(d.frames[1].uncertain);
    CHECK(d.frames[4].sourceFile == "still, \"two\".png");
    const core::FrameRow& empty = d.frames[8];
    CHECK(empty.frameId == 4);
    CHECK(empty.timestampMs == Approx(400.0));
    CHECK_FALSE(empty.hasFace);
    const core::FrameRow& unscored = d.frames[13];
    CHECK(unscored.faceId == 3);
    CHECK(unscored.hasFace);
    CHECK_FALSE(unscored.hasScores);

    REQUIRE(d.markers.size() == 3);
    CHECK(d.markers[0].timestampMs == Approx(150.0));
    CHECK(d.markers[0].label == "baseline");
    CHECK(d.markers[1].timestampMs == Approx(420.5));
    CHECK(d.markers[1].note == "picture 3, \"sad\"\nsecond line");
    CHECK(d.markers[2].label == "Reaktion äöü");

    CHECK(d.summary == json::parse(fileText(folder + "/summary.json")));
    // The summary recomputed from the CSV agrees with the recorder's (5 decimals).
    const json::Value again =
        core::summarizeSession(core::summaryFramesFromRows(d.frames), d.markers);
    CHECK(again.at("frames").asInt() == 10);
    CHECK(again.at("faces").size() == d.summary.at("faces").size());
    CHECK(again.at("segments").size() == 4);  // "before first marker" + 3
    CHECK(again.at("faces").asArray()[0].at("share").at("happy").asDouble() ==
          Approx(d.summary.at("faces").asArray()[0].at("share").at("happy").asDouble()));
}

TEST_CASE("a frames.csv cut off at any byte keeps every whole row", "[session_reader]") {
    test::TempDir dir;
    recordSession(dir.file("s"));
    const std::string text = fileText(dir.file("s/frames.csv"));
    for (std::size_t n = 0; n <= text.size(); ++n) {
        std::vector<core::SessionProblem> problems;
        bool cutOff = false;
        const auto rows = core::parseFramesCsv(std::string_view(text).substr(0, n), problems,
                                               core::kFramesCsv, &cutOff);
        const bool atLineEnd = n > 0 && text[n - 1] == '\n';
        INFO("cut at byte " << n << ": " << allProblems(problems));
        REQUIRE(rows.size() == wholeRowsIn(text, n));
        CHECK(cutOff == (n > 0 && !atLineEnd));
        if (n > 0 && !atLineEnd) {
            REQUIRE(problems.size() == 1);
            CHECK(problems[0].file == "frames.csv");
            // The cut row starts on the line after the last line break.
            CHECK(problems[0].line ==
                  static_cast<std::size_t>(
                      std::count(text.begin(), text.begin() + static_cast<long>(n), '\n')) +
                      1);
            CHECK(problems[0].message.find("cut off") != std::string::npos);
        } else if (n > 0) {
            CHECK(problems.empty());
        }
    }
}

TEST_CASE("a session whose program was killed mid-row opens with its whole rows",
          "[session_reader]") {
    test::TempDir dir;
    const std::string folder = dir.file("crashed");
    recordSession(folder);
    // What a kill -9 leaves: session.json still "recording", no summary, half a row.
    std::string session = fileText(folder + "/session.json");
    session.replace(session.find("\"complete\""), 10, "\"recording\"");
    writeText(folder + "/session.json", session);
    fs::remove(folder + "/summary.json");
    const std::string frames = fileText(folder + "/frames.csv");
    writeText(folder + "/frames.csv", frames.substr(0, frames.size() - 30));

    const core::SessionData d = core::readSession(folder);
    CHECK(d.meta.status == "recording");
    CHECK(d.framesCutOff);
    CHECK(d.frames.size() == 19);
    CHECK(d.summaryRecomputed);
    CHECK(d.summary.at("frames").asInt() == 10);
    CHECK(anyProblemContains(d.problems, "frames.csv line 21: the last row is incomplete"));
    CHECK(anyProblemContains(d.problems, "session.json: the session did not finish"));
}

TEST_CASE("a bad row is reported with its file and line and the rest is read", "[session_reader]") {
    test::TempDir dir;
    const std::string folder = dir.file("s");
    recordSession(folder);
    std::string text = fileText(folder + "/frames.csv");
    // Line 3 (the 2nd data row) gets an unknown label, line 4 a probability above 1, line 7 an
    // extra field.
    std::vector<std::string> lines;
    for (std::size_t start = 0; start < text.size();) {
        const std::size_t end = text.find('\n', start);
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    lines[2].replace(lines[2].find(",neutral,"), 9, ",joyful,");
    lines[3].replace(lines[3].find(",0.80000,"), 9, ",1.80000,");
    lines[6] += ",extra";
    text.clear();
    for (const auto& l : lines) {
        text += l + "\n";
    }
    writeText(folder + "/frames.csv", text);

    const core::SessionData d = core::readSession(folder);
    INFO(allProblems(d.problems));
    CHECK(d.frames.size() == 17);
    CHECK(anyProblemContains(d.problems,
                             "frames.csv line 3: label 'joyful' is not one of the seven emotions"));
    CHECK(anyProblemContains(d.problems,
                             "frames.csv line 4: raw_happy '1.80000' is not a "
                             "probability"));
    CHECK(anyProblemContains(d.problems, "frames.csv line 7: 26 fields, expected 25"));
}

TEST_CASE("CRLF line ends read like LF", "[session_reader]") {
    test::TempDir dir;
    recordSession(dir.file("s"));
    for (const char* name : {"frames.csv", "markers.csv"}) {
        std::string crlf;
        for (char c : fileText(dir.file(std::string("s/") + name))) {
            crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
        }
        writeText(dir.file(std::string("s/") + name), crlf);
    }
    const core::SessionData d = core::readSession(dir.file("s"));
    INFO(allProblems(d.problems));
    CHECK(d.problems.empty());
    CHECK(d.frames.size() == 20);
    REQUIRE(d.markers.size() == 3);
    // The line break inside the quoted note was written as CRLF too; it stays as written.
    CHECK(d.markers[1].note == "picture 3, \"sad\"\r\nsecond line");
    CHECK(d.markers[2].label == "Reaktion äöü");

    // A CRLF cut after its CR is a cut-off row, not a whole one.
    std::vector<core::SessionProblem> problems;
    bool cutOff = false;
    const auto markers = core::parseMarkersCsv("time_ms,label,note\r\n1.0,a,b\r\n2.0,c,d\r",
                                               problems, "markers.csv", &cutOff);
    CHECK(markers.size() == 1);
    CHECK(cutOff);
}

TEST_CASE("quoted marker notes keep commas, quotes and line breaks, and lines count on",
          "[session_reader]") {
    std::vector<core::SessionProblem> problems;
    const std::string text =
        "time_ms,label,note\n"
        "1.500,\"a, b\",\"line one\nline \"\"two\"\"\"\n"
        "oops,label,\n"
        "3.000,c,\"unterminated\n";
    bool cutOff = false;
    const auto markers = core::parseMarkersCsv(text, problems, "markers.csv", &cutOff);
    REQUIRE(markers.size() == 1);
    CHECK(markers[0].timestampMs == Approx(1.5));
    CHECK(markers[0].label == "a, b");
    CHECK(markers[0].note == "line one\nline \"two\"");
    INFO(allProblems(problems));
    REQUIRE(problems.size() == 2);
    CHECK(problems[0].text() ==
          "markers.csv line 4: time_ms 'oops' is not a number; the marker is skipped");
    CHECK(problems[1].line == 5);
    CHECK(cutOff);

    // formatMarkersCsv writes what the recorder writes, and parses back to the same markers.
    const std::vector<core::Marker> in = {{0.0, "x", ""}, {12.25, "a,\"b\"", "n\nm"}};
    problems.clear();
    const auto out = core::parseMarkersCsv(core::formatMarkersCsv(in), problems);
    CHECK(problems.empty());
    REQUIRE(out.size() == 2);
    CHECK(out[1].timestampMs == Approx(12.25));
    CHECK(out[1].label == "a,\"b\"");
    CHECK(out[1].note == "n\nm");
}

TEST_CASE("garbage and damaged bytes never crash or throw", "[session_reader][fuzz]") {
    test::TempDir dir;
    recordSession(dir.file("s"));
    const std::string frames = fileText(dir.file("s/frames.csv"));
    const std::string markers = fileText(dir.file("s/markers.csv"));
    const std::string session = fileText(dir.file("s/session.json"));
    std::mt19937 rng(1234);
    std::uniform_int_distribution<int> byte(0, 255);
    const std::string alphabet = ",\"\r\n0123456789.-eE abc";
    for (int round = 0; round < 300; ++round) {
        std::string garbage(static_cast<std::size_t>(rng() % 400), '\0');
        for (char& c : garbage) {
            c = round % 2 == 0 ? static_cast<char>(byte(rng)) : alphabet[rng() % alphabet.size()];
        }
        std::vector<std::string> damaged = {garbage, "frame_id,timestamp_ms\n" + garbage,
                                            frames.substr(0, frames.find('\n') + 1) + garbage};
        for (const std::string* original : {&frames, &markers, &session}) {
            std::string d = *original;
            for (int flips = 0; flips < 1 + round % 8; ++flips) {
                d[rng() % d.size()] = static_cast<char>(byte(rng));
            }
            damaged.push_back(d);
        }
        for (const auto& text : damaged) {
            std::vector<core::SessionProblem> problems;
            CHECK_NOTHROW(core::parseFramesCsv(text, problems));
            CHECK_NOTHROW(core::parseMarkersCsv(text, problems));
            CHECK_NOTHROW(core::parseSessionJson(text, problems));
            for (const auto& p : problems) {
                CHECK_FALSE(p.file.empty());
            }
        }
    }
    // A damaged session folder still opens (or fails with SessionFileError only).
    std::string d = frames;
    d[d.size() / 2] = '\0';
    writeText(dir.file("s/frames.csv"), d);
    writeText(dir.file("s/summary.json"), "{\"frames\": ");
    writeText(dir.file("s/session.json"), std::string("\xff\xfe garbage", 10));
    const core::SessionData data = core::readSession(dir.file("s"));
    CHECK(data.summaryRecomputed);
    CHECK(data.meta.status.empty());
    CHECK(anyProblemContains(data.problems, "session.json: not valid JSON"));
    CHECK(anyProblemContains(data.problems, "summary.json"));
}

TEST_CASE("a file full of bad rows keeps a bounded list of problems", "[session_reader]") {
    std::string text = "time_ms,label,note\n";
    for (int i = 0; i < 1000; ++i) {
        text += "x,y,z\n";
    }
    std::vector<core::SessionProblem> problems;
    CHECK(core::parseMarkersCsv(text, problems).empty());
    REQUIRE(problems.size() == core::kMaxProblems + 1);
    CHECK(problems.back().message.find("800 more problems") != std::string::npos);

    // A row of thousands of fields, or a field of megabytes, is skipped without storing it.
    problems.clear();
    const std::string huge = "time_ms,label,note\n" + std::string(5000, ',') + "\n1.0,\"" +
                             std::string(3u << 20, 'x') + "\",n\n2.0,ok,\n";
    const auto markers = core::parseMarkersCsv(huge, problems);
    REQUIRE(markers.size() == 1);
    CHECK(markers[0].label == "ok");
    REQUIRE(problems.size() == 2);
    CHECK(problems[0].text() ==
          "markers.csv line 2: the marker is far too long (damaged file); "
          "it is skipped");
    CHECK(problems[1].line == 3);
}

TEST_CASE("a frames.csv without the recorder's columns is rejected as a whole",
          "[session_reader]") {
    std::vector<core::SessionProblem> problems;
    const auto rows = core::parseFramesCsv("a,b,c\n1,2,3\n", problems);
    CHECK(rows.empty());
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].line == 1);
    CHECK(problems[0].message.find("missing columns: frame_id") != std::string::npos);
    problems.clear();
    CHECK(core::parseFramesCsv("", problems).empty());
    CHECK(problems.at(0).message.find("empty") != std::string::npos);
}

TEST_CASE("missing files give errors that name them and the fix", "[session_reader]") {
    test::TempDir dir;
    CHECK_THROWS_WITH(core::readSession(dir.file("nope")),
                      Catch::Contains(dir.file("nope")) && Catch::Contains("does not exist"));
    recordSession(dir.file("s"));
    fs::remove(dir.file("s/frames.csv"));
    CHECK_THROWS_WITH(core::readSession(dir.file("s")),
                      Catch::Contains("frames.csv is missing") &&
                          Catch::Contains("choose the folder a recording made"));
    recordSession(dir.file("t"));
    fs::remove(dir.file("t/session.json"));
    CHECK_THROWS_AS(core::readSession(dir.file("t")), core::SessionFileError);
    CHECK_THROWS_WITH(core::readSession(dir.file("t")), Catch::Contains("session.json is missing"));

    recordSession(dir.file("u"));
    fs::remove(dir.file("u/markers.csv"));
    fs::remove(dir.file("u/summary.json"));
    const core::SessionData d = core::readSession(dir.file("u"));
    CHECK(d.markers.empty());
    CHECK(d.summaryRecomputed);
    CHECK(anyProblemContains(d.problems, "markers.csv: missing"));
    CHECK(anyProblemContains(d.problems, "summary.json: missing"));
}

TEST_CASE("reads, edits and deletes sessions in folders with spaces and non-ASCII names",
          "[session_reader]") {
    test::TempDir dir;
    const std::string folder = dir.file("Studie Ü 2026/P07 Sitzung 1");
    recordSession(folder, /*video=*/true);
    core::SessionData d = core::readSession(folder);
    CHECK(d.frames.size() == 20);
    CHECK(d.hasVideo);
    CHECK(d.meta.videoWritten);

    d.markers[0].label = "Ruhe, vorher";
    d.markers.erase(d.markers.begin() + 1);
    core::writeMarkersCsv(folder, d.markers);
    const core::SessionData edited = core::readSession(folder);
    INFO(allProblems(edited.problems));
    CHECK(edited.problems.empty());
    REQUIRE(edited.markers.size() == 2);
    CHECK(edited.markers[0].label == "Ruhe, vorher");
    CHECK(edited.markers[1].label == "Reaktion äöü");
    // summary.json follows the edit: its segments carry the new labels.
    const auto& segments = edited.summary.at("segments").asArray();
    REQUIRE(segments.size() == 3);
    CHECK(segments[1].at("label").asString() == "Ruhe, vorher");
    CHECK(segments[2].at("start_ms").asDouble() == Approx(800.0));

    const core::DeleteResult r = core::deleteSession(folder);
    CHECK(r.removed.size() == 5);
    CHECK(r.kept.empty());
    CHECK(r.folderRemoved);
    CHECK_FALSE(fs::exists(folder));
    CHECK(fs::exists(dir.file("Studie Ü 2026")));  // only the session's own folder goes
}

TEST_CASE("deleting removes only a session's own files and refuses other folders",
          "[session_reader]") {
    test::TempDir dir;
    recordSession(dir.file("s"));
    writeText(dir.file("s/my notes.txt"), "keep me");
    writeText(dir.file("s/summary.json.tmp-123-0"), "left by a crash");
    const core::DeleteResult r = core::deleteSession(dir.file("s"));
    CHECK(r.removed.size() == 5);  // 4 files + the temporary file, no video
    CHECK(r.kept == std::vector<std::string>{"my notes.txt"});
    CHECK_FALSE(r.folderRemoved);
    CHECK(fs::exists(dir.file("s/my notes.txt")));
    CHECK_FALSE(fs::exists(dir.file("s/session.json")));
    CHECK_FALSE(fs::exists(dir.file("s/summary.json.tmp-123-0")));

    // Not a session: nothing is touched.
    fs::create_directories(dir.file("other"));
    writeText(dir.file("other/session.json"), "{\"app\": \"SomethingElse\"}");
    writeText(dir.file("other/frames.csv"), "a,b\n");
    CHECK_THROWS_WITH(core::deleteSession(dir.file("other")),
                      Catch::Contains("refusing to delete"));
    CHECK(fs::exists(dir.file("other/frames.csv")));
    CHECK_THROWS_WITH(core::deleteSession(dir.file("s")),
                      Catch::Contains("no session.json"));  // the one left is not ours
    CHECK_THROWS_AS(core::deleteSession(dir.file("missing")), core::SessionFileError);
    CHECK_THROWS_AS(core::writeMarkersCsv(dir.file("s"), {}), core::SessionFileError);
}

TEST_CASE("session.json of a failed recording reads with its error", "[session_reader]") {
    std::vector<core::SessionProblem> problems;
    const core::SessionMeta meta = core::parseSessionJson(
        R"({"app":"LiteFER","status":"failed","error":"cannot write frames.csv: No space left",
            "end_reason":"recording failed","source":{"width":"wide","fps":25},
            "frames_recorded":-3})",
        problems);
    CHECK(meta.status == "failed");
    CHECK(meta.error == "cannot write frames.csv: No space left");
    CHECK(meta.fps == Approx(25.0));
    CHECK(meta.width == 0);
    CHECK(meta.framesRecorded == 0);
    CHECK(anyProblemContains(problems, "session.json: 'source.width' is not a number"));
    CHECK(anyProblemContains(problems, "'frames_recorded' is not a number"));
}
