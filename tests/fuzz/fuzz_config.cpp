// The configuration file (config/eventd.json and what EVENTD_CONFIG names): only config_error may come out, and a
// configuration that is accepted must be one the server can start from (the listen port reads as a number).
#include "app/config_file.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace eventd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  domain::config cfg;
  try {
    app::apply_json(cfg, std::string(reinterpret_cast<const char*>(data), size), "fuzz.json");
  } catch (const app::config_error&) {
    return 0;
  }
  // What app::run does with the accepted value.
  const auto colon = cfg.listen.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "fuzz check failed: listen without a port was accepted\n");
    std::abort();
  }
  const int port = std::stoi(cfg.listen.substr(colon + 1));  // throws, and so fails, when not a number
  if (port < 0 || port > 65535) {
    std::fprintf(stderr, "fuzz check failed: port %d accepted\n", port);
    std::abort();
  }
  return 0;
}
