#include "litefer/json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_set>

namespace litefer::json {

namespace {

using Type = Value::Type;

// Index of each alternative in Value::Data; must match the variant's order.
enum Alt : std::size_t { kNull, kBool, kInt, kUint, kDouble, kString, kArray, kObject };

[[noreturn]] void typeError(Type expected, Type actual) {
    throw Error(std::string("expected ") + typeName(expected) + ", got " + typeName(actual));
}

// Decodes one UTF-8 sequence at s[i]. On success returns its length (1..4); returns 0 when the
// bytes at s[i] are not a valid, shortest-form sequence for a scalar value (no surrogates, at
// most U+10FFFF), including when the sequence is cut off by the end of s.
std::size_t utf8SequenceLength(std::string_view s, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = byte(i);
    if (c < 0x80) {
        return 1;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c == 0xE0) {
        len = 3;
        lo = 0xA0;  // no overlong forms
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
        len = 3;
    } else if (c == 0xED) {
        len = 3;
        hi = 0x9F;  // no UTF-16 surrogates
    } else if (c == 0xF0) {
        len = 4;
        lo = 0x90;  // no overlong forms
    } else if (c >= 0xF1 && c <= 0xF3) {
        len = 4;
    } else if (c == 0xF4) {
        len = 4;
        hi = 0x8F;  // at most U+10FFFF
    } else {
        return 0;  // continuation byte, C0/C1 overlong lead, or F5..FF
    }
    if (s.size() - i < len) {
        return 0;
    }
    if (byte(i + 1) < lo || byte(i + 1) > hi) {
        return 0;
    }
    for (std::size_t k = 2; k < len; ++k) {
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) {
            return 0;
        }
    }
    return len;
}

void appendUtf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

void dumpString(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            const std::size_t len = utf8SequenceLength(s, i);
            if (len == 0) {
                out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER for one invalid byte
                ++i;
            } else {
                out.append(s.substr(i, len));
                i += len;
            }
            continue;
        }
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20 || c == 0x7F) {
                    out += "\\u00";
                    out += kHex[c >> 4];
                    out += kHex[c & 0xF];
                } else {
                    out += static_cast<char>(c);
                }
        }
        ++i;
    }
    out += '"';
}

void dumpDouble(std::string& out, double d) {
    if (!std::isfinite(d)) {
        out += "null";
        return;
    }
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof buf, d);  // shortest round-trip form
    const std::string_view text(buf, static_cast<std::size_t>(res.ptr - buf));
    out += text;
    if (text.find_first_of(".e") == std::string_view::npos) {
        out += ".0";  // keep it a double when parsed back
    }
}

// Exact comparison of an integer with a double (no rounding of the integer).
template <typename I>
bool integerEqualsDouble(I i, double d) {
    if (!std::isfinite(d) || std::trunc(d) != d) {
        return false;
    }
    // 2^63 and 2^64 are exactly representable; anything in [-2^63, 2^64) converts exactly.
    if (d < -9223372036854775808.0 || d >= 18446744073709551616.0) {
        return false;
    }
    if (d < 0) {
        return std::is_signed_v<I> && static_cast<std::int64_t>(d) == static_cast<std::int64_t>(i);
    }
    if constexpr (std::is_signed_v<I>) {
        if (i < 0) {
            return false;
        }
    }
    return static_cast<std::uint64_t>(d) == static_cast<std::uint64_t>(i);
}

}  // namespace

const char* typeName(Value::Type t) {
    switch (t) {
        case Type::Null:
            return "null";
        case Type::Bool:
            return "bool";
        case Type::Number:
            return "number";
        case Type::String:
            return "string";
        case Type::Array:
            return "array";
        case Type::Object:
            return "object";
    }
    return "unknown";
}

Value::Value(std::uint64_t u) {
    if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        data_.emplace<std::int64_t>(static_cast<std::int64_t>(u));
    } else {
        data_.emplace<std::uint64_t>(u);
    }
}

Value::Type Value::type() const {
    switch (data_.index()) {
        case kNull:
            return Type::Null;
        case kBool:
            return Type::Bool;
        case kInt:
        case kUint:
        case kDouble:
            return Type::Number;
        case kString:
            return Type::String;
        case kArray:
            return Type::Array;
        default:
            return Type::Object;
    }
}

bool Value::isInteger() const {
    return data_.index() == kInt || data_.index() == kUint;
}

bool Value::asBool() const {
    if (const auto* b = std::get_if<bool>(&data_)) {
        return *b;
    }
    typeError(Type::Bool, type());
}

double Value::asDouble() const {
    switch (data_.index()) {
        case kInt:
            return static_cast<double>(std::get<std::int64_t>(data_));
        case kUint:
            return static_cast<double>(std::get<std::uint64_t>(data_));
        case kDouble:
            return std::get<double>(data_);
        default:
            typeError(Type::Number, type());
    }
}

std::int64_t Value::asInt64() const {
    switch (data_.index()) {
        case kInt:
            return std::get<std::int64_t>(data_);
        case kUint:
            throw Error("number " + std::to_string(std::get<std::uint64_t>(data_)) +
                        " does not fit in a 64-bit signed integer");
        case kDouble: {
            const double d = std::get<double>(data_);
            if (!std::isfinite(d) || std::trunc(d) != d) {
                std::string text;
                dumpDouble(text, d);
                throw Error("expected an integer, got " + text);
            }
            if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) {
                std::string text;
                dumpDouble(text, d);
                throw Error("number " + text + " does not fit in a 64-bit signed integer");
            }
            return static_cast<std::int64_t>(d);
        }
        default:
            typeError(Type::Number, type());
    }
}

std::uint64_t Value::asUint64() const {
    if (const auto* u = std::get_if<std::uint64_t>(&data_)) {
        return *u;
    }
    if (const auto* d = std::get_if<double>(&data_)) {
        if (*d >= 9223372036854775808.0 && *d < 18446744073709551616.0 && std::trunc(*d) == *d) {
            return static_cast<std::uint64_t>(*d);
        }
    }
    const std::int64_t i = asInt64();
    if (i < 0) {
        throw Error("number " + std::to_string(i) + " does not fit in a 64-bit unsigned integer");
    }
    return static_cast<std::uint64_t>(i);
}

int Value::asInt() const {
    const std::int64_t i = asInt64();
    if (i < std::numeric_limits<int>::min() || i > std::numeric_limits<int>::max()) {
        throw Error("number " + std::to_string(i) + " does not fit in a 32-bit integer");
    }
    return static_cast<int>(i);
}

const std::string& Value::asString() const {
    if (const auto* s = std::get_if<std::string>(&data_)) {
        return *s;
    }
    typeError(Type::String, type());
}

const Value::Array& Value::asArray() const {
    if (const auto* a = std::get_if<Array>(&data_)) {
        return *a;
    }
    typeError(Type::Array, type());
}

Value::Array& Value::asArray() {
    if (auto* a = std::get_if<Array>(&data_)) {
        return *a;
    }
    typeError(Type::Array, type());
}

const Value::Object& Value::objectOrThrow() const {
    if (const auto* o = std::get_if<Object>(&data_)) {
        return *o;
    }
    typeError(Type::Object, type());
}

Value& Value::operator[](const std::string& key) {
    if (isNull()) {
        data_.emplace<Object>();
    }
    auto* object = std::get_if<Object>(&data_);
    if (object == nullptr) {
        typeError(Type::Object, type());
    }
    for (auto& [k, v] : *object) {
        if (k == key) {
            return v;
        }
    }
    object->emplace_back(key, Value());
    return object->back().second;
}

const Value* Value::find(std::string_view key) const {
    for (const auto& [k, v] : objectOrThrow()) {
        if (k == key) {
            return &v;
        }
    }
    return nullptr;
}

const Value& Value::at(std::string_view key) const {
    if (const Value* v = find(key)) {
        return *v;
    }
    throw Error("missing key '" + std::string(key) + "'");
}

bool Value::contains(std::string_view key) const {
    return find(key) != nullptr;
}

void Value::push(Value v) {
    if (isNull()) {
        data_.emplace<Array>();
    }
    asArray().push_back(std::move(v));
}

std::size_t Value::size() const {
    switch (data_.index()) {
        case kNull:
            return 0;
        case kArray:
            return std::get<Array>(data_).size();
        case kObject:
            return std::get<Object>(data_).size();
        default:
            throw Error(std::string("size() needs an array or object, got ") + typeName(type()));
    }
}

const Value::Object& Value::items() const {
    return objectOrThrow();
}

bool Value::operator==(const Value& other) const {
    const std::size_t a = data_.index();
    const std::size_t b = other.data_.index();
    if (isNumber() && other.isNumber()) {
        if (a == b) {
            return data_ == other.data_;  // same representation: exact comparison
        }
        if (a == kDouble || b == kDouble) {
            const Value& d = a == kDouble ? *this : other;
            const Value& i = a == kDouble ? other : *this;
            const double dv = std::get<double>(d.data_);
            if (i.data_.index() == kInt) {
                return integerEqualsDouble(std::get<std::int64_t>(i.data_), dv);
            }
            return integerEqualsDouble(std::get<std::uint64_t>(i.data_), dv);
        }
        return false;  // int64 vs uint64 never overlap (uint64 holds only values > INT64_MAX)
    }
    return a == b && data_ == other.data_;
}

std::string Value::dump(int indent) const {
    std::string out;
    dumpTo(out, indent, 0);
    return out;
}

void Value::dumpTo(std::string& out, int indent, int level) const {
    const auto newline = [&](int lvl) {
        out += '\n';
        out.append(static_cast<std::size_t>(indent) * static_cast<std::size_t>(lvl), ' ');
    };
    switch (data_.index()) {
        case kNull:
            out += "null";
            break;
        case kBool:
            out += std::get<bool>(data_) ? "true" : "false";
            break;
        case kInt:
            out += std::to_string(std::get<std::int64_t>(data_));
            break;
        case kUint:
            out += std::to_string(std::get<std::uint64_t>(data_));
            break;
        case kDouble:
            dumpDouble(out, std::get<double>(data_));
            break;
        case kString:
            dumpString(out, std::get<std::string>(data_));
            break;
        case kArray: {
            const auto& array = std::get<Array>(data_);
            out += '[';
            for (std::size_t i = 0; i < array.size(); ++i) {
                if (i > 0) {
                    out += ',';
                }
                if (indent >= 0) {
                    newline(level + 1);
                }
                array[i].dumpTo(out, indent, level + 1);
            }
            if (indent >= 0 && !array.empty()) {
                newline(level);
            }
            out += ']';
            break;
        }
        default: {
            const auto& object = std::get<Object>(data_);
            out += '{';
            for (std::size_t i = 0; i < object.size(); ++i) {
                if (i > 0) {
                    out += ',';
                }
                if (indent >= 0) {
                    newline(level + 1);
                }
                dumpString(out, object[i].first);
                out += indent >= 0 ? ": " : ":";
                object[i].second.dumpTo(out, indent, level + 1);
            }
            if (indent >= 0 && !object.empty()) {
                newline(level);
            }
            out += '}';
        }
    }
}

// Recursive-descent parser over the RFC 8259 grammar. Every read is bounds-checked against
// text_.size(); recursion depth is capped at kMaxDepth.
class Parser {
  public:
    explicit Parser(std::string_view text) : text_(text) {}

    Value parseDocument() {
        skipWhitespace();
        Value v = parseValue(0);
        skipWhitespace();
        if (pos_ < text_.size()) {
            fail("unexpected " + describe(pos_) + " after the JSON value");
        }
        return v;
    }

  private:
    [[noreturn]] void failAt(std::size_t at, const std::string& what) const {
        std::size_t line = 1;
        std::size_t lineStart = 0;
        for (std::size_t i = 0; i < at && i < text_.size(); ++i) {
            if (text_[i] == '\n') {
                ++line;
                lineStart = i + 1;
            }
        }
        throw Error("line " + std::to_string(line) + ", column " +
                    std::to_string(at - lineStart + 1) + ": " + what);
    }
    [[noreturn]] void fail(const std::string& what) const { failAt(pos_, what); }

    // "end of input", "character 'x'" or "byte 0xNN" for the byte at i.
    std::string describe(std::size_t i) const {
        if (i >= text_.size()) {
            return "end of input";
        }
        const auto c = static_cast<unsigned char>(text_[i]);
        if (c >= 0x20 && c < 0x7F) {
            return std::string("character '") + static_cast<char>(c) + "'";
        }
        static constexpr char kHex[] = "0123456789ABCDEF";
        return std::string("byte 0x") + kHex[c >> 4] + kHex[c & 0xF];
    }

    bool atEnd() const { return pos_ >= text_.size(); }
    char peek() const { return text_[pos_]; }

    void skipWhitespace() {
        while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) {
            ++pos_;
        }
    }

    Value parseValue(int depth) {
        if (atEnd()) {
            fail("unexpected end of input, expected a value");
        }
        switch (peek()) {
            case '{':
                return parseObject(depth + 1);
            case '[':
                return parseArray(depth + 1);
            case '"':
                return Value(parseString());
            case 't':
                expectLiteral("true");
                return Value(true);
            case 'f':
                expectLiteral("false");
                return Value(false);
            case 'n':
                expectLiteral("null");
                return Value();
            default:
                if (peek() == '-' || (peek() >= '0' && peek() <= '9')) {
                    return parseNumber();
                }
                fail("unexpected " + describe(pos_) + ", expected a value");
        }
    }

    void expectLiteral(std::string_view literal) {
        for (std::size_t i = 0; i < literal.size(); ++i) {
            if (pos_ + i >= text_.size() || text_[pos_ + i] != literal[i]) {
                failAt(pos_ + i, "invalid literal, expected '" + std::string(literal) + "'");
            }
        }
        pos_ += literal.size();
    }

    void checkDepth(int depth) const {
        if (depth > kMaxDepth) {
            fail("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
        }
    }

    Value parseArray(int depth) {
        checkDepth(depth);
        ++pos_;  // '['
        Value::Array array;
        skipWhitespace();
        if (!atEnd() && peek() == ']') {
            ++pos_;
            return Value(std::move(array));
        }
        while (true) {
            skipWhitespace();
            array.push_back(parseValue(depth));
            skipWhitespace();
            if (atEnd()) {
                fail("unexpected end of input in array, expected ',' or ']'");
            }
            if (peek() == ',') {
                ++pos_;
                skipWhitespace();
                if (!atEnd() && peek() == ']') {
                    fail("trailing comma in array");
                }
                continue;
            }
            if (peek() == ']') {
                ++pos_;
                return Value(std::move(array));
            }
            fail("unexpected " + describe(pos_) + " in array, expected ',' or ']'");
        }
    }

    Value parseObject(int depth) {
        checkDepth(depth);
        ++pos_;  // '{'
        Value::Object object;
        std::unordered_set<std::string> keys;
        skipWhitespace();
        if (!atEnd() && peek() == '}') {
            ++pos_;
            return Value(std::move(object));
        }
        while (true) {
            skipWhitespace();
            if (atEnd() || peek() != '"') {
                fail("unexpected " + describe(pos_) + " in object, expected a string key");
            }
            const std::size_t keyPos = pos_;
            std::string key = parseString();
            if (!keys.insert(key).second) {
                failAt(keyPos, "duplicate key '" + key + "'");
            }
            skipWhitespace();
            if (atEnd() || peek() != ':') {
                fail("unexpected " + describe(pos_) + " in object, expected ':'");
            }
            ++pos_;
            skipWhitespace();
            Value value = parseValue(depth);
            object.emplace_back(std::move(key), std::move(value));
            skipWhitespace();
            if (atEnd()) {
                fail("unexpected end of input in object, expected ',' or '}'");
            }
            if (peek() == ',') {
                ++pos_;
                skipWhitespace();
                if (!atEnd() && peek() == '}') {
                    fail("trailing comma in object");
                }
                continue;
            }
            if (peek() == '}') {
                ++pos_;
                return Value(std::move(object));
            }
            fail("unexpected " + describe(pos_) + " in object, expected ',' or '}'");
        }
    }

    // Four hex digits at pos_ (after "\u"); advances past them.
    std::uint32_t parseHex4() {
        std::uint32_t v = 0;
        for (int k = 0; k < 4; ++k) {
            if (atEnd()) {
                fail("unexpected end of input in \\u escape");
            }
            const char c = peek();
            std::uint32_t digit = 0;
            if (c >= '0' && c <= '9') {
                digit = static_cast<std::uint32_t>(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                digit = static_cast<std::uint32_t>(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                digit = static_cast<std::uint32_t>(c - 'A' + 10);
            } else {
                fail("invalid hex digit " + describe(pos_) + " in \\u escape");
            }
            v = v * 16 + digit;
            ++pos_;
        }
        return v;
    }

    std::string parseString() {
        const std::size_t start = pos_;
        ++pos_;  // opening quote
        std::string out;
        while (true) {
            if (atEnd()) {
                failAt(start, "unterminated string");
            }
            const auto c = static_cast<unsigned char>(peek());
            if (c == '"') {
                ++pos_;
                return out;
            }
            if (c < 0x20) {
                fail("unescaped control character " + describe(pos_) + " in string");
            }
            if (c >= 0x80) {
                const std::size_t len = utf8SequenceLength(text_, pos_);
                if (len == 0) {
                    fail("invalid UTF-8 " + describe(pos_) + " in string");
                }
                out.append(text_.substr(pos_, len));
                pos_ += len;
                continue;
            }
            if (c != '\\') {
                out += static_cast<char>(c);
                ++pos_;
                continue;
            }
            const std::size_t escapePos = pos_;
            ++pos_;
            if (atEnd()) {
                failAt(start, "unterminated string");
            }
            const char e = peek();
            ++pos_;
            switch (e) {
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '/':
                    out += '/';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    std::uint32_t cp = parseHex4();
                    if (cp >= 0xDC00 && cp <= 0xDFFF) {
                        failAt(escapePos, "unpaired surrogate \\u" +
                                              std::string(text_.substr(escapePos + 2, 4)));
                    }
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        if (text_.substr(pos_, 2) != "\\u") {
                            failAt(escapePos, "unpaired surrogate \\u" +
                                                  std::string(text_.substr(escapePos + 2, 4)));
                        }
                        pos_ += 2;
                        const std::uint32_t low = parseHex4();
                        if (low < 0xDC00 || low > 0xDFFF) {
                            failAt(escapePos, "unpaired surrogate \\u" +
                                                  std::string(text_.substr(escapePos + 2, 4)));
                        }
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    }
                    appendUtf8(out, cp);
                    break;
                }
                default: {
                    const auto b = static_cast<unsigned char>(e);
                    failAt(escapePos, b >= 0x20 && b < 0x7F
                                          ? "invalid escape '\\" + std::string(1, e) + "'"
                                          : "invalid escape: backslash followed by " +
                                                describe(escapePos + 1));
                }
            }
        }
    }

    Value parseNumber() {
        const std::size_t start = pos_;
        const auto isDigit = [&]() { return !atEnd() && peek() >= '0' && peek() <= '9'; };
        if (peek() == '-') {
            ++pos_;
        }
        if (!isDigit()) {
            fail("invalid number: expected a digit, got " + describe(pos_));
        }
        if (peek() == '0') {
            ++pos_;
            if (isDigit()) {
                failAt(start, "invalid number: leading zeros are not allowed");
            }
        } else {
            while (isDigit()) {
                ++pos_;
            }
        }
        bool integral = true;
        if (!atEnd() && peek() == '.') {
            integral = false;
            ++pos_;
            if (!isDigit()) {
                fail("invalid number: expected a digit after '.', got " + describe(pos_));
            }
            while (isDigit()) {
                ++pos_;
            }
        }
        if (!atEnd() && (peek() == 'e' || peek() == 'E')) {
            integral = false;
            ++pos_;
            if (!atEnd() && (peek() == '+' || peek() == '-')) {
                ++pos_;
            }
            if (!isDigit()) {
                fail("invalid number: expected a digit in the exponent, got " + describe(pos_));
            }
            while (isDigit()) {
                ++pos_;
            }
        }
        const char* first = text_.data() + start;
        const char* last = text_.data() + pos_;
        if (integral) {
            std::int64_t i = 0;
            if (std::from_chars(first, last, i).ec == std::errc()) {
                return Value(i);
            }
            std::uint64_t u = 0;
            if (*first != '-' && std::from_chars(first, last, u).ec == std::errc()) {
                return Value(u);
            }
            // Too large for 64 bits: fall through to a (rounded) double.
        }
        double d = 0;
        const auto res = std::from_chars(first, last, d);
        if (res.ec == std::errc::result_out_of_range) {
            if (magnitudeIsHuge(start)) {
                failAt(start, "number " + std::string(first, last) + " is out of range");
            }
            d = *first == '-' ? -0.0 : 0.0;  // underflow: rounds to zero
        } else if (res.ec != std::errc() || res.ptr != last) {
            failAt(start, "invalid number " + std::string(first, last));
        }
        return Value(d);
    }

    // For a syntactically valid number at text_[start, pos_) whose conversion was out of range:
    // whether it overflowed (true) rather than underflowed.
    bool magnitudeIsHuge(std::size_t start) const {
        const std::string_view num = text_.substr(start, pos_ - start);
        const std::size_t ePos = num.find_first_of("eE");
        const std::string_view mantissa = num.substr(0, ePos);
        // Decimal exponent of the first non-zero digit, relative to the mantissa's point.
        const std::size_t point = mantissa.find('.');
        const std::size_t intEnd = point == std::string_view::npos ? mantissa.size() : point;
        long long lead = 0;
        bool found = false;
        for (std::size_t i = 0; i < mantissa.size(); ++i) {
            if (mantissa[i] >= '1' && mantissa[i] <= '9') {
                lead = i < intEnd ? static_cast<long long>(intEnd - i - 1)
                                  : -static_cast<long long>(i - intEnd);
                found = true;
                break;
            }
        }
        if (!found) {
            return false;  // zero mantissa: never huge
        }
        long long exponent = 0;
        if (ePos != std::string_view::npos) {
            std::string_view e = num.substr(ePos + 1);
            const bool negative = !e.empty() && e[0] == '-';
            if (!e.empty() && (e[0] == '+' || e[0] == '-')) {
                e.remove_prefix(1);
            }
            for (const char c : e) {
                exponent = std::min(exponent * 10 + (c - '0'), 100000LL);  // saturate
            }
            if (negative) {
                exponent = -exponent;
            }
        }
        return lead + exponent > 0;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

Value parse(std::string_view text) {
    return Parser(text).parseDocument();
}

}  // namespace litefer::json
