#include <catch2/catch.hpp>
#include <string>

#include "alertgate/main_config.hpp"
#include "alertgate/yaml_reader.hpp"

namespace alertgate {

TEST_CASE("units: parse_duration reads ms, s, m, h and combinations") {
  using std::chrono::milliseconds;
  CHECK(parse_duration("250ms").value() == milliseconds(250));
  CHECK(parse_duration("30s").value() == milliseconds(30'000));
  CHECK(parse_duration("5m").value() == milliseconds(300'000));
  CHECK(parse_duration("1h").value() == milliseconds(3'600'000));
  CHECK(parse_duration("1h30m").value() == milliseconds(5'400'000));
  CHECK(parse_duration("1m1s1ms").value() == milliseconds(61'001));
  CHECK(parse_duration("0").value() == milliseconds(0));
  CHECK(parse_duration("0s").value() == milliseconds(0));
  for (const char* bad : {"", "10", "s", "1.5s", "-1s", "1d", "30s1h", "1h1h", "1 h", "1hx",
                          "99999999999999999999h", "1h ", "ms"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad).ok());
  }
  CHECK(parse_duration("30s1h").error().message ==
        "units out of order in duration \"30s1h\" (largest first, e.g. 1h30m)");
  CHECK(parse_duration("3d").error().message ==
        "unknown unit \"d\" in duration \"3d\" (use ms, s, m or h)");
}

TEST_CASE("units: parse_byte_size reads decimal and binary units") {
  CHECK(parse_byte_size("1048576").value() == 1048576);
  CHECK(parse_byte_size("512KiB").value() == 512ul * 1024);
  CHECK(parse_byte_size("1MiB").value() == 1024ul * 1024);
  CHECK(parse_byte_size("1GiB").value() == 1024ull * 1024 * 1024);
  CHECK(parse_byte_size("10KB").value() == 10'000);
  CHECK(parse_byte_size("1MB").value() == 1'000'000);
  CHECK(parse_byte_size("1GB").value() == 1'000'000'000);
  CHECK(parse_byte_size("7B").value() == 7);
  CHECK(parse_byte_size("1 MiB").value() == 1024ul * 1024);
  for (const char* bad : {"", "MiB", "-1", "1.5MiB", "1mib", "1TiB", "1  MiB",
                          "99999999999999999999", "9999999999999GiB", " 1"}) {
    INFO(bad);
    CHECK_FALSE(parse_byte_size(bad).ok());
  }
}

TEST_CASE("units: format helpers read back") {
  CHECK(format_duration_ms(0) == "0s");
  CHECK(format_duration_ms(100) == "100ms");
  CHECK(format_duration_ms(5'400'000) == "1h30m");
  CHECK(format_duration_ms(61'001) == "1m1s1ms");
  CHECK(format_byte_size(1024) == "1KiB");
  CHECK(format_byte_size(std::int64_t{512} * 1024 * 1024) == "512MiB");
  CHECK(format_byte_size(1000) == "1000");
  CHECK(format_byte_size(0) == "0");
  for (std::int64_t ms : {1, 999, 1000, 61'001, 86'400'000}) {
    CHECK(parse_duration(format_duration_ms(ms)).value().count() == ms);
  }
}

TEST_CASE("units: parse_listen_address") {
  auto a = parse_listen_address("127.0.0.1:9095");
  REQUIRE(a.ok());
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == 9095);
  auto v6 = parse_listen_address("[::1]:0");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->port == 0);
  CHECK(parse_listen_address("[::]:65535")->port == 65535);
  CHECK(parse_listen_address("localhost:80")->host == "localhost");
  CHECK(parse_listen_address("127.0.0.1:70000").error().message ==
        "port 70000 is out of range 0..65535");
  CHECK(parse_listen_address("127.0.0.1").error().message ==
        "missing port in \"127.0.0.1\" (host:port, e.g. 127.0.0.1:9095)");
  CHECK(parse_listen_address("127.0.0.1:").error().message == "missing port in \"127.0.0.1:\"");
  CHECK(parse_listen_address("[::1]").error().message ==
        "missing port in \"[::1]\" (e.g. [::1]:9095)");
  CHECK(parse_listen_address("::1:80").error().message ==
        "IPv6 addresses need brackets: \"::1:80\" (e.g. [::1]:9095)");
  CHECK(parse_listen_address(":80").error().message ==
        "missing host in \":80\" (0.0.0.0 or [::] listens on every interface)");
  for (const char* bad :
       {"", "[::1:80", "[zz]:80", "[::1]x80", "1.2.3:80", "1.2.3.4:8a", "1.2.3.4:-1",
        "1.2.3.4:99999999999999999999", "example.com:80", "1.2.3.4:+80"}) {
    INFO(bad);
    CHECK_FALSE(parse_listen_address(bad).ok());
  }
}

TEST_CASE("units: edit distance and suggestions") {
  CHECK(edit_distance("lables", "labels") == 1);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(did_you_mean("lables", {"labels", "tenant_id"}) == " (did you mean \"labels\"?)");
  CHECK(did_you_mean("x", {"url"}).empty());
  CHECK(did_you_mean("completely", {"labels"}).empty());
}

TEST_CASE("units: the nesting pre-scan") {
  CHECK_FALSE(find_deep_nesting("a: [[[1]]]\n", 64).has_value());
  CHECK(find_deep_nesting(std::string(65, '['), 64) == 1);
  CHECK_FALSE(find_deep_nesting("a: \"" + std::string(100, '[') + "\"\n", 64).has_value());
  CHECK_FALSE(find_deep_nesting("a: '" + std::string(100, '{') + "'\n", 64).has_value());
  CHECK_FALSE(find_deep_nesting("a: b # " + std::string(100, '{') + "\n", 64).has_value());
  std::string blocks;
  for (int i = 0; i < 70; ++i) blocks += std::string(static_cast<std::size_t>(2 * i), ' ') + "a:\n";
  CHECK(find_deep_nesting(blocks, 64) == 65);
  std::string dashes;
  for (int i = 0; i < 70; ++i) dashes += "- ";
  CHECK(find_deep_nesting(dashes + "x\n", 64) == 1);
}

TEST_CASE("units: quote_for_message escapes and truncates") {
  CHECK(quote_for_message("a\"b\\c\n") == "\"a\\\"b\\\\c\\x0a\"");
  CHECK(quote_for_message(std::string(100, 'x')) == "\"" + std::string(60, 'x') + "…\"");
}

}  // namespace alertgate
