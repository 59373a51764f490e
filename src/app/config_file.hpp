// Reads the configuration: defaults, then config/eventd.json, then EVENTD_* variables, then command-line flags.
#pragma once

#include "domain/config.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace eventd::app {

// A configuration that cannot be used; the message names the key.
struct config_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct launch {
  domain::config cfg;
  bool demo = false;
  bool quiet = false;  // no request log lines (benchmarks)
  bool help = false;
};

// Applies a JSON document's keys onto `cfg`; throws config_error naming the first bad key.
void apply_json(domain::config& cfg, const std::string& text, const std::string& source);
// The whole launch: argv, environment and the config file they name.
launch read_launch(int argc, char** argv);
std::string usage();

}  // namespace eventd::app
