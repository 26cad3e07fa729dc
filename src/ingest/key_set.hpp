// KeySet: the keys already seen in one JSON object, to reject duplicates. Internal to ingest.
//
// Objects are small in practice (an alert has ~5 fields, ~10 labels), so a linear scan over a
// short vector beats hashing; past kLinear keys it switches to a hash set so a hostile object
// with thousands of keys stays O(n). The views point into the simdjson parser's string
// buffer, which lives as long as the document. Reused across requests: clear() keeps capacity.
#pragma once

#include <cstddef>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace alertgate::ingest {

class KeySet {
 public:
  void clear() {
    linear_.clear();
    if (!hashed_.empty()) hashed_.clear();
  }

  // Adds `key`; returns false if it was already there.
  bool insert(std::string_view key) {
    if (linear_.size() < kLinear) {
      for (std::string_view k : linear_) {
        if (k == key) return false;
      }
      linear_.push_back(key);
      return true;
    }
    if (hashed_.empty()) hashed_.insert(linear_.begin(), linear_.end());
    return hashed_.insert(key).second;
  }

 private:
  static constexpr std::size_t kLinear = 16;
  std::vector<std::string_view> linear_;
  std::unordered_set<std::string_view> hashed_;
};

}  // namespace alertgate::ingest
