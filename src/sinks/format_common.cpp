// Shared parts of the destination formats (format_common.hpp) and the public helpers of
// destination_format.hpp that are not one type's format.
#include "format_common.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <iterator>

#include "alertgate/json_text.hpp"

namespace alertgate {

namespace format_detail {

namespace {

// Keeps the labels of `common` that have the same value in `other`.
void intersect(LabelSet& common, const LabelSet& other) {
  std::erase_if(common, [&](const Label& l) {
    const std::string* v = find_label(other, l.name);
    return v == nullptr || *v != l.value;
  });
}

void collect(std::vector<const Alert*>& alerts, std::size_t& firing, const Notification& n,
             bool send_resolved) {
  // Firing alerts go before every resolved one of the batch.
  for (std::size_t i = 0; i < n.alerts.size(); ++i) {
    const Alert* a = &n.alerts[i];
    if (i < n.firing) {
      alerts.insert(alerts.begin() + static_cast<std::ptrdiff_t>(firing), a);
      ++firing;
    } else if (send_resolved) {
      alerts.push_back(a);
    }
  }
}

}  // namespace

void fill_template_data(std::span<const Alert* const> alerts, std::size_t firing,
                        TemplateData& data, LabelSet& common_labels, LabelSet& common_annotations) {
  data.status = firing > 0 ? "firing" : "resolved";
  data.firing = firing;
  data.resolved = alerts.size() - firing;
  common_labels.clear();
  common_annotations.clear();
  data.first = nullptr;
  if (!alerts.empty()) {
    common_labels = alerts[0]->labels;
    common_annotations = alerts[0]->annotations;
    for (std::size_t i = 1; i < alerts.size(); ++i) {
      intersect(common_labels, alerts[i]->labels);
      intersect(common_annotations, alerts[i]->annotations);
    }
    data.first = alerts[0];
    for (std::size_t i = 1; i < firing; ++i) {
      if (alerts[i]->rating > data.first->rating) data.first = alerts[i];
    }
  }
  data.common_labels = &common_labels;
  data.common_annotations = &common_annotations;
}

AlertView::AlertView(std::span<const Notification* const> batch, const Destination& d,
                     const FormatContext& ctx, std::size_t max_alerts)
    : receiver(receiver_name(d)) {
  for (const Notification* n : batch) collect(alerts, firing, *n, d.send_resolved);
  if (max_alerts != 0 && alerts.size() > max_alerts) {
    truncated = alerts.size() - max_alerts;
    alerts.resize(max_alerts);
    firing = std::min(firing, max_alerts);
  }
  fill_template_data(alerts, firing, data, common_labels, common_annotations);
  data.tenant_id = ctx.tenant_id;
  data.receiver = receiver;
  data.external_url = ctx.external_url;
}

AlertView::AlertView(const Notification& n, const Destination& d, const FormatContext& ctx)
    : AlertView(std::span<const Notification* const>(std::array<const Notification*, 1>{&n}), d,
                ctx) {}

void append_json_labels(std::string& out, const LabelSet& set) {
  out.push_back('{');
  for (std::size_t i = 0; i < set.size(); ++i) {
    if (i != 0) out.push_back(',');
    append_json_string(out, set[i].name);
    out.push_back(':');
    append_json_string(out, set[i].value);
  }
  out.push_back('}');
}

void append_json_time(std::string& out, TimePoint t) {
  out.push_back('"');
  append_rfc3339(out, t);
  out.push_back('"');
}

void append_json_field(std::string& out, std::string_view key, std::string_view value) {
  out.append(",\"");
  out.append(key);
  out.append("\":");
  append_json_string(out, value);
}

void sanitize_utf8(std::string& s) {
  std::size_t from = 0;
  while (true) {
    const std::size_t bad = first_invalid_utf8(std::string_view(s).substr(from));
    if (bad == std::string_view::npos) return;
    s.replace(from + bad, 1, "\xEF\xBF\xBD");
    from += bad + 3;
  }
}

std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool cut_utf8(std::string& s, std::size_t max_chars) {
  if (utf8_length(s) <= max_chars) return false;
  if (max_chars == 0) {
    s.clear();
    return true;
  }
  // Keep max_chars - 1 characters, then "…".
  std::size_t kept = 0;
  std::size_t i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (kept == max_chars - 1) break;
    ++kept;
  }
  s.resize(i);
  s.append("\xE2\x80\xA6");
  return true;
}

void append_markup_escaped(std::string& out, std::string_view text, bool quote) {
  for (char c : text) {
    switch (c) {
      case '&': out.append("&amp;"); break;
      case '<': out.append("&lt;"); break;
      case '>': out.append("&gt;"); break;
      case '"':
        if (quote) {
          out.append("&quot;");
        } else {
          out.push_back(c);
        }
        break;
      default: out.push_back(c);
    }
  }
}

void escape_slack(std::string& out, std::string_view value) { append_markup_escaped(out, value); }
void escape_html(std::string& out, std::string_view value) {
  append_markup_escaped(out, value, true);
}

std::string_view first_label(const AlertView& v, std::string_view name) {
  if (v.data.first == nullptr) return {};
  const std::string* s = find_label(v.data.first->labels, name);
  return s == nullptr ? std::string_view() : std::string_view(*s);
}

std::string_view first_annotation(const AlertView& v, std::string_view name) {
  if (v.data.first == nullptr) return {};
  const std::string* s = find_label(v.data.first->annotations, name);
  return s == nullptr ? std::string_view() : std::string_view(*s);
}

std::string subject_name(const AlertView& v, const Notification& n) {
  if (const std::string* s = find_label(v.common_labels, "alertname")) return *s;
  std::string out;
  for (const Label& l : n.group_labels) {
    if (!out.empty()) out.push_back(' ');
    out.append(l.value);
  }
  if (out.empty()) out = std::string(first_label(v, "alertname"));
  return out;
}

std::string default_title(const AlertView& v, const Notification& n) {
  if (v.any_firing()) return fmt::format("[FIRING:{}] {}", v.firing, subject_name(v, n));
  return "[RESOLVED] " + subject_name(v, n);
}

std::string hex16(std::uint64_t v) { return fmt::format("{:016x}", v); }

std::string delivery_key(const FormatContext& ctx, const Notification& n) {
  return std::string(ctx.tenant_id) + "-" + hex16(n.group_key);
}

std::int64_t unix_seconds(TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace format_detail

std::string receiver_name(const Destination& d) { return d.name.empty() ? describe(d) : d.name; }

bool should_send(const Notification& n, const Destination& d) {
  return n.firing > 0 || (d.send_resolved && !n.alerts.empty());
}

TemplateData template_data(const Notification& n, std::string_view tenant_id,
                           std::string_view receiver, std::string_view external_url,
                           LabelSet& common_labels_storage, LabelSet& common_annotations_storage) {
  std::vector<const Alert*> alerts;
  alerts.reserve(n.alerts.size());
  for (const Alert& a : n.alerts) alerts.push_back(&a);
  TemplateData data;
  format_detail::fill_template_data(alerts, std::min(n.firing, alerts.size()), data,
                                    common_labels_storage, common_annotations_storage);
  data.tenant_id = tenant_id;
  data.receiver = receiver;
  data.external_url = external_url;
  return data;
}

}  // namespace alertgate
