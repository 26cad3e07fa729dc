#include "alertgate/http_client.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <simdjson.h>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "support/python_server.hpp"
#include "unit/policy/temp_dir.hpp"

using namespace alertgate;
using namespace std::chrono_literals;
using alertgate::testing::blocking_http;
using alertgate::testing::PythonServer;

namespace {

// Runs `io` until `done()` or the deadline; every test is bounded by it.
template <typename Pred>
bool run_until(boost::asio::io_context& io, Pred done, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.run_for(10ms);
    if (io.stopped()) io.restart();
  }
  return done();
}

HttpRequestSpec request_to(const PythonServer& server, const std::string& path = "/hook",
                           std::string body = R"({"a":1})") {
  return {server.url(path), {{"Content-Type", "application/json"}}, std::move(body)};
}

struct Recorded {
  std::string method, path, body;
  int64_t conn = 0;
  std::vector<std::pair<std::string, std::string>> headers;
};

std::vector<Recorded> recorded(const PythonServer& server) {
  const std::string json = blocking_http(server.port(), "GET", "/_requests");
  simdjson::dom::parser parser;
  std::vector<Recorded> out;
  for (simdjson::dom::element r : parser.parse(json).get_array()) {
    Recorded rec;
    rec.method = std::string(r["method"].get_string().value());
    rec.path = std::string(r["path"].get_string().value());
    rec.body = std::string(r["body"].get_string().value());
    rec.conn = r["conn"].get_int64().value();
    for (simdjson::dom::element h : r["headers"].get_array()) {
      rec.headers.emplace_back(std::string(h.at(0).get_string().value()),
                               std::string(h.at(1).get_string().value()));
    }
    out.push_back(std::move(rec));
  }
  return out;
}

std::optional<HttpResponse> post_one(const HttpRequestSpec& request, TransferLimits limits = {}) {
  boost::asio::io_context io;
  HttpClient client(io);
  std::optional<HttpResponse> result;
  client.post(request, limits, [&](HttpResponse r) { result = std::move(r); });
  run_until(io, [&] { return result.has_value(); });
  return result;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// This machine's host name if it resolves (IPv4) to 127.0.0.1 only.
std::optional<std::string> loopback_hostname() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return std::nullopt;
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(name, nullptr, &hints, &res) != 0) return std::nullopt;
  bool loopback = res != nullptr;
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    loopback &=
        reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
  }
  ::freeaddrinfo(res);
  if (!loopback) return std::nullopt;
  return std::string(name);
}

}  // namespace

TEST_CASE("http_client: 200 with body and response headers", "[sinks][http_client]") {
  PythonServer server("sink_server.py",
                      {"--script", R"([{"status": 200, "headers": {"X-Test": "Yes"},)"
                                   R"( "body": "hello back"}])"});
  auto request = request_to(server);
  request.headers.emplace_back("X-Custom", "abc");
  const auto r = post_one(request);
  REQUIRE(r);
  CHECK(r->error.empty());
  CHECK(r->status == 200);
  CHECK(r->body == "hello back");
  REQUIRE(r->header("x-test") != nullptr);
  CHECK(*r->header("x-test") == "Yes");
  CHECK(r->header("content-length") != nullptr);
  CHECK(r->took > 0ns);

  const auto seen = recorded(server);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "POST");
  CHECK(seen[0].path == "/hook");
  CHECK(seen[0].body == R"({"a":1})");
  std::set<std::pair<std::string, std::string>> headers(seen[0].headers.begin(),
                                                        seen[0].headers.end());
  CHECK(headers.count({"Content-Type", "application/json"}) == 1);
  CHECK(headers.count({"X-Custom", "abc"}) == 1);
  for (const auto& [name, value] : seen[0].headers) CHECK(name != "Expect");
}

TEST_CASE("http_client: sequential requests reuse one keep-alive connection",
          "[sinks][http_client]") {
  PythonServer server("sink_server.py", {});
  boost::asio::io_context io;
  HttpClient client(io);
  int done = 0;
  std::vector<HttpResponse> results;
  client.post(request_to(server, "/one"), {}, [&](HttpResponse r) {
    results.push_back(std::move(r));
    // The second request starts from the first one's callback.
    client.post(request_to(server, "/two"), {}, [&](HttpResponse r2) {
      results.push_back(std::move(r2));
      ++done;
    });
  });
  REQUIRE(run_until(io, [&] { return done == 1; }));
  REQUIRE(results.size() == 2);
  CHECK(results[0].status == 200);
  CHECK(results[1].status == 200);
  const auto seen = recorded(server);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].conn == seen[1].conn);
  CHECK(client.in_flight() == 0);
}

TEST_CASE("http_client: 50 concurrent posts all complete", "[sinks][http_client]") {
  PythonServer server("sink_server.py", {});
  boost::asio::io_context io;
  HttpClient client(io);
  int ok = 0, finished = 0;
  for (int i = 0; i < 50; ++i) {
    client.post(request_to(server, "/n/" + std::to_string(i)), {}, [&](HttpResponse r) {
      ++finished;
      if (r.status == 200 && r.body == "ok") ++ok;
    });
  }
  CHECK(client.in_flight() == 50);
  REQUIRE(run_until(
      io, [&] { return finished == 50; }, 20s));
  CHECK(ok == 50);
  CHECK(client.in_flight() == 0);
  const auto seen = recorded(server);
  CHECK(seen.size() == 50);
  std::set<int64_t> connections;
  for (const auto& r : seen) connections.insert(r.conn);
  CHECK(connections.size() <= 8);  // CURLMOPT_MAX_HOST_CONNECTIONS
}

TEST_CASE("http_client: 429 with Retry-After and 500 are answers, not errors",
          "[sinks][http_client]") {
  PythonServer server("sink_server.py",
                      {"--script", R"([{"status": 429, "headers": {"Retry-After": "7"}},)"
                                   R"( {"status": 500, "body": "boom"}])"});
  const auto limited = post_one(request_to(server));
  REQUIRE(limited);
  CHECK(limited->error.empty());
  CHECK(limited->status == 429);
  REQUIRE(limited->header("retry-after") != nullptr);
  CHECK(*limited->header("retry-after") == "7");
  const auto failed = post_one(request_to(server));
  REQUIRE(failed);
  CHECK(failed->error.empty());
  CHECK(failed->status == 500);
  CHECK(failed->body == "boom");
}

TEST_CASE("http_client: response beyond the timeout is an error with status 0",
          "[sinks][http_client]") {
  PythonServer server("sink_server.py", {"--script", R"([{"delay_ms": 3000}])"});
  TransferLimits limits;
  limits.timeout = 300ms;
  const auto r = post_one(request_to(server), limits);
  REQUIRE(r);
  CHECK(r->status == 0);
  CHECK_FALSE(r->error.empty());
  CHECK(r->took >= 250ms);
  CHECK(r->took < 2s);
}

TEST_CASE("http_client: connection reset is an error", "[sinks][http_client]") {
  PythonServer server("sink_server.py", {"--script", R"([{"reset": true}, {"reset": true}])"});
  const auto r = post_one(request_to(server));
  REQUIRE(r);
  CHECK(r->status == 0);
  CHECK_FALSE(r->error.empty());
}

TEST_CASE("http_client: connection refused is an error", "[sinks][http_client]") {
  // A port that was just free: bind to 0, read it back, close.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  HttpRequestSpec request{
      "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/", {}, "x"};
  const auto r = post_one(request);
  REQUIRE(r);
  CHECK(r->status == 0);
  CHECK_FALSE(r->error.empty());
}

TEST_CASE("http_client: invalid requests fail through the callback", "[sinks][http_client]") {
  const auto bad_scheme = post_one({"ftp://127.0.0.1/x", {}, "x"});
  REQUIRE(bad_scheme);
  CHECK(bad_scheme->status == 0);
  CHECK_FALSE(bad_scheme->error.empty());
  const auto bad_header = post_one({"http://127.0.0.1:1/x", {{"X-A", "b\r\nX-Evil: 1"}}, "x"});
  REQUIRE(bad_header);
  CHECK(bad_header->error == "invalid request header");
}

TEST_CASE("http_client: stop() ends in-flight transfers and lets io_context finish",
          "[sinks][http_client]") {
  PythonServer server("sink_server.py", {"--script", R"({"default": {"delay_ms": 5000}})"});
  boost::asio::io_context io;
  HttpClient client(io);
  std::vector<HttpResponse> results;
  for (int i = 0; i < 3; ++i) {
    client.post(request_to(server), {}, [&](HttpResponse r) { results.push_back(std::move(r)); });
  }
  // Let them connect and send; the server holds the answers.
  run_until(
      io, [&] { return recorded(server).size() == 3; }, 5s);
  CHECK(client.in_flight() == 3);
  client.stop();
  REQUIRE(results.size() == 3);
  for (const auto& r : results) {
    CHECK(r.error == "stopped");
    CHECK(r.status == 0);
  }
  CHECK(client.in_flight() == 0);
  std::optional<HttpResponse> late;
  client.post(request_to(server), {}, [&](HttpResponse r) { late = std::move(r); });
  io.restart();
  const auto t0 = std::chrono::steady_clock::now();
  io.run_for(5s);  // returns as soon as nothing is left: no timer or socket wait survives
  CHECK(std::chrono::steady_clock::now() - t0 < 1s);
  REQUIRE(late);
  CHECK(late->error == "stopped");
}

TEST_CASE("http_client: destroying the client drops transfers without callbacks",
          "[sinks][http_client]") {
  PythonServer server("sink_server.py", {"--script", R"({"default": {"delay_ms": 5000}})"});
  boost::asio::io_context io;
  int callbacks = 0;
  {
    HttpClient client(io);
    client.post(request_to(server), {}, [&](HttpResponse) { ++callbacks; });
    run_until(
        io, [&] { return recorded(server).size() == 1; }, 5s);
  }
  io.restart();
  const auto t0 = std::chrono::steady_clock::now();
  io.run_for(5s);
  CHECK(std::chrono::steady_clock::now() - t0 < 1s);
  CHECK(callbacks == 0);
}

TEST_CASE("http_client: send_mail delivers envelope and message over SMTP",
          "[sinks][http_client]") {
  alertgate::testing::TempDir dir;
  PythonServer smtp("smtp_server.py",
                    {"--dir", dir.path().string(), "--reject-rcpt", "nobody@example.org"});
  const std::string message =
      "From: Alertgate <alerts@example.org>\r\nTo: ops@example.org\r\n"
      "Subject: [FIRING] HighCPU\r\n\r\nline one\r\n.starts with a dot\r\nlast\r\n";
  MailSpec mail{
      "Alertgate <alerts@example.org>", {"ops@example.org", "Dev <dev@example.org>"}, message};
  SmtpSettings settings;
  settings.url = "smtp://127.0.0.1:" + std::to_string(smtp.port());

  boost::asio::io_context io;
  HttpClient client(io);
  std::optional<HttpResponse> sent, rejected;
  client.send_mail(mail, settings, {}, [&](HttpResponse r) { sent = std::move(r); });
  REQUIRE(run_until(io, [&] { return sent.has_value(); }));
  CHECK(sent->error.empty());
  CHECK(sent->status == 250);

  simdjson::dom::parser parser;
  const std::string envelope = read_file(dir.path() / "1.json");
  simdjson::dom::element e = parser.parse(envelope);
  CHECK(e["mail_from"].get_string().value() == "alerts@example.org");
  auto rcpt = e["rcpt_tos"].get_array();
  REQUIRE(rcpt.size() == 2);
  CHECK(rcpt.at(0).get_string().value() == "ops@example.org");
  CHECK(rcpt.at(1).get_string().value() == "dev@example.org");
  CHECK(read_file(dir.path() / "1.eml") == message);

  MailSpec bad{"alerts@example.org", {"nobody@example.org"}, message};
  client.send_mail(bad, settings, {}, [&](HttpResponse r) { rejected = std::move(r); });
  REQUIRE(run_until(io, [&] { return rejected.has_value(); }));
  CHECK(rejected->status == 550);
  CHECK_FALSE(rejected->error.empty());
}

TEST_CASE("http_client: response body is capped at 64 KiB", "[sinks][http_client]") {
  PythonServer server("sink_server.py", {});
  const std::string big(100 * 1024, 'x');
  blocking_http(server.port(), "POST", "/_script",
                R"([{"status": 200, "body": ")" + big + R"("}])");
  const auto r = post_one(request_to(server));
  REQUIRE(r);
  CHECK(r->error.empty());
  CHECK(r->status == 200);
  CHECK(r->body == big.substr(0, 64 * 1024));
}

TEST_CASE("http_client: host names resolve off the reactor and connections are reused",
          "[sinks][http_client]") {
  // A name curl must look up goes through its threaded resolver, whose wake-up socket curl
  // opens itself (the foreign-socket path). curl answers "localhost" without a lookup, so
  // the machine's own name is used when it resolves to 127.0.0.1 (as on Debian).
  PythonServer server("sink_server.py", {});
  const std::string host = loopback_hostname().value_or("localhost");
  const std::string url = "http://" + host + ":" + std::to_string(server.port()) + "/named";
  boost::asio::io_context io;
  HttpClient client(io);
  std::vector<long> statuses;
  for (int round = 0; round < 2; ++round) {
    const auto before = statuses.size();
    client.post({url, {}, "x"}, {}, [&](HttpResponse r) { statuses.push_back(r.status); });
    REQUIRE(run_until(io, [&] { return statuses.size() == before + 1; }));
  }
  CHECK(statuses == std::vector<long>{200, 200});
  const auto seen = recorded(server);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].conn == seen[1].conn);
}

TEST_CASE("http_client: send_mail authenticates with username and password",
          "[sinks][http_client]") {
  alertgate::testing::TempDir dir;
  PythonServer smtp("smtp_server.py", {"--dir", dir.path().string(), "--auth", "relay:s3cret"});
  const MailSpec mail{"alerts@example.org", {"ops@example.org"}, "Subject: x\r\n\r\nbody\r\n"};
  SmtpSettings settings;
  settings.url = "smtp://127.0.0.1:" + std::to_string(smtp.port());
  settings.username = "relay";
  settings.password = "wrong";

  boost::asio::io_context io;
  HttpClient client(io);
  std::optional<HttpResponse> denied, sent;
  client.send_mail(mail, settings, {}, [&](HttpResponse r) { denied = std::move(r); });
  REQUIRE(run_until(io, [&] { return denied.has_value(); }));
  CHECK_FALSE(denied->error.empty());
  CHECK(denied->status == 535);

  settings.password = "s3cret";
  client.send_mail(mail, settings, {}, [&](HttpResponse r) { sent = std::move(r); });
  REQUIRE(run_until(io, [&] { return sent.has_value(); }));
  CHECK(sent->error.empty());
  CHECK(sent->status == 250);
  simdjson::dom::parser parser;
  const std::string envelope = read_file(dir.path() / "1.json");
  CHECK(parser.parse(envelope)["auth_login"].get_string().value() == "relay");
}
