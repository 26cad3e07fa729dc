// Destination formats: what one notification (or, for webhooks, a batch of notifications)
// sends to one destination, as bytes ready for the transport — the exact wire formats of
// ../shared/formats/README.md. Pure functions: any thread, no I/O, never throw; outbound
// JSON escapes control characters, quotes and invalid UTF-8 (replaced by U+FFFD).
//
// Keys are stable across retries and restarts, so a repeat collapses at the receiver:
// PagerDuty dedup_key and Opsgenie alias = "<tenant_id>-<group_key as 16 hex>".
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alertgate/dispatcher.hpp"
#include "alertgate/tenant_policy.hpp"

namespace alertgate {

struct HttpRequestSpec {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Type included
  std::string body;
};

struct MailSpec {
  std::string from;
  std::vector<std::string> to;
  std::string message;  // RFC 5322, CRLF line ends, multipart/alternative text + HTML
};

struct FormatContext {
  std::string_view tenant_id;
  std::string_view external_url;  // main config `external_url`
  std::string_view mail_from;     // main config `smtp.from`
  TimePoint now{};                // Date:, signature timestamps
};

// The receiver name a notification shows: the destination's name, else describe(d).
std::string receiver_name(const Destination& d);

// "Nothing to send": a notification with no alerts left once `d.send_resolved` is applied
// (every alert resolved and send_resolved false, or no alerts at all) yields an EMPTY spec —
// HttpRequestSpec with empty `url`, `headers` and `body`, MailSpec with empty `message`. The
// caller must not send it and counts the notification as done (not as a failure).
// should_send() answers the same question before formatting.
bool should_send(const Notification& n, const Destination& d);
inline bool has_content(const HttpRequestSpec& spec) { return !spec.body.empty(); }
inline bool has_content(const MailSpec& mail) { return !mail.message.empty(); }

// Template data of a notification (all its alerts): status, counts, the common labels and
// annotations (written to the two storages, which must outlive the result) and `first` =
// the highest-rated firing alert (the earliest of equals), else the first alert.
TemplateData template_data(const Notification& n, std::string_view tenant_id,
                           std::string_view receiver, std::string_view external_url,
                           LabelSet& common_labels_storage, LabelSet& common_annotations_storage);

// Each HTTP format writes into `spec` (cleared first, capacity kept: the delivery engine
// reuses one spec per shard, so a steady stream of requests allocates no new body buffer);
// the value-returning forms are for tests and one-offs.
//
// Alertmanager webhook v4 for one or more notifications of the same rule (alerts
// concatenated, firing first, at most d.max_alerts, the rest counted in truncatedAlerts),
// plus "tenant_id" and each alert's "rating"; with d.secret the header
// `X-Alertgate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
void format_webhook(std::span<const Notification* const> batch, const Destination& d,
                    const FormatContext& ctx, HttpRequestSpec& spec);
// Slack incoming webhook: {"text": title, "blocks": [...]} (summary, severity, rating,
// labels, generator link).
void format_slack(const Notification& n, const Destination& d, const FormatContext& ctx,
                  HttpRequestSpec& spec);
// PagerDuty Events v2: trigger while the notification has firing alerts, else resolve.
void format_pagerduty(const Notification& n, const Destination& d, const FormatContext& ctx,
                      HttpRequestSpec& spec);
// Opsgenie: create (POST <url>/v2/alerts) while firing, else close
// (POST <url>/v2/alerts/<alias>/close?identifierType=alias); priority P1..P5 from rating.
void format_opsgenie(const Notification& n, const Destination& d, const FormatContext& ctx,
                     HttpRequestSpec& spec);
// Telegram sendMessage, parse_mode HTML, text escaped and cut to 4096 characters.
void format_telegram(const Notification& n, const Destination& d, const FormatContext& ctx,
                     HttpRequestSpec& spec);

inline HttpRequestSpec format_webhook(std::span<const Notification* const> batch,
                                      const Destination& d, const FormatContext& ctx) {
  HttpRequestSpec spec;
  format_webhook(batch, d, ctx, spec);
  return spec;
}
#define ALERTGATE_FORMAT_BY_VALUE(name)                                    \
  inline HttpRequestSpec name(const Notification& n, const Destination& d, \
                              const FormatContext& ctx) {                  \
    HttpRequestSpec spec;                                                  \
    name(n, d, ctx, spec);                                                 \
    return spec;                                                           \
  }
ALERTGATE_FORMAT_BY_VALUE(format_slack)
ALERTGATE_FORMAT_BY_VALUE(format_pagerduty)
ALERTGATE_FORMAT_BY_VALUE(format_opsgenie)
ALERTGATE_FORMAT_BY_VALUE(format_telegram)
#undef ALERTGATE_FORMAT_BY_VALUE

// One mail per notification to d.address.
MailSpec format_email(const Notification& n, const Destination& d, const FormatContext& ctx);

}  // namespace alertgate
