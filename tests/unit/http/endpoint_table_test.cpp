#include <catch2/catch.hpp>

#include "alertgate/http_server.hpp"

using namespace alertgate::http;

TEST_CASE("endpoint_table: finds, 404s and 405s", "[http]") {
  EndpointTable t;
  int called = 0;
  t.add(Verb::post, "/api/v2/alerts", [&](Request&, Reply) { ++called; });
  t.add(Verb::get, "/-/ready", [](Request&, Reply) {});
  t.add(Verb::head, "/-/ready", [](Request&, Reply) {});

  auto m = t.find(Verb::post, "/api/v2/alerts?x=1");
  REQUIRE(m.handler != nullptr);
  CHECK(m.endpoint == 0);

  m = t.find(Verb::get, "/api/v2/alerts");
  CHECK(m.handler == nullptr);
  CHECK(m.status == 405);
  CHECK(m.allow == "POST");

  m = t.find(Verb::post, "/-/ready");
  CHECK(m.status == 405);
  CHECK(m.allow == "GET, HEAD");
  CHECK(m.endpoint == 1);

  m = t.find(Verb::get, "/nope");
  CHECK(m.status == 404);
  CHECK(m.endpoint == t.other_endpoint());
  CHECK(t.paths() == std::vector<std::string>{"/api/v2/alerts", "/-/ready", "other"});
}

TEST_CASE("endpoint_table: json_error escapes its message", "[http]") {
  auto res = json_error(400, "bad", "quote \" and \\ and \n");
  CHECK(res.result_int() == 400);
  CHECK(res.body() == R"({"error":"bad","message":"quote \" and \\ and \n"})");
  CHECK(res[boost::beast::http::field::content_type] == "application/json");
}
