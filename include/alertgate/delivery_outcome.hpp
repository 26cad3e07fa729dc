// What a destination's answer means (../shared/formats/README.md, "Retry rules every sink
// follows"): 2xx delivered; 429 retry after the service's hint (Retry-After seconds,
// Telegram parameters.retry_after, Opsgenie X-RateLimit-Period-In-Sec); 408, 5xx and
// transport errors (connect, timeout, reset) retry with backoff; any other 4xx failed
// (final: the dead-letter store). Service quirks: Slack answers 200 with body "ok"
// (anything else in a 200 is treated as delivered too, Slack's errors come with 4xx);
// Telegram reports errors in a JSON body {"ok":false,"error_code":...}; SMTP 2xx delivered,
// 4xx retry, 5xx failed. Pure function; any thread.
#pragma once

#include "alertgate/http_client.hpp"
#include "alertgate/sink.hpp"
#include "alertgate/tenant_policy.hpp"

namespace alertgate {

SinkResult classify_response(DestinationType type, const HttpResponse& response);

}  // namespace alertgate
