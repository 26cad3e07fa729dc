// Rule::key: a hash of what a rule means, not of where it is written, so a reload that
// only moved lines keeps each rule's groups and dedup state (docs/policy.md, "Reload").
#include <xxhash.h>

#include <cstring>
#include <map>
#include <string>

#include "policy_parsers.hpp"

namespace alertgate {

namespace {

// Length-prefixed fields: no two different rules serialise to the same bytes.
class Canon {
 public:
  void str(std::string_view s) {
    num(static_cast<std::int64_t>(s.size()));
    out_.append(s);
  }
  void num(std::int64_t v) {
    out_.append(std::to_string(v));
    out_.push_back(';');
  }
  void tag(char t) { out_.push_back(t); }
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

// A double by its bits: equal settings give equal bytes, any change changes them.
void add_double(Canon& c, double v) {
  std::uint64_t bits = 0;
  static_assert(sizeof bits == sizeof v);
  std::memcpy(&bits, &v, sizeof bits);
  c.num(static_cast<std::int64_t>(bits));
}

void add_destination(Canon& c, const Destination& d) {
  c.tag('D');
  c.num(static_cast<std::int64_t>(d.type));
  for (const std::string* field :
       {&d.url, &d.webhook, &d.service_key, &d.routing_key, &d.api_key, &d.bot_token, &d.chat_id,
        &d.api_url, &d.address, &d.topic, &d.path, &d.name, &d.title.source(), &d.text.source(),
        &d.secret}) {
    c.str(*field);
  }
  c.num(d.send_resolved ? 1 : 0);
  c.num(static_cast<std::int64_t>(d.max_alerts));
  c.num(d.disable_notification ? 1 : 0);
  const Destination::Delivery& v = d.delivery;
  c.tag('d');
  c.num(v.connect_timeout.count());
  c.num(v.timeout.count());
  c.num(v.retry_base.count());
  c.num(v.retry_cap.count());
  c.num(v.max_attempts);
  add_double(c, v.rate);
  add_double(c, v.burst);
  c.num(v.breaker_failures);
  c.num(v.breaker_cool_down.count());
  c.num(v.max_in_flight);
}

std::uint64_t hash(std::string_view bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

}  // namespace

std::uint64_t rule_fingerprint(const Rule& rule) {
  Canon c;
  c.tag('S');
  c.num(static_cast<std::int64_t>(rule.severities.size()));
  for (Severity s : rule.severities) c.num(static_cast<std::int64_t>(s));
  c.tag('M');
  c.num(static_cast<std::int64_t>(rule.match.size()));
  for (const Matcher& m : rule.match) c.str(to_string(m));
  c.tag('R');
  c.num(rule.min_rating);
  c.num(rule.max_rating);
  c.num(rule.continue_matching ? 1 : 0);
  const Grouping& g = rule.grouping;
  c.tag('G');
  c.num(g.enabled ? 1 : 0);
  c.num(g.by_all ? 1 : 0);
  c.num(static_cast<std::int64_t>(g.by.size()));
  for (const std::string& l : g.by) c.str(l);
  c.num(g.group_wait.count());
  c.num(g.group_interval.count());
  c.num(g.repeat_interval.count());
  c.tag('W');
  c.num(static_cast<std::int64_t>(rule.mute_when.size()));
  for (const TimeInterval& t : rule.mute_when) {
    c.num(t.weekdays);
    c.num(static_cast<std::int64_t>(t.times.size()));
    for (const TimeInterval::Range& r : t.times) {
      c.num(r.start_minute);
      c.num(r.end_minute);
    }
    c.str(t.location);
  }
  c.tag('T');
  c.num(static_cast<std::int64_t>(rule.destinations.size()));
  for (const Destination& d : rule.destinations) add_destination(c, d);
  c.tag('F');
  c.num(rule.fallback ? 1 : 0);
  if (rule.fallback) add_destination(c, *rule.fallback);
  return hash(c.bytes());
}

void assign_rule_keys(TenantPolicy& policy) {
  // Identical rules of one file get the occurrence number mixed in: keys stay distinct.
  std::map<std::uint64_t, std::int64_t> seen;
  auto assign = [&](Rule& rule, std::string_view kind) {
    const std::uint64_t base = rule_fingerprint(rule);
    const std::int64_t occurrence = seen[base]++;
    if (occurrence == 0 && kind.empty()) {
      rule.key = base;
      return;
    }
    Canon c;
    c.num(static_cast<std::int64_t>(base));
    c.str(kind);
    c.num(occurrence);
    rule.key = hash(c.bytes());
  };
  for (Rule& rule : policy.rules) assign(rule, "");
  if (policy.default_rule) assign(*policy.default_rule, "default");
}

}  // namespace alertgate
