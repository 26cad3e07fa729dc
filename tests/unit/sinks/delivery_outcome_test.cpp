#include "alertgate/delivery_outcome.hpp"

#include <catch2/catch.hpp>

namespace alertgate {
namespace {
HttpResponse answer(long status, std::string body = "",
                    std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}
}  // namespace

TEST_CASE("delivery_outcome: 2xx delivered, 408/5xx/transport retry, other 4xx failed") {
  CHECK(classify_response(DestinationType::webhook, answer(200)).outcome ==
        NotifyOutcome::delivered);
  CHECK(classify_response(DestinationType::pagerduty, answer(202)).outcome ==
        NotifyOutcome::delivered);
  CHECK(classify_response(DestinationType::webhook, answer(500)).outcome == NotifyOutcome::retry);
  CHECK(classify_response(DestinationType::webhook, answer(503)).outcome == NotifyOutcome::retry);
  CHECK(classify_response(DestinationType::webhook, answer(408)).outcome == NotifyOutcome::retry);
  const auto bad = classify_response(DestinationType::slack, answer(400, "invalid_payload"));
  CHECK(bad.outcome == NotifyOutcome::failed);
  CHECK(bad.reason == "HTTP 400: invalid_payload");
  CHECK(classify_response(DestinationType::slack, answer(410)).outcome == NotifyOutcome::failed);
  HttpResponse reset;
  reset.error = "Connection reset by peer";
  const auto r = classify_response(DestinationType::webhook, reset);
  CHECK(r.outcome == NotifyOutcome::retry);
  CHECK(r.reason == "Connection reset by peer");
}

TEST_CASE("delivery_outcome: 429 waits for the service's hint") {
  using std::chrono::milliseconds;
  auto r = classify_response(DestinationType::slack, answer(429, "", {{"retry-after", "7"}}));
  CHECK(r.outcome == NotifyOutcome::retry);
  CHECK(r.retry_after == milliseconds(7000));
  r = classify_response(DestinationType::telegram,
                        answer(429, R"({"ok":false,"error_code":429,"description":"Too Many )"
                                    R"(Requests: retry after 5","parameters":{"retry_after":5}})"));
  CHECK(r.retry_after == milliseconds(5000));
  r = classify_response(DestinationType::opsgenie,
                        answer(429, "", {{"x-ratelimit-period-in-sec", "60"}}));
  CHECK(r.retry_after == milliseconds(60000));
  r = classify_response(DestinationType::webhook, answer(429));
  CHECK(r.retry_after == milliseconds(1000));  // no hint: a second
}

TEST_CASE("delivery_outcome: telegram errors in a 200 body, SMTP codes") {
  CHECK(classify_response(DestinationType::telegram, answer(200, R"({"ok":true,"result":{}})"))
            .outcome == NotifyOutcome::delivered);
  CHECK(classify_response(DestinationType::telegram,
                          answer(200, R"({"ok":false,"error_code":400,"description":"x"})"))
            .outcome == NotifyOutcome::failed);
  CHECK(classify_response(DestinationType::email, answer(250)).outcome == NotifyOutcome::delivered);
  CHECK(classify_response(DestinationType::email, answer(451)).outcome == NotifyOutcome::retry);
  CHECK(classify_response(DestinationType::email, answer(550)).outcome == NotifyOutcome::failed);
}

}  // namespace alertgate
