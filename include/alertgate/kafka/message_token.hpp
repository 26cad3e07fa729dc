// MessageToken: names one consumed Kafka message to the Consumer that handed it out, so the
// app can say when every delivery of it is final (Consumer::done). A plain copyable value;
// meaningful only to the Consumer (and its OffsetTracker) that issued it.
#pragma once

#include <cstdint>

namespace alertgate::kafka {

struct MessageToken {
  std::uint32_t slot = 0;   // the partition's slot in the tracker
  std::uint32_t epoch = 0;  // which assignment of that partition (0 = no message)
  std::int64_t offset = -1;
  friend bool operator==(const MessageToken&, const MessageToken&) = default;
};

}  // namespace alertgate::kafka
