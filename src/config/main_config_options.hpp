// The main config's option table (private to src/config): each option's key, type,
// default, bounds and description, and how its parsed value is applied. main_config.cpp
// loads by walking it; main_config_options() publishes it (docs and tests check it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "alertgate/main_config.hpp"

namespace alertgate::config_detail {

// What a parsed value is applied with; only the member of the option's type is set.
struct Value {
  std::int64_t number = 0;
  std::filesystem::path path;
  std::string text;
  std::vector<ListenAddress> listen;
  LogLevel level = LogLevel::info;
  Durability durability = Durability::wal;
  Mode mode = Mode::standalone;
  std::map<std::string, std::string, std::less<>> map;
};

struct Spec {
  MainConfigOption info;
  void (*apply)(MainConfig&, Value&);
};

// Every option, sections included, in documentation order.
std::span<const Spec> option_specs();

}  // namespace alertgate::config_detail
