// Internal to the policy stage: parsing one `destinations[]` entry of a tenant file.
#pragma once

#include <optional>

#include "alertgate/tenant_policy.hpp"
#include "alertgate/yaml_reader.hpp"

namespace alertgate {

// Checks the keys allowed for the destination's `type`, the required ones and their
// values; every problem goes to `reader`. nullopt when anything was wrong. `where` is the
// position used when `node` is null.
std::optional<Destination> parse_destination(YamlReader& reader, const YAML::Node& node,
                                             const YAML::Mark& where);

}  // namespace alertgate
