#include <catch2/catch.hpp>

#include "alertgate/rating.hpp"

using namespace alertgate;

TEST_CASE("fingerprint: stable value across builds and processes", "[rating]") {
  // Pinned: a change here breaks dedup across a rolling upgrade. XXH3-64 of
  // "alertname\xffHighCPU\xffinstance\xffdb1\xff".
  const LabelSet labels{{"alertname", "HighCPU"}, {"instance", "db1"}};
  // (computed independently with libxxhash's one-shot XXH3_64bits over that string)
  CHECK(fingerprint_hex(fingerprint(labels)) == "1fab3b18f36d0e64");
}

TEST_CASE("fingerprint: label boundaries matter", "[rating]") {
  const LabelSet a{{"a", "bc"}};
  const LabelSet b{{"ab", "c"}};
  const LabelSet c{{"a", "b"}, {"c", ""}};
  CHECK(fingerprint(a) != fingerprint(b));
  CHECK(fingerprint(a) != fingerprint(c));
  CHECK(fingerprint(LabelSet{}) != fingerprint(LabelSet{{"", ""}}));
}

TEST_CASE("fingerprint: dedup key equals the label set {dedup_key=key}", "[rating]") {
  CHECK(fingerprint_of_dedup_key("db1/cpu") == fingerprint(LabelSet{{"dedup_key", "db1/cpu"}}));
  CHECK(fingerprint_of_dedup_key("x") != fingerprint_of_dedup_key("y"));
}

TEST_CASE("fingerprint: hex is 16 lowercase digits", "[rating]") {
  CHECK(fingerprint_hex(0) == "0000000000000000");
  CHECK(fingerprint_hex(0xc1f2e3d4a5b6c7d8ULL) == "c1f2e3d4a5b6c7d8");
}
