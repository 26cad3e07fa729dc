#include "alertgate/bench/sink_only.hpp"

#include <curl/curl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "alertgate/bench/bench_driver.hpp"
#include "alertgate/bench/bench_marker.hpp"

namespace alertgate::bench {
namespace {

using namespace std::chrono_literals;

// One POST on a fresh connection; the HTTP status, 0 when nothing answered.
long post(unsigned short port, const std::string& body) {
  static const bool init = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!init) return 0;
  CURL* easy = curl_easy_init();
  if (easy == nullptr) return 0;
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 20'000L);
  long status = 0;
  if (curl_easy_perform(easy) == CURLE_OK) curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(easy);
  return status;
}

// A webhook v4 body with one alert per seq, each carrying its bench marker.
std::string webhook(std::initializer_list<std::uint64_t> seqs) {
  std::string b = R"({"version":"4","status":"firing","alerts":[)";
  bool first = true;
  for (std::uint64_t seq : seqs) {
    if (!first) b += ',';
    first = false;
    b += R"({"status":"firing","labels":{"alertname":"A"},"annotations":{"alertgate_bench":")";
    append_marker(b, Marker{seq, alertgate::now()});
    b += R"("}})";
  }
  return b + "]}";
}

std::string read_all(const std::filesystem::path& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

struct TempDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("alertgate-sink-only-" + std::to_string(::getpid()));
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() { std::filesystem::remove_all(path); }
};

// Polls (with a deadline, no fixed sleep) until the file exists with content.
bool wait_for_file(const std::filesystem::path& path) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!read_all(path).empty()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

TEST_CASE("bench: sink-only writes its port, counts deliveries and stops at the count") {
  TempDir dir;
  SinkOnlyOptions o;
  o.expected_alerts = 5;
  o.timeout = 30s;
  o.idle = 20s;
  o.port_file = dir.path / "port";
  o.json_path = dir.path / "sink.json";
  o.quiet = true;
  std::ostringstream out;
  std::ostringstream err;
  SinkOnlyReport report;
  int code = -1;
  std::thread run([&] { code = run_sink_only(o, out, err, &report); });
  const bool port_written = wait_for_file(o.port_file);
  unsigned short port = 0;
  if (port_written) port = static_cast<unsigned short>(std::stoul(read_all(o.port_file)));
  long first = 0;
  long second = 0;
  if (port != 0) {
    first = post(port, webhook({0, 1, 2}));
    second = post(port, webhook({2, 3, 4}));  // seq 2 again: a duplicate
  }
  run.join();
  REQUIRE(port_written);
  CHECK(first == 200);
  CHECK(second == 200);
  CHECK(code == kBenchOk);
  CHECK(report.stopped_by == WaitEnd::expected);
  CHECK(report.counts.distinct == 5);
  CHECK(report.counts.duplicates == 1);
  CHECK(report.counts.requests == 2);
  CHECK(report.seconds_start_to_last > 0);
  CHECK(report.seconds_start_to_last <= report.waited_s);
  CHECK(report.waited_s < 20);  // ended by the count, not by idle or the timeout
  CHECK(read_all(o.json_path) == to_json(report) + "\n");
  CHECK(out.str() == summary_line(report) + "\n");
  CHECK_FALSE(std::filesystem::exists(o.port_file.string() + ".tmp"));
}

TEST_CASE("bench: sink-only refuses a bad listen address and non-positive times") {
  std::ostringstream out;
  std::ostringstream err;
  SinkOnlyOptions o;
  o.listen = "nowhere";
  CHECK(run_sink_only(o, out, err) == kBenchUsage);
  CHECK(err.str().find("--sink-listen") != std::string::npos);
  SinkOnlyOptions zero;
  zero.idle = 0s;
  CHECK(run_sink_only(zero, out, err) == kBenchUsage);
  CHECK(out.str().empty());
}

}  // namespace
}  // namespace alertgate::bench
