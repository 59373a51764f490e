// Request counters and latency histograms in Prometheus text format.
#pragma once

#include "store/store.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace eventd::api {

class metrics {
public:
  void observe(const std::string& method, const std::string& route, int status, double seconds);
  std::atomic<std::int64_t> open_connections{0};
  std::atomic<std::uint64_t> handler_failures{0};     // requests answered 500 because a handler threw or never answered
  std::atomic<std::uint64_t> refused_connections{0};  // connections answered 503 at a connection limit
  std::atomic<std::uint64_t> shed_connections{0};     // idle keep-alive connections closed early near the limit
  std::atomic<std::int64_t> handler_fibers{0};        // handlers running as fibers now (http::options::fibers)
  std::atomic<std::int64_t> handler_fibers_queued{0};  // requests waiting for one of them to end
  std::atomic<std::uint64_t> fiber_suspensions{0};    // times such a handler waited for the database, suspended
  std::string render(const store::write_stats&);

private:
  static constexpr double bounds_[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  struct histogram {
    std::vector<std::uint64_t> buckets = std::vector<std::uint64_t>(std::size(bounds_), 0);
    std::uint64_t count = 0;
    double sum = 0;
  };
  std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::string, histogram> latency_;
};

}  // namespace eventd::api
