#include "alertgate/rating_engine.hpp"

#include <algorithm>

namespace alertgate {

RatingEngine::RatingEngine(const RatingPolicy& policy) : policy_(policy) {}

void RatingEngine::rate(Alert& alert, AlertHistory& history, TimePoint now) const {
  const auto obs = history.record(alert.fingerprint, alert.status, now, policy_);

  // 64-bit sums: a policy with many large boosts cannot overflow before the clamp.
  std::int64_t score = policy_.severity_score[static_cast<std::size_t>(alert.severity)];

  // Boosts see the labels as received, before the flapping label is added below.
  for (const auto& boost : policy_.boosts) {
    const bool all = std::all_of(boost.match.begin(), boost.match.end(),
                                 [&](const Matcher& m) { return m.matches(alert.labels); });
    if (all) score += boost.add;
  }

  // The newest new firing in the window started this alert's episode (firing, or the
  // firing a resolve ends); only the ones before it are recurrences.
  const std::int64_t earlier = obs.firings_in_window > 0 ? obs.firings_in_window - 1 : 0;
  score += std::min<std::int64_t>(earlier * policy_.recurrence.per_repeat, policy_.recurrence.max);

  if (obs.changes_in_window > static_cast<std::uint32_t>(std::max(policy_.flapping.threshold, 0))) {
    set_label(alert.labels, "flapping", "true");
    score += policy_.flapping.boost;
  }

  alert.rating = static_cast<std::uint8_t>(std::clamp<std::int64_t>(score, 0, 100));
}

}  // namespace alertgate
