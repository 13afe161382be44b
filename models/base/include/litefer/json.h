#pragma once
// A small JSON document type for manifests, metrics and settings files.
//
// Contracts:
// - parse() accepts exactly RFC 8259 JSON text: one value surrounded by optional whitespace,
//   strings in valid UTF-8, no leading zeros, no trailing commas, no comments. Objects must
//   not repeat a key (the RFC leaves duplicates undefined; we reject them so that a manifest
//   cannot say two things at once). Nesting deeper than kMaxDepth arrays/objects is rejected
//   before it can exhaust the stack, so parse() is safe on untrusted input.
// - Numbers written as integers (no fraction, no exponent) that fit in int64 or uint64 are
//   stored exactly; everything else is a double. dump() keeps the distinction: a double that
//   happens to be integral is written with a ".0" so that it parses back as a double.
// - Objects keep insertion order; dump() writes members in that order.
// - Strings are byte strings holding UTF-8. dump() escapes '"', '\\' and control characters
//   and writes any byte sequence that is not valid UTF-8 as U+FFFD, so its output always parses.
// - A Value is a plain value type: copyable, movable, no shared state. Concurrent reads of one
//   Value are safe; writes need external synchronisation.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace litefer::json {

/// Deepest nesting of arrays and objects that parse() accepts.
inline constexpr int kMaxDepth = 200;

/// Parse errors ("line L, column C: ...") and type errors ("expected number, got string").
class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class Value {
  public:
    enum class Type { Null, Bool, Number, String, Array, Object };
    using Array = std::vector<Value>;
    using Object = std::vector<std::pair<std::string, Value>>;

    Value() = default;  // null
    Value(std::nullptr_t) {}
    Value(bool b) : data_(std::in_place_type<bool>, b) {}
    Value(int i) : data_(std::in_place_type<std::int64_t>, i) {}
    Value(std::int64_t i) : data_(std::in_place_type<std::int64_t>, i) {}
    Value(std::uint64_t u);
    Value(double d) : data_(std::in_place_type<double>, d) {}
    /// s: a NUL-terminated string, not null.
    Value(const char* s) : data_(std::in_place_type<std::string>, s) {}
    Value(std::string s) : data_(std::in_place_type<std::string>, std::move(s)) {}
    Value(std::string_view s) : data_(std::in_place_type<std::string>, s) {}
    /// Any other integer type (unsigned, long long, ...), stored exactly.
    template <typename T,
              std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
    Value(T i) : Value(makeInteger(i)) {}

    static Value array() { return Value(Array{}); }
    static Value object() { return Value(Object{}); }

    Type type() const;
    bool isNull() const { return type() == Type::Null; }
    bool isBool() const { return type() == Type::Bool; }
    bool isNumber() const { return type() == Type::Number; }
    bool isString() const { return type() == Type::String; }
    bool isArray() const { return type() == Type::Array; }
    bool isObject() const { return type() == Type::Object; }
    /// True for numbers stored as integers (parsed without fraction/exponent, or built from an
    /// integer type).
    bool isInteger() const;

    // Accessors throw Error("expected <type>, got <type>") on a type mismatch.
    bool asBool() const;
    /// Any number; integers beyond 2^53 are rounded to the nearest double.
    double asDouble() const;
    /// Integral numbers only (a double such as 3.0 is accepted); throws Error when the number has
    /// a fraction or does not fit in int64.
    std::int64_t asInt64() const;
    /// As asInt64(), for the range of uint64 (negative numbers throw).
    std::uint64_t asUint64() const;
    /// As asInt64(), for the range of int.
    int asInt() const;
    const std::string& asString() const;
    const Array& asArray() const;
    Array& asArray();

    /// Object member access. A null value becomes an empty object first; a missing key is
    /// appended with a null value. Throws Error for any other type.
    Value& operator[](const std::string& key);
    /// The member named key, or nullptr when absent. Throws Error when this is not an object.
    const Value* find(std::string_view key) const;
    /// The member named key; throws Error("missing key 'key'") when absent, Error when this is
    /// not an object.
    const Value& at(std::string_view key) const;
    /// Whether the object has key. Throws Error when this is not an object.
    bool contains(std::string_view key) const;
    /// Appends to an array; a null value becomes an empty array first. Throws Error otherwise.
    void push(Value v);
    /// Elements of an array or members of an object; 0 for null. Throws Error otherwise.
    std::size_t size() const;
    /// Members of an object in insertion order. Throws Error when this is not an object.
    const Object& items() const;

    /// Deep equality. Numbers compare by mathematical value (1 == 1.0); object members compare
    /// in order.
    bool operator==(const Value& other) const;
    bool operator!=(const Value& other) const { return !(*this == other); }

    /// indent < 0: compact, no whitespace. indent >= 0: one member/element per line, nested
    /// levels indented by `indent` spaces, "key": value. Doubles use the shortest text that
    /// parses back to the same double; NaN and infinities are written as null.
    std::string dump(int indent = -1) const;

  private:
    using Data = std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, double,
                              std::string, Array, Object>;

    template <typename T>
    static Value makeInteger(T i) {
        if constexpr (std::is_signed_v<T>) {
            return Value(static_cast<std::int64_t>(i));
        } else {
            return Value(static_cast<std::uint64_t>(i));
        }
    }
    explicit Value(Array a) : data_(std::in_place_type<Array>, std::move(a)) {}
    explicit Value(Object o) : data_(std::in_place_type<Object>, std::move(o)) {}
    const Object& objectOrThrow() const;
    void dumpTo(std::string& out, int indent, int level) const;

    // uint64 holds only values above INT64_MAX; smaller unsigned values are stored as int64 so
    // that each integer has exactly one representation.
    Data data_ = nullptr;

    friend class Parser;
};

/// Human-readable name of a type ("null", "bool", "number", "string", "array", "object").
const char* typeName(Value::Type t);

/// Parses one complete JSON text. Throws Error("line L, column C: <problem>") with 1-based
/// line and byte column of the offending character.
Value parse(std::string_view text);

}  // namespace litefer::json
