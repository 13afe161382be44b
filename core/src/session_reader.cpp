#include "litefer/core/session_reader.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>

#include "litefer/files.h"

namespace litefer::core {

namespace {

namespace fs = std::filesystem;

/// Files larger than this are refused rather than read into memory (an hour at 30 fps with
/// one face is ~20 MB of frames.csv).
constexpr std::uintmax_t kMaxFileBytes = std::uintmax_t{1} << 30;

/// A record with more fields, or a field longer than this, is skipped as damaged (the
/// recorder writes 25 fields of a few bytes, and notes of a few lines); reading goes on but
/// stores no more of it, so a line of a billion commas cannot take the memory.
constexpr std::size_t kMaxCsvFields = 1000;
constexpr std::size_t kMaxFieldBytes = std::size_t{1} << 20;

/// Probabilities may carry rounding beyond [0, 1] by this much.
constexpr double kProbabilitySlack = 1e-4;

/// Collects problems for one file, keeping at most kMaxProblems and counting the rest.
class ProblemSink {
  public:
    ProblemSink(std::vector<SessionProblem>& out, std::string_view file) : out_(out), file_(file) {}
    ~ProblemSink() {
        if (count_ > kMaxProblems) {
            out_.push_back({file_, 0,
                            std::to_string(count_ - kMaxProblems) +
                                " more problems not listed (the file is badly damaged)"});
        }
    }
    ProblemSink(const ProblemSink&) = delete;
    ProblemSink& operator=(const ProblemSink&) = delete;

    void add(std::size_t line, std::string message) {
        if (++count_ <= kMaxProblems) {
            out_.push_back({file_, line, std::move(message)});
        }
    }

  private:
    std::vector<SessionProblem>& out_;
    std::string file_;
    std::size_t count_ = 0;
};

/// One CSV record: its fields, the line it starts on, and whether it ended with a line break.
struct CsvRecord {
    std::size_t line = 0;
    std::vector<std::string> fields;
    bool terminated = false;  ///< ended by "\n" or "\r\n" (else: the text ended inside it)
    bool badQuote = false;    ///< text after a closing quote, or an unterminated quote
    bool tooLong = false;     ///< more than kMaxCsvFields fields, or a field over kMaxFieldBytes
};

/// RFC 4180 records from a text, one pass, linear in the text's size.
class CsvReader {
  public:
    explicit CsvReader(std::string_view text) : text_(text) {}

    /// The next record; false at the end of the text.
    bool next(CsvRecord& record) {
        if (pos_ >= text_.size()) {
            return false;
        }
        record.line = line_;
        record.fields.clear();
        record.terminated = false;
        record.badQuote = false;
        record.tooLong = false;
        while (true) {
            std::string field;
            if (pos_ < text_.size() && text_[pos_] == '"') {
                ++pos_;
                readQuoted(field, record);
            }
            // Unquoted characters up to the delimiter (after a closing quote, readQuoted has
            // already marked them as malformed).
            while (pos_ < text_.size()) {
                const char c = text_[pos_];
                if (c == ',' || c == '\n' ||
                    (c == '\r' && (pos_ + 1 == text_.size() || text_[pos_ + 1] == '\n'))) {
                    break;
                }
                append(field, c, record);
                ++pos_;
            }
            if (record.fields.size() < kMaxCsvFields) {
                record.fields.push_back(std::move(field));
            } else {
                record.tooLong = true;
            }
            if (pos_ >= text_.size()) {
                return true;  // the text ended inside the record
            }
            const char c = text_[pos_];
            if (c == ',') {
                ++pos_;
                if (pos_ >= text_.size()) {
                    record.fields.emplace_back();
                    return true;  // ended right after a comma
                }
                continue;
            }
            if (c == '\r' && pos_ + 1 == text_.size()) {
                ++pos_;
                return true;  // a CRLF cut after its CR
            }
            pos_ += c == '\r' ? 2 : 1;
            ++line_;
            record.terminated = true;
            return true;
        }
    }

  private:
    /// Reads a quoted field's content after its opening quote, up to and including the closing
    /// quote. Marks the record when the text ends first.
    void readQuoted(std::string& field, CsvRecord& record) {
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c == '"') {
                if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
                    field += '"';
                    pos_ += 2;
                    continue;
                }
                ++pos_;  // closing quote
                if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' &&
                    text_[pos_] != '\r') {
                    record.badQuote = true;
                }
                return;
            }
            if (c == '\n') {
                ++line_;
            }
            append(field, c, record);
            ++pos_;
        }
        record.badQuote = true;  // the text ended inside the quotes
    }

    static void append(std::string& field, char c, CsvRecord& record) {
        if (field.size() < kMaxFieldBytes) {
            field += c;
        } else {
            record.tooLong = true;
        }
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t line_ = 1;
};

bool blankRecord(const CsvRecord& r) {
    return r.fields.size() == 1 && r.fields[0].empty();
}

std::optional<double> parseDouble(const std::string& s) {
    double v = 0.0;
    const char* end = s.data() + s.size();
    const auto [ptr, ec] = std::from_chars(s.data(), end, v);
    if (ec != std::errc() || ptr != end || !std::isfinite(v)) {
        return std::nullopt;
    }
    return v;
}

template <typename T>
std::optional<T> parseInteger(const std::string& s) {
    T v{};
    const char* end = s.data() + s.size();
    const auto [ptr, ec] = std::from_chars(s.data(), end, v);
    if (s.empty() || ec != std::errc() || ptr != end) {
        return std::nullopt;
    }
    return v;
}

/// `s` for a message: at most 40 bytes, control characters as '?'.
std::string quoteForMessage(const std::string& s) {
    std::string out = "'";
    for (std::size_t i = 0; i < s.size() && i < 40; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        out += c < 0x20 || c == 0x7f ? '?' : s[i];
    }
    return out + (s.size() > 40 ? "...'" : "'");
}

/// Column indices of a CSV header by name.
class Columns {
  public:
    explicit Columns(const std::vector<std::string>& header) {
        for (std::size_t i = 0; i < header.size(); ++i) {
            index_.emplace(header[i], i);  // the first of duplicate names wins
        }
    }
    std::optional<std::size_t> find(const std::string& name) const {
        const auto it = index_.find(name);
        return it == index_.end() ? std::nullopt : std::optional<std::size_t>(it->second);
    }

  private:
    std::map<std::string, std::size_t> index_;
};

/// The last record of a text has no line break: the crash case. Returns true when the caller
/// must skip it.
bool reportCutOff(const CsvRecord& r, ProblemSink& sink, bool* cutOff) {
    if (r.terminated) {
        return false;
    }
    if (cutOff != nullptr) {
        *cutOff = true;
    }
    sink.add(r.line,
             "the last row is incomplete (the recording was cut off here, e.g. by a crash); it is "
             "left out, every whole row before it is kept");
    return true;
}

/// Reads the header record of a CSV text into `record`. False, reported, when there is none
/// (`whenEmpty` says what that means) or it is cut off. *cutOff (when given) is reset to false
/// first and set when the header is cut off.
bool readHeader(CsvReader& reader, CsvRecord& record, ProblemSink& sink, bool* cutOff,
                const char* whenEmpty) {
    if (cutOff != nullptr) {
        *cutOff = false;
    }
    if (!reader.next(record)) {
        sink.add(1, whenEmpty);
        return false;
    }
    return !reportCutOff(record, sink, cutOff);
}

/// Reads the next data record of a CSV text whose header has `width` fields into `record`:
/// blank records are passed over; malformed, far too long and wrong-width ones are reported
/// (as a skipped `what`, e.g. "row") and passed over. False at the end of the text and at a
/// cut-off last record (reported).
bool nextDataRecord(CsvReader& reader, CsvRecord& record, std::size_t width,
                    const std::string& what, ProblemSink& sink, bool* cutOff) {
    while (reader.next(record)) {
        if (reportCutOff(record, sink, cutOff)) {
            return false;
        }
        if (blankRecord(record)) {
            continue;
        }
        if (record.badQuote) {
            sink.add(record.line, "a quoted field is malformed; the " + what + " is skipped");
        } else if (record.tooLong) {
            sink.add(record.line, "the " + what + " is far too long (damaged file); it is skipped");
        } else if (record.fields.size() != width) {
            sink.add(record.line, std::to_string(record.fields.size()) + " fields, expected " +
                                      std::to_string(width) + "; the " + what + " is skipped");
        } else {
            return true;
        }
    }
    return false;
}

/// The column layout of frames.csv, found by name.
struct FrameColumns {
    std::size_t frameId = 0, timestamp = 0, faceId = 0, x = 0, y = 0, w = 0, h = 0, score = 0;
    std::array<std::size_t, kNumEmotions> raw{}, smoothed{};
    std::size_t label = 0, uncertain = 0;
    std::optional<std::size_t> sourceFile;
};

std::optional<FrameColumns> frameColumns(const std::vector<std::string>& header,
                                         std::string& missing) {
    const Columns cols(header);
    FrameColumns fc;
    bool ok = true;
    auto need = [&](const std::string& name, std::size_t& out) {
        if (const auto i = cols.find(name)) {
            out = *i;
        } else {
            missing += (missing.empty() ? "" : ", ") + name;
            ok = false;
        }
    };
    need("frame_id", fc.frameId);
    need("timestamp_ms", fc.timestamp);
    need("face_id", fc.faceId);
    need("x", fc.x);
    need("y", fc.y);
    need("w", fc.w);
    need("h", fc.h);
    need("score", fc.score);
    for (std::size_t e = 0; e < kNumEmotions; ++e) {
        need("raw_" + std::string(kEmotionNames[e]), fc.raw[e]);
        need("smoothed_" + std::string(kEmotionNames[e]), fc.smoothed[e]);
    }
    need("label", fc.label);
    need("uncertain", fc.uncertain);
    fc.sourceFile = cols.find("source_file");
    return ok ? std::optional<FrameColumns>(fc) : std::nullopt;
}

/// Parses one frames.csv data row; returns an error message, or "" when `row` was filled.
std::string parseFrameRow(const std::vector<std::string>& f, const FrameColumns& c, FrameRow& row) {
    const auto frameId = parseInteger<std::uint64_t>(f[c.frameId]);
    if (!frameId) {
        return "frame_id " + quoteForMessage(f[c.frameId]) + " is not a whole number";
    }
    row.frameId = *frameId;
    const auto ts = parseDouble(f[c.timestamp]);
    if (!ts) {
        return "timestamp_ms " + quoteForMessage(f[c.timestamp]) + " is not a number";
    }
    row.timestampMs = *ts;
    if (c.sourceFile) {
        row.sourceFile = f[*c.sourceFile];
    }
    std::vector<std::size_t> faceColumns = {c.x, c.y, c.w, c.h, c.score, c.label, c.uncertain};
    faceColumns.insert(faceColumns.end(), c.raw.begin(), c.raw.end());
    faceColumns.insert(faceColumns.end(), c.smoothed.begin(), c.smoothed.end());
    if (f[c.faceId].empty()) {
        for (std::size_t i : faceColumns) {
            if (!f[i].empty()) {
                return "a row without face_id (a frame without faces) has face values";
            }
        }
        row.hasFace = false;
        return "";
    }
    const auto faceId = parseInteger<int>(f[c.faceId]);
    if (!faceId || *faceId < 0) {
        return "face_id " + quoteForMessage(f[c.faceId]) + " is not a track id (0 or more)";
    }
    row.hasFace = true;
    row.faceId = *faceId;
    std::array<double, 5> box{};
    const std::array<std::size_t, 5> boxCols = {c.x, c.y, c.w, c.h, c.score};
    const std::array<const char*, 5> boxNames = {"x", "y", "w", "h", "score"};
    for (std::size_t i = 0; i < box.size(); ++i) {
        const auto v = parseDouble(f[boxCols[i]]);
        if (!v || std::fabs(*v) > 1e9) {
            return std::string(boxNames[i]) + " " + quoteForMessage(f[boxCols[i]]) +
                   " is not a number";
        }
        box[i] = *v;
    }
    if (box[2] < 0.0 || box[3] < 0.0) {
        return "the face box has a negative width or height";
    }
    row.box = cv::Rect2f(static_cast<float>(box[0]), static_cast<float>(box[1]),
                         static_cast<float>(box[2]), static_cast<float>(box[3]));
    row.score = static_cast<float>(box[4]);

    std::size_t empty = 0;
    for (std::size_t e = 0; e < kNumEmotions; ++e) {
        empty += f[c.raw[e]].empty() ? 1 : 0;
        empty += f[c.smoothed[e]].empty() ? 1 : 0;
    }
    if (empty == 2 * kNumEmotions) {
        if (!f[c.label].empty() || !f[c.uncertain].empty()) {
            return "a face without probabilities has a label";
        }
        row.hasScores = false;
        return "";
    }
    if (empty != 0) {
        return "some probabilities are missing (all 14 or none are expected)";
    }
    for (std::size_t e = 0; e < kNumEmotions; ++e) {
        for (auto [col, out, prefix] : {std::tuple{c.raw[e], &row.raw, "raw_"},
                                        std::tuple{c.smoothed[e], &row.smoothed, "smoothed_"}}) {
            const auto p = parseDouble(f[col]);
            if (!p || *p < -kProbabilitySlack || *p > 1.0 + kProbabilitySlack) {
                return std::string(prefix) + std::string(kEmotionNames[e]) + " " +
                       quoteForMessage(f[col]) + " is not a probability (0 to 1)";
            }
            (*out)[e] = static_cast<float>(std::clamp(*p, 0.0, 1.0));
        }
    }
    const auto label = emotionFromName(f[c.label]);
    if (!label) {
        return "label " + quoteForMessage(f[c.label]) + " is not one of the seven emotions";
    }
    row.label = *label;
    if (f[c.uncertain] != "0" && f[c.uncertain] != "1") {
        return "uncertain " + quoteForMessage(f[c.uncertain]) + " is not 0 or 1";
    }
    row.uncertain = f[c.uncertain] == "1";
    row.hasScores = true;
    return "";
}

/// `value` with `decimals` digits after the point (as the recorder writes it).
std::string fmt(int decimals, double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

/// A CSV field as the recorder writes it: quoted when it holds a comma, quote or line break.
std::string csvField(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) {
        return s;
    }
    std::string out = "\"";
    for (char ch : s) {
        out += ch;
        if (ch == '"') {
            out += '"';
        }
    }
    return out + '"';
}

std::string pathIn(const std::string& folder, const char* name) {
    return (fs::path(folder) / name).string();
}

/// Reads a file of the session; throws SessionFileError naming it and the fix.
std::string readSessionFile(const std::string& folder, const char* name, const char* fix) {
    const std::string path = pathIn(folder, name);
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
        throw SessionFileError(path + " is missing: " + fix);
    }
    if (!fs::is_regular_file(status)) {
        throw SessionFileError(path + " is not a file: " + fix);
    }
    const auto size = fs::file_size(path, ec);
    if (!ec && size > kMaxFileBytes) {
        throw SessionFileError(path + " is larger than 1 GiB, which no LiteFER recording " +
                               "writes; check that it is the right file");
    }
    try {
        return readFileBytes(path);
    } catch (const std::exception& e) {
        throw SessionFileError(std::string(e.what()) + "; check the file's permissions");
    }
}

/// Typed access to session.json members; wrong types become problems.
class MetaReader {
  public:
    explicit MetaReader(ProblemSink& sink) : sink_(sink) {}

    /// The member, or nullptr when `obj` is no object or the member is absent or null.
    static const json::Value* member(const json::Value& obj, const char* key) {
        if (!obj.isObject()) {
            return nullptr;
        }
        const json::Value* v = obj.find(key);
        return v != nullptr && v->isNull() ? nullptr : v;
    }
    void str(const json::Value& obj, const char* key, std::string& out,
             const std::string& path = "") {
        if (const json::Value* v = member(obj, key)) {
            if (v->isString()) {
                out = v->asString();
            } else {
                wrongType(path + key, "text");
            }
        }
    }
    template <typename T>
    void number(const json::Value& obj, const char* key, T& out, const std::string& path = "") {
        if (const json::Value* v = member(obj, key)) {
            try {
                if constexpr (std::is_same_v<T, double>) {
                    out = v->asDouble();
                } else if constexpr (std::is_same_v<T, int>) {
                    out = v->asInt();
                } else {
                    out = v->asUint64();
                }
            } catch (const json::Error&) {
                wrongType(path + key, "number in range");
            }
        }
    }
    void boolean(const json::Value& obj, const char* key, bool& out, const std::string& path = "") {
        if (const json::Value* v = member(obj, key)) {
            if (v->isBool()) {
                out = v->asBool();
            } else {
                wrongType(path + key, "true/false");
            }
        }
    }
    /// The member if it is an object, else a null value (a wrong type is reported).
    const json::Value& object(const json::Value& obj, const char* key) {
        static const json::Value kNull;
        const json::Value* v = member(obj, key);
        if (v == nullptr) {
            return kNull;
        }
        if (!v->isObject()) {
            wrongType(key, "object");
            return kNull;
        }
        return *v;
    }

  private:
    void wrongType(const std::string& key, const char* expected) {
        sink_.add(0, "'" + key + "' is not a " + expected + "; it is shown as unknown");
    }
    ProblemSink& sink_;
};

}  // namespace

std::string SessionProblem::text() const {
    return file + (line > 0 ? " line " + std::to_string(line) : std::string()) + ": " + message;
}

std::vector<FrameRow> parseFramesCsv(std::string_view text, std::vector<SessionProblem>& problems,
                                     std::string_view fileName, bool* cutOff) {
    ProblemSink sink(problems, fileName);
    std::vector<FrameRow> rows;
    CsvReader reader(text);
    CsvRecord record;
    if (!readHeader(reader, record, sink, cutOff,
                    "the file is empty (no header): the recording did not start writing rows")) {
        return rows;
    }
    std::string missing;
    const auto columns = frameColumns(record.fields, missing);
    if (!columns) {
        sink.add(1, "not a LiteFER frames.csv header (missing columns: " + missing +
                        "); choose the frames.csv of a LiteFER session");
        return rows;
    }
    const std::size_t width = record.fields.size();
    while (nextDataRecord(reader, record, width, "row", sink, cutOff)) {
        FrameRow row;
        row.line = record.line;
        const std::string error = parseFrameRow(record.fields, *columns, row);
        if (!error.empty()) {
            sink.add(record.line, error + "; the row is skipped");
            continue;
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<Marker> parseMarkersCsv(std::string_view text, std::vector<SessionProblem>& problems,
                                    std::string_view fileName, bool* cutOff) {
    ProblemSink sink(problems, fileName);
    std::vector<Marker> markers;
    CsvReader reader(text);
    CsvRecord record;
    if (!readHeader(reader, record, sink, cutOff, "the file is empty (no header); no markers")) {
        return markers;
    }
    const Columns columns(record.fields);
    const auto timeCol = columns.find("time_ms");
    const auto labelCol = columns.find("label");
    const auto noteCol = columns.find("note");
    if (!timeCol || !labelCol) {
        sink.add(1,
                 "not a LiteFER markers.csv header (expected time_ms,label,note); no markers "
                 "read");
        return markers;
    }
    const std::size_t width = record.fields.size();
    while (nextDataRecord(reader, record, width, "marker", sink, cutOff)) {
        const auto time = parseDouble(record.fields[*timeCol]);
        if (!time) {
            sink.add(record.line, "time_ms " + quoteForMessage(record.fields[*timeCol]) +
                                      " is not a number; the marker is skipped");
            continue;
        }
        Marker m;
        m.timestampMs = *time;
        m.label = record.fields[*labelCol];
        if (noteCol) {
            m.note = record.fields[*noteCol];
        }
        markers.push_back(std::move(m));
    }
    return markers;
}

SessionMeta parseSessionJson(std::string_view text, std::vector<SessionProblem>& problems,
                             std::string_view fileName) {
    ProblemSink sink(problems, fileName);
    SessionMeta meta;
    json::Value doc;
    try {
        doc = json::parse(text);
    } catch (const json::Error& e) {
        sink.add(0, std::string("not valid JSON (") + e.what() +
                        "); the session's details are unknown, its rows are still read");
        return meta;
    }
    if (!doc.isObject()) {
        sink.add(0, "not a JSON object; the session's details are unknown");
        return meta;
    }
    MetaReader r(sink);
    r.str(doc, "app", meta.app);
    r.str(doc, "version", meta.version);
    r.str(doc, "status", meta.status);
    r.str(doc, "started", meta.started);
    r.str(doc, "ended", meta.ended);
    r.str(doc, "end_reason", meta.endReason);
    r.str(doc, "error", meta.error);
    r.str(doc, "participant", meta.participant);
    r.str(doc, "session", meta.session);
    r.str(doc, "notes", meta.notes);
    const json::Value& src = r.object(doc, "source");
    r.str(src, "spec", meta.sourceSpec, "source.");
    r.str(src, "kind", meta.sourceKind, "source.");
    r.number(src, "width", meta.width, "source.");
    r.number(src, "height", meta.height, "source.");
    r.number(src, "fps", meta.fps, "source.");
    const json::Value& model = r.object(doc, "model");
    r.str(model, "path", meta.modelPath, "model.");
    r.str(model, "name", meta.modelName, "model.");
    r.str(model, "architecture", meta.modelArchitecture, "model.");
    r.str(model, "weights_sha256", meta.modelWeightsSha256, "model.");
    r.str(model, "device", meta.device, "model.");
    const json::Value& det = r.object(doc, "detector");
    r.str(det, "name", meta.detector, "detector.");
    r.str(det, "model", meta.detectorModel, "detector.");
    const json::Value& video = r.object(doc, "video");
    r.boolean(video, "written", meta.videoWritten, "video.");
    r.boolean(video, "faces_blurred", meta.facesBlurred, "video.");
    r.str(video, "file", meta.videoFile, "video.");
    r.number(doc, "frames_recorded", meta.framesRecorded);
    if (meta.status.empty()) {
        sink.add(0, "has no 'status'; the session's state is unknown");
    } else if (meta.status != "recording" && meta.status != "complete" && meta.status != "failed") {
        sink.add(0, "unknown status " + quoteForMessage(meta.status));
    }
    meta.json = std::move(doc);
    return meta;
}

std::string formatMarkersCsv(const std::vector<Marker>& markers) {
    std::string out = "time_ms,label,note\n";
    for (const auto& m : markers) {
        out += fmt(3, m.timestampMs) + ',' + csvField(m.label) + ',' + csvField(m.note) + '\n';
    }
    return out;
}

std::vector<SummaryFrame> summaryFramesFromRows(const std::vector<FrameRow>& rows) {
    std::vector<SummaryFrame> frames;
    bool haveLast = false;
    std::uint64_t lastId = 0;
    for (const auto& row : rows) {
        if (!haveLast || row.frameId != lastId) {
            SummaryFrame f;
            f.timestampMs = row.timestampMs;
            frames.push_back(std::move(f));
            haveLast = true;
            lastId = row.frameId;
        }
        if (row.hasFace && row.hasScores) {
            frames.back().faces.push_back({row.faceId, row.label, row.uncertain, row.raw});
        }
    }
    return frames;
}

SessionData readSession(const std::string& folder) {
    SessionData data;
    data.folder = folder;
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) {
        throw SessionFileError("no session folder " + folder +
                               ": it does not exist or is not a folder; choose the folder a "
                               "recording made (it holds session.json and frames.csv)");
    }
    constexpr const char* kNotSessionFix =
        "this is not a LiteFER session folder, or the file was removed; choose the folder a "
        "recording made (it holds session.json and frames.csv)";
    const std::string sessionText = readSessionFile(folder, kSessionJson, kNotSessionFix);
    const std::string framesText = readSessionFile(folder, kFramesCsv, kNotSessionFix);

    data.meta = parseSessionJson(sessionText, data.problems);
    if (data.meta.status == "recording") {
        data.problems.push_back(
            {kSessionJson, 0,
             "the session did not finish (the program stopped during the recording, or it is "
             "still being recorded); every whole row written until then is shown"});
    }
    data.frames = parseFramesCsv(framesText, data.problems, kFramesCsv, &data.framesCutOff);

    const std::string markersPath = pathIn(folder, kMarkersCsv);
    if (fileExists(markersPath)) {
        try {
            data.markers = parseMarkersCsv(readSessionFile(folder, kMarkersCsv, ""), data.problems);
        } catch (const SessionFileError& e) {
            data.problems.push_back({kMarkersCsv, 0, std::string(e.what()) + "; no markers"});
        }
    } else {
        data.problems.push_back({kMarkersCsv, 0, "missing; the session is shown without markers"});
    }

    const std::string summaryPath = pathIn(folder, kSummaryJson);
    std::string summaryProblem;
    if (fileExists(summaryPath)) {
        try {
            json::Value summary = json::parse(readSessionFile(folder, kSummaryJson, ""));
            if (summary.isObject()) {
                data.summary = std::move(summary);
            } else {
                summaryProblem = "not a JSON object";
            }
        } catch (const std::exception& e) {
            summaryProblem = e.what();
        }
    } else if (data.meta.status != "recording") {
        summaryProblem = "missing";
    }
    if (data.summary.isNull()) {
        if (!summaryProblem.empty()) {
            data.problems.push_back(
                {kSummaryJson, 0, summaryProblem + "; the summary is recomputed from frames.csv"});
        }
        data.summary = summarizeSession(summaryFramesFromRows(data.frames), data.markers);
        data.summaryRecomputed = true;
    }

    const std::string videoName = data.meta.videoFile.empty() ? kVideoFile : data.meta.videoFile;
    // Only the recorder's own name is trusted as a file inside the folder.
    data.hasVideo = videoName == kVideoFile && fileExists(pathIn(folder, kVideoFile));
    if (data.meta.videoWritten && !data.hasVideo && data.meta.videoFile == kVideoFile &&
        data.meta.framesRecorded > 0) {
        data.problems.push_back({kVideoFile, 0, "missing although the session wrote a video"});
    }
    return data;
}

void writeMarkersCsv(const std::string& folder, const std::vector<Marker>& markers) {
    if (!fileExists(pathIn(folder, kSessionJson))) {
        throw SessionFileError("cannot save the markers: " + pathIn(folder, kSessionJson) +
                               " is missing, so " + folder +
                               " is not a LiteFER session folder; choose the session's folder");
    }
    std::vector<SessionProblem> ignored;
    const std::string framesText =
        readSessionFile(folder, kFramesCsv, "the session's rows are needed for its summary");
    const std::vector<FrameRow> rows = parseFramesCsv(framesText, ignored);
    const json::Value summary = summarizeSession(summaryFramesFromRows(rows), markers);
    try {
        writeFileAtomic(pathIn(folder, kMarkersCsv), formatMarkersCsv(markers));
        writeFileAtomic(pathIn(folder, kSummaryJson), summary.dump(2) + "\n");
    } catch (const std::exception& e) {
        throw SessionFileError(std::string(e.what()) +
                               "; free disk space or check the folder's permissions, then save "
                               "again (the previous markers are unchanged)");
    }
}

DeleteResult deleteSession(const std::string& folder) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) {
        throw SessionFileError("cannot delete " + folder +
                               ": it does not exist or is not a folder");
    }
    const std::string sessionPath = pathIn(folder, kSessionJson);
    if (!fileExists(sessionPath)) {
        throw SessionFileError("refusing to delete " + folder +
                               ": it holds no session.json, so it does not look like a LiteFER "
                               "session; choose the session's own folder");
    }
    bool looksLikeSession = false;
    try {
        const json::Value doc = json::parse(readSessionFile(folder, kSessionJson, ""));
        const json::Value* app = doc.isObject() ? doc.find("app") : nullptr;
        looksLikeSession = app != nullptr && app->isString() && app->asString() == "LiteFER";
    } catch (const std::exception&) {  // judged by frames.csv below
    }
    if (!looksLikeSession) {
        try {
            const std::string frames = readSessionFile(folder, kFramesCsv, "");
            looksLikeSession = frames.rfind("frame_id,timestamp_ms,", 0) == 0;
        } catch (const SessionFileError&) {  // not a session
        }
    }
    if (!looksLikeSession) {
        throw SessionFileError("refusing to delete " + folder +
                               ": its session.json is not LiteFER's and it has no LiteFER "
                               "frames.csv; delete it by hand if it really is a session");
    }

    const std::array<const char*, 5> names = {kSessionJson, kFramesCsv, kMarkersCsv, kSummaryJson,
                                              kVideoFile};
    auto isOurs = [&names](const std::string& name) {
        for (const char* n : names) {
            if (name == n || name.rfind(std::string(n) + ".tmp-", 0) == 0) {
                return true;
            }
        }
        return false;
    };
    DeleteResult result;
    std::vector<fs::path> toRemove;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const auto st = it->symlink_status(ec);
        if (!ec && isOurs(name) && (fs::is_regular_file(st) || fs::is_symlink(st))) {
            toRemove.push_back(it->path());
        } else {
            result.kept.push_back(name);
        }
        ec.clear();
    }
    // session.json last: until it is gone, the folder is still recognisable as a session and a
    // failed delete can be retried.
    std::stable_partition(toRemove.begin(), toRemove.end(),
                          [](const fs::path& p) { return p.filename() != kSessionJson; });
    for (const auto& p : toRemove) {
        if (!fs::remove(p, ec) || ec) {
            throw SessionFileError("cannot delete " + p.string() + ": " + ec.message() +
                                   "; check the folder's permissions and try again");
        }
        result.removed.push_back(p.filename().string());
    }
    if (result.kept.empty()) {
        result.folderRemoved = fs::remove(folder, ec) && !ec;
    }
    std::sort(result.kept.begin(), result.kept.end());
    return result;
}

}  // namespace litefer::core
