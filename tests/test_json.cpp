#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "litefer/json.h"

using namespace litefer;
using Catch::Matchers::Contains;

namespace {

// The message of the json::Error thrown by parse(text); fails the test if nothing is thrown.
std::string parseError(const std::string& text) {
    try {
        json::parse(text);
    } catch (const json::Error& e) {
        return e.what();
    }
    FAIL("parse accepted: " << text);
    return {};
}

}  // namespace

TEST_CASE("parses every JSON type into the matching value", "[json]") {
    const json::Value v = json::parse(
        R"( {"null": null, "t": true, "f": false, "int": -42, "dbl": 2.5e-3,
             "str": "hi", "arr": [1, [2, []], {}], "obj": {"k": "v"}} )");
    REQUIRE(v.isObject());
    REQUIRE(v.size() == 8);
    CHECK(v.at("null").isNull());
    CHECK(v.at("t").asBool() == true);
    CHECK(v.at("f").asBool() == false);
    CHECK(v.at("int").asInt() == -42);
    CHECK(v.at("int").isInteger());
    CHECK(v.at("dbl").asDouble() == 2.5e-3);
    CHECK_FALSE(v.at("dbl").isInteger());
    CHECK(v.at("str").asString() == "hi");
    REQUIRE(v.at("arr").asArray().size() == 3);
    CHECK(v.at("arr").asArray()[1].asArray()[0].asInt() == 2);
    CHECK(v.at("arr").asArray()[2].isObject());
    CHECK(v.at("obj").at("k").asString() == "v");
}

TEST_CASE("objects keep insertion order through dump and parse", "[json]") {
    json::Value v;
    v["zeta"] = 1;
    v["alpha"] = "two";
    v["mid"] = json::Value::array();
    v["mid"].push(3.5);
    v["mid"].push(nullptr);
    v["zeta"] = 10;  // assignment to an existing key keeps its position
    REQUIRE(v.dump() == R"({"zeta":10,"alpha":"two","mid":[3.5,null]})");
    const json::Value back = json::parse(v.dump());
    REQUIRE(back == v);
    REQUIRE(back.items()[0].first == "zeta");
    REQUIRE(back.items()[2].first == "mid");
}

TEST_CASE("pretty printing indents nested values and parses back", "[json]") {
    json::Value v = json::Value::object();
    v["a"] = json::Value::array();
    v["a"].push(1);
    v["a"].push(json::Value::object());
    v["b"] = json::Value::object();
    v["b"]["c"] = true;
    const std::string expected =
        "{\n"
        "  \"a\": [\n"
        "    1,\n"
        "    {}\n"
        "  ],\n"
        "  \"b\": {\n"
        "    \"c\": true\n"
        "  }\n"
        "}";
    REQUIRE(v.dump(2) == expected);
    REQUIRE(json::parse(v.dump(2)) == v);
    REQUIRE(json::Value::array().dump(4) == "[]");
}

TEST_CASE("64-bit integers round-trip exactly", "[json]") {
    const std::int64_t bytes = 9007199254740993;  // 2^53 + 1: not representable as a double
    const std::int64_t maxI = std::numeric_limits<std::int64_t>::max();
    const std::int64_t minI = std::numeric_limits<std::int64_t>::min();
    const std::uint64_t maxU = std::numeric_limits<std::uint64_t>::max();
    json::Value v;
    v["bytes"] = bytes;
    v["max"] = maxI;
    v["min"] = minI;
    v["umax"] = maxU;
    const std::string text = v.dump();
    REQUIRE(text == R"({"bytes":9007199254740993,"max":9223372036854775807,)"
                    R"("min":-9223372036854775808,"umax":18446744073709551615})");
    const json::Value back = json::parse(text);
    CHECK(back.at("bytes").asInt64() == bytes);
    CHECK(back.at("max").asInt64() == maxI);
    CHECK(back.at("min").asInt64() == minI);
    CHECK(back.at("umax").asUint64() == maxU);
    CHECK_THROWS_WITH(back.at("umax").asInt64(), Contains("does not fit"));
    CHECK(back == v);
}

TEST_CASE("integers beyond 64 bits become doubles", "[json]") {
    const json::Value v = json::parse("[123456789012345678901234567890, -99999999999999999999]");
    CHECK_FALSE(v.asArray()[0].isInteger());
    CHECK(v.asArray()[0].asDouble() == Approx(1.2345678901234568e29));
    CHECK(v.asArray()[1].asDouble() == Approx(-1e20));
}

TEST_CASE("doubles print in shortest round-trip form and stay doubles", "[json]") {
    CHECK(json::Value(0.1).dump() == "0.1");
    CHECK(json::Value(1.0).dump() == "1.0");
    CHECK(json::Value(-0.0).dump() == "-0.0");
    CHECK(json::Value(1e300).dump() == "1e+300");
    CHECK(json::Value(0.30000000000000004).dump() == "0.30000000000000004");
    for (const double d : {0.1, 1.0 / 3.0, 6.02214076e23, 5e-324, -2.2250738585072014e-308}) {
        const json::Value back = json::parse(json::Value(d).dump());
        CHECK_FALSE(back.isInteger());
        CHECK(back.asDouble() == d);
    }
    CHECK(json::parse("1.0").asDouble() == 1.0);
    CHECK_FALSE(json::parse("1.0").isInteger());
    CHECK(json::parse("1E2").asDouble() == 100.0);
    CHECK(json::parse("-0").asInt64() == 0);
}

TEST_CASE("NaN and infinities are written as null", "[json]") {
    json::Value v = json::Value::array();
    v.push(std::numeric_limits<double>::quiet_NaN());
    v.push(std::numeric_limits<double>::infinity());
    v.push(-std::numeric_limits<double>::infinity());
    REQUIRE(v.dump() == "[null,null,null]");
}

TEST_CASE("numbers out of double range are rejected, tiny ones become zero", "[json]") {
    CHECK_THAT(parseError("1e400"), Contains("line 1, column 1") && Contains("out of range"));
    CHECK_THAT(parseError("[-123.4e99999999999999999]"), Contains("out of range"));
    CHECK(json::parse("1e-400").asDouble() == 0.0);
    CHECK(std::signbit(json::parse("-1e-400").asDouble()));
}

TEST_CASE("strings escape quotes, backslashes and control characters", "[json]") {
    const std::string raw = std::string("q\"b\\s/\b\f\n\r\t") + '\x01' + '\x1f' + '\0' + "end";
    const std::string text = json::Value(raw).dump();
    REQUIRE(text == R"("q\"b\\s/\b\f\n\r\t\u0001\u001f\u0000end")");
    REQUIRE(json::parse(text).asString() == raw);
}

TEST_CASE("UTF-8 passes through and \\u escapes decode to UTF-8", "[json]") {
    const std::string utf8 = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80";  // café € 😀
    REQUIRE(json::Value(utf8).dump() == "\"" + utf8 + "\"");
    REQUIRE(json::parse("\"" + utf8 + "\"").asString() == utf8);
    REQUIRE(json::parse(R"("caf\u00e9 \u20AC \ud83d\ude00 \/")").asString() == utf8 + " /");
}

TEST_CASE("dump replaces invalid UTF-8 so its output always parses", "[json]") {
    const std::string bad = std::string("a") + '\xFF' + "b" + '\xC3';  // stray byte, cut-off
    const std::string text = json::Value(bad).dump();
    REQUIRE(text ==
            "\"a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\"");
    REQUIRE(json::parse(text).asString() ==
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
}

TEST_CASE("rejects trailing garbage after the value", "[json]") {
    CHECK_THAT(parseError("{} x"),
               Contains("line 1, column 4") && Contains("'x'") && Contains("after the JSON value"));
    CHECK_THAT(parseError("1 2"), Contains("column 3"));
    CHECK_THAT(parseError("[1]]"), Contains("after the JSON value"));
}

TEST_CASE("rejects leading zeros and malformed numbers", "[json]") {
    CHECK_THAT(parseError("012"), Contains("column 1") && Contains("leading zeros"));
    CHECK_THAT(parseError("[-00]"), Contains("column 2") && Contains("leading zeros"));
    CHECK_THAT(parseError("1."), Contains("after '.'"));
    CHECK_THAT(parseError(".5"), Contains("expected a value"));
    CHECK_THAT(parseError("-"), Contains("expected a digit"));
    CHECK_THAT(parseError("1e+"), Contains("exponent"));
    CHECK_THAT(parseError("+1"), Contains("'+'"));
    CHECK_THAT(parseError("0x10"), Contains("'x'"));
}

TEST_CASE("rejects invalid escapes", "[json]") {
    CHECK_THAT(parseError(R"("a\x")"), Contains("column 3") && Contains("invalid escape '\\x'"));
    CHECK_THAT(parseError(R"("\u12G4")"), Contains("invalid hex digit character 'G'"));
    CHECK_THAT(parseError(R"("\u12)"), Contains("end of input"));
    CHECK_THAT(parseError("\"\\"), Contains("unterminated string"));
}

TEST_CASE("rejects unpaired UTF-16 surrogates", "[json]") {
    CHECK_THAT(parseError(R"("\uD800")"),
               Contains("column 2") && Contains("unpaired surrogate \\uD800"));
    CHECK_THAT(parseError(R"("x\ud83dabc")"),
               Contains("column 3") && Contains("unpaired surrogate"));
    CHECK_THAT(parseError(R"("\ud83d\u0041")"), Contains("unpaired surrogate"));
    CHECK_THAT(parseError(R"("\uDC00\uD800")"), Contains("unpaired surrogate \\uDC00"));
}

TEST_CASE("rejects invalid UTF-8 inside strings", "[json]") {
    CHECK_THAT(parseError("\"a\xFF\""),
               Contains("column 3") && Contains("invalid UTF-8 byte 0xFF"));
    CHECK_THAT(parseError("\"\xC0\xAF\""), Contains("invalid UTF-8"));          // overlong '/'
    CHECK_THAT(parseError("\"\xED\xA0\x80\""), Contains("invalid UTF-8"));      // encoded D800
    CHECK_THAT(parseError("\"\xF4\x90\x80\x80\""), Contains("invalid UTF-8"));  // > U+10FFFF
    CHECK_THAT(parseError("\"\xE2\x82\""), Contains("invalid UTF-8"));          // truncated
    CHECK_THAT(parseError("\"\x80\""), Contains("invalid UTF-8"));              // lone continuation
}

TEST_CASE("rejects unescaped control characters and unterminated strings", "[json]") {
    CHECK_THAT(parseError("\"a\nb\""), Contains("unescaped control character byte 0x0A"));
    CHECK_THAT(parseError("[\"abc"), Contains("column 2") && Contains("unterminated string"));
}

TEST_CASE("rejects structural mistakes with line and column", "[json]") {
    CHECK_THAT(parseError(""), Contains("line 1, column 1") && Contains("end of input"));
    CHECK_THAT(parseError("   "), Contains("end of input"));
    CHECK_THAT(parseError("[1,]"), Contains("trailing comma in array"));
    CHECK_THAT(parseError("{\"a\":1,}"), Contains("trailing comma in object"));
    CHECK_THAT(parseError("{\"a\" 1}"), Contains("expected ':'"));
    CHECK_THAT(parseError("{a:1}"), Contains("expected a string key"));
    CHECK_THAT(parseError("[1 2]"), Contains("expected ',' or ']'"));
    CHECK_THAT(parseError("{\"a\":1"), Contains("end of input in object"));
    CHECK_THAT(parseError("tru"), Contains("invalid literal, expected 'true'"));
    CHECK_THAT(parseError("nul1"), Contains("column 4"));
    CHECK_THAT(parseError("// comment\n1"), Contains("'/'"));
    CHECK_THAT(parseError("{\n  \"a\": 1,\n  \"b\": ?\n}"), Contains("line 3, column 8"));
    CHECK_THAT(parseError("\xEF\xBB\xBF{}"), Contains("byte 0xEF"));  // no byte-order mark
}

TEST_CASE("rejects duplicate object keys", "[json]") {
    CHECK_THAT(parseError(R"({"a": 1, "b": 2, "a": 3})"),
               Contains("column 18") && Contains("duplicate key 'a'"));
}

TEST_CASE("nesting up to the limit parses and deeper nesting is rejected", "[json]") {
    const std::string ok = std::string(json::kMaxDepth, '[') + std::string(json::kMaxDepth, ']');
    REQUIRE(json::parse(ok).isArray());
    const int deeper = json::kMaxDepth + 1;
    CHECK_THAT(parseError(std::string(deeper, '[') + std::string(deeper, ']')),
               Contains("column 201") && Contains("nesting deeper than 200"));
    // Far deeper input, as a fuzzer would send: rejected without exhausting the stack.
    CHECK_THAT(parseError(std::string(1000000, '[')), Contains("nesting deeper"));
    std::string objects;
    for (int i = 0; i < 100000; ++i) {
        objects += "{\"a\":";
    }
    CHECK_THAT(parseError(objects), Contains("nesting deeper"));
}

TEST_CASE("accessors name the expected and actual type", "[json]") {
    const json::Value v = json::parse(R"({"s": "text", "n": 1.5, "i": 3, "big": 3000000000})");
    CHECK_THROWS_AS(v.at("s").asDouble(), json::Error);
    CHECK_THROWS_WITH(v.at("s").asDouble(), "expected number, got string");
    CHECK_THROWS_WITH(v.at("n").asString(), "expected string, got number");
    CHECK_THROWS_WITH(v.at("i").asBool(), "expected bool, got number");
    CHECK_THROWS_WITH(v.at("s").asArray(), "expected array, got string");
    CHECK_THROWS_WITH(v.at("n").asInt64(), Contains("expected an integer") && Contains("1.5"));
    CHECK_THROWS_WITH(v.at("big").asInt(), Contains("does not fit in a 32-bit"));
    CHECK(v.at("big").asInt64() == 3000000000);
    CHECK(json::Value(3.0).asInt() == 3);
    CHECK_THROWS_WITH(json::Value(1e19).asInt64(), Contains("does not fit"));
    CHECK_THROWS_WITH(json::Value(-1).asUint64(), Contains("does not fit"));
    CHECK_THROWS_WITH(v.at("missing"), "missing key 'missing'");
    CHECK_THROWS_WITH(v.at("s").find("x"), "expected object, got string");
    CHECK(v.find("missing") == nullptr);
    CHECK(v.contains("i"));
    CHECK_FALSE(v.contains("I"));
}

TEST_CASE("null turns into an object or array on first use, other types refuse", "[json]") {
    json::Value object;
    REQUIRE(object.isNull());
    REQUIRE(object.size() == 0);
    object["k"];
    REQUIRE(object.isObject());
    REQUIRE(object.at("k").isNull());
    json::Value array;
    array.push(1);
    REQUIRE(array.isArray());
    REQUIRE(array.size() == 1);
    json::Value number(5);
    CHECK_THROWS_WITH(number["k"], "expected object, got number");
    CHECK_THROWS_WITH(number.push(1), "expected array, got number");
    CHECK_THROWS_WITH(number.size(), Contains("got number"));
}

TEST_CASE("equality compares numbers by value and containers deeply", "[json]") {
    CHECK(json::Value(1) == json::Value(1.0));
    CHECK(json::Value(std::uint64_t{7}) == json::Value(7));
    CHECK(json::Value(1) != json::Value(1.5));
    CHECK(json::Value(9007199254740993) != json::Value(9007199254740992.0));
    CHECK(json::Value("1") != json::Value(1));
    CHECK(json::Value(true) != json::Value(1));
    CHECK(json::parse("[1,{\"a\":[]}]") == json::parse("[1.0, {\"a\": []}]"));
    CHECK(json::parse(R"({"a":1,"b":2})") != json::parse(R"({"b":2,"a":1})"));
}

TEST_CASE("constructors pick the natural JSON type", "[json]") {
    CHECK(json::Value(nullptr).isNull());
    CHECK(json::Value(false).isBool());
    CHECK(json::Value("text").isString());
    CHECK(json::Value(std::string_view("view")).asString() == "view");
    CHECK(json::Value(std::string("str")).isString());
    CHECK(json::Value(7u).asInt64() == 7);
    CHECK(json::Value(std::size_t{42}).isInteger());
    CHECK(json::Value(-3LL).asInt64() == -3);
}
