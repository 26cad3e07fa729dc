#include "alertgate/token_table.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace alertgate {

TEST_CASE("token_table: sha256 matches the known digest of the demo token") {
  const auto d =
      parse_token_digest("sha256:7c43ef5ae21d43ce2743f770c68e24def1a43ee2f416d2438410c8af7af2ff2c");
  REQUIRE(d.has_value());
  CHECK(sha256("demo-token") == *d);
  // The SHA-256 of "" is well known.
  CHECK(sha256("") == *parse_token_digest("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b"
                                          "934ca495991b7852b855"));
}

TEST_CASE("token_table: parse_token_digest is strict about the form") {
  const std::string hex(64, 'A');
  CHECK(parse_token_digest("sha256:" + hex).has_value());
  CHECK_FALSE(parse_token_digest("SHA256:" + hex).has_value());
  CHECK_FALSE(parse_token_digest(hex).has_value());
  CHECK_FALSE(parse_token_digest("sha256:" + hex.substr(1)).has_value());
  CHECK_FALSE(parse_token_digest("sha256:" + hex + "0").has_value());
  CHECK_FALSE(parse_token_digest("sha256:" + std::string(63, 'a') + "g").has_value());
  CHECK_FALSE(parse_token_digest("").has_value());
}

TEST_CASE("token_table: find returns the tenant of the right token only") {
  TokenTable table;
  table.add(sha256("token-a"), 0);
  table.add(sha256("token-b"), 7);
  table.add(sha256("token-b"), 9);  // a second add keeps the first tenant
  CHECK(table.find("token-a") == TenantIndex{0});
  CHECK(table.find("token-b") == TenantIndex{7});
  CHECK_FALSE(table.find("token-c").has_value());
  CHECK_FALSE(table.find("token-A").has_value());
  CHECK_FALSE(table.find("").has_value());
  CHECK_FALSE(TokenTable{}.find("token-a").has_value());
}

TEST_CASE("token_table: bearer_token parses the Authorization header") {
  CHECK(bearer_token("Bearer abc") == std::string_view("abc"));
  CHECK(bearer_token("bearer abc") == std::string_view("abc"));
  CHECK(bearer_token("BEARER abc") == std::string_view("abc"));
  CHECK(bearer_token("  Bearer \t  abc.def-123_~+/=  ") == std::string_view("abc.def-123_~+/="));
  CHECK_FALSE(bearer_token("Bearer").has_value());
  CHECK_FALSE(bearer_token("Bearer ").has_value());
  CHECK_FALSE(bearer_token("Bearer    ").has_value());
  CHECK_FALSE(bearer_token("Bearerabc").has_value());
  CHECK_FALSE(bearer_token("Bearer a b").has_value());
  CHECK_FALSE(bearer_token("Basic xyz").has_value());
  CHECK_FALSE(bearer_token("").has_value());
  CHECK_FALSE(bearer_token("abc").has_value());
  CHECK_FALSE(bearer_token(std::string_view("Bearer a\0b", 10)).has_value());
}

}  // namespace alertgate
