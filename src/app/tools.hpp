// The command-line tools of the eventd binary for whoever runs the server (issue 12): `eventd --version`,
// `eventd check --db PATH`, `eventd backup --db PATH --to FILE` and `eventd user list|add|passwd`. No server is
// started.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace eventd::app {

// When argv names a tool, runs it and returns the process's exit code (0 done, 1 a check failed or the work could
// not be done, 2 wrong usage); nullopt when argv is the server's.
std::optional<int> run_tool(const std::vector<std::string>& args);

}  // namespace eventd::app
