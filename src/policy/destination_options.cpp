// The keys a destination takes besides its address (docs/policy.md, "Delivery settings"
// and "Templates"): which types take which key, the bounds, and the defaults per type.
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "destination_parser.hpp"
#include "policy_parsers.hpp"

namespace alertgate {

namespace {

constexpr std::int64_t kSecondMs = 1000;
constexpr std::int64_t kMinuteMs = 60 * kSecondMs;
constexpr std::int64_t kHourMs = 60 * kMinuteMs;
constexpr IntBounds kTimeoutMs{100, 5 * kMinuteMs};
constexpr IntBounds kConnectTimeoutMs{100, kMinuteMs};
constexpr IntBounds kRetryBaseMs{10, kHourMs};
constexpr IntBounds kRetryCapMs{100, 24 * kHourMs};
constexpr IntBounds kMaxAttempts{1, 1000};
constexpr double kMaxRate = 10'000;  // requests/s
constexpr IntBounds kBurst{1, 10'000};
constexpr IntBounds kBreakerFailures{1, 1000};
constexpr IntBounds kCoolDownMs{kSecondMs, kHourMs};
constexpr IntBounds kMaxInFlight{1, 256};
constexpr IntBounds kMaxAlerts{1, 100'000};
constexpr std::size_t kMinSecretBytes = 16;
constexpr std::size_t kMaxTemplateBytes = 16 * 1024;

using TypeMask = std::uint16_t;
constexpr TypeMask bit(DestinationType t) {
  return static_cast<TypeMask>(1U << static_cast<unsigned>(t));
}
constexpr TypeMask kAllButLog = bit(DestinationType::webhook) | bit(DestinationType::slack) |
                                bit(DestinationType::pagerduty) | bit(DestinationType::opsgenie) |
                                bit(DestinationType::telegram) | bit(DestinationType::email) |
                                bit(DestinationType::kafka);

struct OptionKey {
  std::string_view key;
  TypeMask types;
};
constexpr std::array<OptionKey, 12> kOptionKeys = {{
    {"timeout", kAllButLog},
    {"connect_timeout", kAllButLog},
    {"retry", kAllButLog},
    {"rate_limit", kAllButLog},
    {"breaker", kAllButLog},
    {"max_in_flight", kAllButLog},
    {"send_resolved", kAllButLog},
    {"secret", bit(DestinationType::webhook)},
    {"max_alerts", bit(DestinationType::webhook) | bit(DestinationType::kafka)},
    {"title",
     bit(DestinationType::slack) | bit(DestinationType::opsgenie) | bit(DestinationType::email)},
    {"text",
     bit(DestinationType::slack) | bit(DestinationType::telegram) | bit(DestinationType::email)},
    {"disable_notification", bit(DestinationType::telegram)},
}};

using std::chrono::milliseconds;

// The duration as written when the key was written, else as the default reads.
std::string shown_duration(const YamlMap& map, std::string_view key, milliseconds value) {
  const YamlMap::Entry* e = map.find(key);
  return e != nullptr && e->value.IsScalar() ? e->value.Scalar()
                                             : format_duration_ms(value.count());
}

// True when `key` is absent or was read without error (`read` has a value).
template <typename T>
bool absent_or_read(const YamlMap& map, std::string_view key, const std::optional<T>& read) {
  return !map.contains(key) || read.has_value();
}

void load_retry(YamlReader& reader, const YamlMap& map, Destination::Delivery& d) {
  const YamlMap::Entry* e = map.find("retry");
  if (e == nullptr) return;
  auto sub = reader.map(e->value, "\"retry\"", e->key_mark);
  if (!sub) return;
  reader.check_keys(*sub, {"base", "cap", "max_attempts"});
  const auto base = reader.get_duration_ms(*sub, "base", false, kRetryBaseMs);
  const auto cap = reader.get_duration_ms(*sub, "cap", false, kRetryCapMs);
  if (auto n = reader.get_int(*sub, "max_attempts", false, kMaxAttempts)) {
    d.max_attempts = static_cast<std::uint32_t>(*n);
  }
  if (base) d.retry_base = milliseconds(*base);
  if (cap) d.retry_cap = milliseconds(*cap);
  if (!absent_or_read(*sub, "base", base) || !absent_or_read(*sub, "cap", cap)) return;
  if (d.retry_cap >= d.retry_base) return;
  if (cap) {
    reader.error(value_mark(*sub->find("cap")),
                 "\"cap\": " + shown_duration(*sub, "cap", d.retry_cap) +
                     " is less than \"base\" " + shown_duration(*sub, "base", d.retry_base));
  } else {
    reader.error(value_mark(*sub->find("base")),
                 "\"base\": " + shown_duration(*sub, "base", d.retry_base) +
                     " is more than the default \"cap\" " +
                     format_duration_ms(d.retry_cap.count()) + " (set \"cap\" too)");
  }
}

void load_rate_limit(YamlReader& reader, const YamlMap& map, Destination::Delivery& d) {
  const YamlMap::Entry* e = map.find("rate_limit");
  if (e == nullptr) return;
  auto sub = reader.map(e->value, "\"rate_limit\"", e->key_mark);
  if (!sub) return;
  reader.check_keys(*sub, {"rate", "burst"});
  if (auto burst = reader.get_int(*sub, "burst", false, kBurst)) {
    d.burst = static_cast<double>(*burst);
  }
  const YamlMap::Entry* rate = sub->find("rate");
  if (rate == nullptr) {
    reader.error(sub->mark(), "missing required key \"rate\"");
    return;
  }
  std::optional<double> v;
  if (rate->value.IsScalar() && rate->value.Tag() == "?") {
    v = parse_plain_number(rate->value.Scalar());
  }
  if (!v) {
    const std::string got = rate->value.IsScalar() ? quote_for_message(rate->value.Scalar())
                                                   : std::string(describe_node(rate->value));
    reader.error(value_mark(*rate),
                 "\"rate\": expected a number (requests per second), got " + got);
    return;
  }
  if (!(*v > 0) || *v > kMaxRate) {
    reader.error(value_mark(*rate),
                 "\"rate\": " + rate->value.Scalar() + " is out of range (0..10000], requests/s");
    return;
  }
  d.rate = *v;
}

void load_breaker(YamlReader& reader, const YamlMap& map, Destination::Delivery& d) {
  const YamlMap::Entry* e = map.find("breaker");
  if (e == nullptr) return;
  auto sub = reader.map(e->value, "\"breaker\"", e->key_mark);
  if (!sub) return;
  reader.check_keys(*sub, {"failures", "cool_down"});
  if (auto n = reader.get_int(*sub, "failures", false, kBreakerFailures)) {
    d.breaker_failures = static_cast<std::uint32_t>(*n);
  }
  if (auto ms = reader.get_duration_ms(*sub, "cool_down", false, kCoolDownMs)) {
    d.breaker_cool_down = milliseconds(*ms);
  }
}

void load_timeouts(YamlReader& reader, const YamlMap& map, Destination::Delivery& d) {
  const auto timeout = reader.get_duration_ms(map, "timeout", false, kTimeoutMs);
  const auto connect = reader.get_duration_ms(map, "connect_timeout", false, kConnectTimeoutMs);
  if (timeout) d.timeout = milliseconds(*timeout);
  if (connect) d.connect_timeout = milliseconds(*connect);
  if (d.connect_timeout <= d.timeout) return;
  if (connect && timeout) {
    reader.error(
        value_mark(*map.find("connect_timeout")),
        "\"connect_timeout\": " + shown_duration(map, "connect_timeout", d.connect_timeout) +
            " is more than \"timeout\" " + shown_duration(map, "timeout", d.timeout));
  } else {
    // A short `timeout` alone also bounds the connect phase.
    d.connect_timeout = d.timeout;
  }
}

// `column N: ...` of a Template error → N, or 0.
std::size_t template_column(std::string_view message) {
  constexpr std::string_view kPrefix = "column ";
  if (message.substr(0, kPrefix.size()) != kPrefix) return 0;
  std::size_t n = 0;
  for (std::size_t i = kPrefix.size(); i < message.size() && message[i] >= '0' && message[i] <= '9';
       ++i) {
    n = n * 10 + static_cast<std::size_t>(message[i] - '0');
    if (n > kMaxTemplateBytes + 1) return 0;
  }
  return n;
}

void load_template(YamlReader& reader, const YamlMap& map, std::string_view key, Template& out) {
  const YamlMap::Entry* e = map.find(key);
  if (e == nullptr) return;
  auto text = reader.get_string(map, key, false);
  if (!text) return;
  const std::string context = "\"" + std::string(key) + "\": ";
  if (text->text.empty()) {
    reader.error(text->mark, context + "must not be empty (omit it for the default text)");
    return;
  }
  if (text->text.size() > kMaxTemplateBytes) {
    reader.error(text->mark,
                 context + "longer than " + std::to_string(kMaxTemplateBytes) + " bytes");
    return;
  }
  auto parsed = Template::parse(text->text);
  if (!parsed) {
    // At the template's column when the scalar maps byte for byte onto the file.
    YAML::Mark at = text->mark;
    if (const std::size_t column = template_column(parsed.error()); column > 0) {
      if (auto m = reader.mark_in_scalar(e->value, column - 1)) at = *m;
    }
    reader.error(at, context + parsed.error());
    return;
  }
  out = std::move(parsed).value();
}

void load_secret(YamlReader& reader, const YamlMap& map, std::string& out) {
  auto secret = reader.get_string(map, "secret", false);
  if (!secret) return;
  // Never echoed: only its length is shown.
  if (secret->text.size() < kMinSecretBytes) {
    reader.error(secret->mark, "\"secret\": too short (" + std::to_string(secret->text.size()) +
                                   " characters; at least " + std::to_string(kMinSecretBytes) +
                                   ")");
    return;
  }
  out = std::move(secret->text);
}

}  // namespace

Destination::Delivery default_delivery(DestinationType type) {
  Destination::Delivery d;  // the member initialisers are the common defaults
  switch (type) {
    case DestinationType::slack:
      d.rate = 1;
      d.burst = 3;
      break;
    case DestinationType::pagerduty:
      d.rate = 2;
      d.burst = 10;
      break;
    case DestinationType::telegram:
      d.rate = 1;
      d.burst = 1;
      break;
    case DestinationType::opsgenie:
      d.rate = 10;
      d.burst = 10;
      break;
    case DestinationType::webhook:
    case DestinationType::email:
    case DestinationType::kafka:
    case DestinationType::log: break;
  }
  return d;
}

std::vector<std::string_view> destination_option_keys(std::optional<DestinationType> type) {
  std::vector<std::string_view> out;
  for (const OptionKey& k : kOptionKeys) {
    if (!type || (k.types & bit(*type)) != 0) out.push_back(k.key);
  }
  return out;
}

void load_destination_options(YamlReader& reader, const YamlMap& map, Destination& d) {
  d.delivery = default_delivery(d.type);
  const TypeMask mine = bit(d.type);
  auto takes = [&](std::string_view key) {
    return std::any_of(kOptionKeys.begin(), kOptionKeys.end(),
                       [&](const OptionKey& k) { return k.key == key && (k.types & mine) != 0; });
  };
  if (takes("timeout")) {
    load_timeouts(reader, map, d.delivery);
    load_retry(reader, map, d.delivery);
    load_rate_limit(reader, map, d.delivery);
    load_breaker(reader, map, d.delivery);
    if (auto n = reader.get_int(map, "max_in_flight", false, kMaxInFlight)) {
      d.delivery.max_in_flight = static_cast<std::uint32_t>(*n);
    }
    if (auto b = reader.get_bool(map, "send_resolved", false)) d.send_resolved = *b;
  }
  if (takes("secret")) load_secret(reader, map, d.secret);
  if (takes("max_alerts")) {
    if (auto n = reader.get_int(map, "max_alerts", false, kMaxAlerts)) {
      d.max_alerts = static_cast<std::size_t>(*n);
    }
  }
  if (takes("title")) load_template(reader, map, "title", d.title);
  if (takes("text")) load_template(reader, map, "text", d.text);
  if (takes("disable_notification")) {
    if (auto b = reader.get_bool(map, "disable_notification", false)) {
      d.disable_notification = *b;
    }
  }
}

}  // namespace alertgate
