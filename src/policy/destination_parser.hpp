// Internal to the policy stage: parsing one `destinations[]` entry of a tenant file.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "alertgate/tenant_policy.hpp"
#include "alertgate/yaml_reader.hpp"

namespace alertgate {

// Checks the keys allowed for the destination's `type`, the required ones and their
// values; every problem goes to `reader`. nullopt when anything was wrong. `where` is the
// position used when `node` is null.
std::optional<Destination> parse_destination(YamlReader& reader, const YAML::Node& node,
                                             const YAML::Mark& where);

// The delivery and template keys (destination_options.cpp) that `type` takes; every one of
// them when `type` is unset.
std::vector<std::string_view> destination_option_keys(std::optional<DestinationType> type);

// Starts `d.delivery` from default_delivery(d.type) and reads the delivery and template
// keys of `map` that d.type takes (the caller has refused the others).
void load_destination_options(YamlReader& reader, const YamlMap& map, Destination& d);

}  // namespace alertgate
