#include "alertgate/json_text.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace alertgate;

namespace {
std::string json(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}
}  // namespace

TEST_CASE("json_text: plain strings are quoted unchanged") {
  CHECK(json("") == "\"\"");
  CHECK(json("HighCPU") == "\"HighCPU\"");
  CHECK(json("a longer string that spans several 8-byte words / with slashes") ==
        "\"a longer string that spans several 8-byte words / with slashes\"");
  std::string out = "x:";
  append_json_string(out, "y");
  CHECK(out == "x:\"y\"");
}

TEST_CASE("json_text: escapes") {
  CHECK(json("say \"hi\"") == R"("say \"hi\"")");
  CHECK(json("C:\\path") == R"("C:\\path")");
  CHECK(json("a\nb\rc\td\be\ff") == R"("a\nb\rc\td\be\ff")");
  CHECK(json(std::string_view("\0", 1)) == R"("\u0000")");
  CHECK(json("\x01\x1f") == R"("\u0001\u001f")");
  CHECK(json("\x7f") == R"("\u007f")");
  CHECK(json("0123456789abcdef\"0123456789abcdef") == R"("0123456789abcdef\"0123456789abcdef")");
  // Every control character, each at a different alignment.
  for (int c = 0; c < 0x20; ++c) {
    std::string in(static_cast<std::size_t>(c % 9), 'x');
    in.push_back(static_cast<char>(c));
    const std::string out = json(in);
    CHECK(out.find('\\') == in.size());
    for (char ch : out) CHECK(static_cast<unsigned char>(ch) >= 0x20);
  }
}

TEST_CASE("json_text: UTF-8 passes through") {
  CHECK(json("caf\xC3\xA9") == "\"caf\xC3\xA9\"");
  CHECK(json("\xF0\x9F\x94\xA5 fire") == "\"\xF0\x9F\x94\xA5 fire\"");  // emoji
  CHECK(json("\xE2\x80\xA8") == "\"\xE2\x80\xA8\"");                    // U+2028
  CHECK(json("\xF4\x8F\xBF\xBF") == "\"\xF4\x8F\xBF\xBF\"");            // U+10FFFF
  CHECK(json("\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82") ==
        "\"\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82\"");
}

TEST_CASE("json_text: invalid UTF-8 bytes become U+FFFD") {
  const std::string r = "\xEF\xBF\xBD";
  CHECK(json("a\xFF"
             "b") == "\"a" + r + "b\"");
  CHECK(json("\x80") == "\"" + r + "\"");                          // stray continuation
  CHECK(json("\xC0\xAF") == "\"" + r + r + "\"");                  // overlong '/'
  CHECK(json("\xED\xA0\x80") == "\"" + r + r + r + "\"");          // surrogate U+D800
  CHECK(json("\xF4\x90\x80\x80") == "\"" + r + r + r + r + "\"");  // > U+10FFFF
  CHECK(json("\xE2\x82") == "\"" + r + r + "\"");                  // truncated at the end
  CHECK(json("\xE2\x82z") == "\"" + r + r + "z\"");
  CHECK(json("\xF0\x9F\x94") == "\"" + r + r + r + "\"");
  CHECK(valid_utf8(json("\xFE\xFF\xC3\x28\xA0\xA1")));
}

TEST_CASE("json_text: valid_utf8 and first_invalid_utf8") {
  CHECK(valid_utf8(""));
  CHECK(valid_utf8("plain ascii text longer than eight bytes"));
  CHECK(valid_utf8("caf\xC3\xA9 \xF0\x9F\x98\x80 \xE2\x82\xAC"));
  CHECK(first_invalid_utf8("ok") == std::string_view::npos);
  CHECK(first_invalid_utf8("0123456789\xFF") == 10);
  CHECK(first_invalid_utf8("\xC3\xA9\xC3") == 2);
  CHECK(first_invalid_utf8("abc\xED\xBF\xBF") == 3);  // surrogate
  CHECK(first_invalid_utf8("abc\xE0\x80\x80") == 3);  // overlong
  CHECK(first_invalid_utf8("abc\xF8\x88\x80\x80\x80") == 3);
  CHECK(first_invalid_utf8("abcdefgh\x80") == 8);
  CHECK_FALSE(valid_utf8("\xC1\xBF"));
}
