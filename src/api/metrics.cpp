#include "api/metrics.hpp"

#include <cstdio>
#include <sstream>

namespace eventd::api {

void metrics::observe(const std::string& method, const std::string& route, int status, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{method, route, status}];
  auto& h = latency_[route];
  ++h.count;
  h.sum += seconds;
  for (std::size_t i = 0; i < std::size(bounds_); ++i)
    if (seconds <= bounds_[i]) ++h.buckets[i];
}

namespace {
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    out += c;
  }
  return out;
}
}  // namespace

std::string metrics::render(const store::write_stats& w) {
  std::ostringstream o;
  {
    std::lock_guard lock(mutex_);
    o << "# HELP eventd_http_requests_total HTTP requests answered, by route and status.\n"
         "# TYPE eventd_http_requests_total counter\n";
    for (const auto& [k, n] : requests_)
      o << "eventd_http_requests_total{method=\"" << label(std::get<0>(k)) << "\",route=\"" << label(std::get<1>(k))
        << "\",status=\"" << std::get<2>(k) << "\"} " << n << "\n";
    o << "# HELP eventd_http_request_duration_seconds Time from a request's last byte to its response, by route.\n"
         "# TYPE eventd_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : latency_) {
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < std::size(bounds_); ++i) {
        cumulative = h.buckets[i];
        o << "eventd_http_request_duration_seconds_bucket{route=\"" << label(route) << "\",le=\"" << bounds_[i] << "\"} "
          << cumulative << "\n";
      }
      o << "eventd_http_request_duration_seconds_bucket{route=\"" << label(route) << "\",le=\"+Inf\"} " << h.count << "\n";
      o << "eventd_http_request_duration_seconds_sum{route=\"" << label(route) << "\"} " << h.sum << "\n";
      o << "eventd_http_request_duration_seconds_count{route=\"" << label(route) << "\"} " << h.count << "\n";
    }
  }
  o << "# HELP eventd_open_connections HTTP connections open now.\n# TYPE eventd_open_connections gauge\n"
    << "eventd_open_connections " << open_connections.load() << "\n"
    << "# HELP eventd_handler_fibers Request handlers running now as fibers on the I/O threads (PostgreSQL).\n"
    << "# TYPE eventd_handler_fibers gauge\neventd_handler_fibers " << handler_fibers.load() << "\n"
    << "# HELP eventd_handler_fibers_queued Requests waiting for a handler's fiber to end (at most max_read_connections run).\n"
    << "# TYPE eventd_handler_fibers_queued gauge\neventd_handler_fibers_queued " << handler_fibers_queued.load() << "\n"
    << "# HELP eventd_fiber_suspensions_total Times a handler's fiber was suspended waiting for the database.\n"
    << "# TYPE eventd_fiber_suspensions_total counter\neventd_fiber_suspensions_total " << fiber_suspensions.load() << "\n"
    << "# HELP eventd_handler_failures_total Requests answered 500 because a handler failed.\n"
    << "# TYPE eventd_handler_failures_total counter\neventd_handler_failures_total " << handler_failures.load() << "\n"
    << "# TYPE eventd_refused_connections_total counter\neventd_refused_connections_total " << refused_connections.load() << "\n"
    << "# TYPE eventd_shed_connections_total counter\neventd_shed_connections_total " << shed_connections.load() << "\n";
  o << "# HELP eventd_commit_batches_total Write transactions committed by the writer.\n# TYPE eventd_commit_batches_total counter\n"
    << "eventd_commit_batches_total " << w.batches << "\n";
  o << "# HELP eventd_commit_seconds_total Time spent running and committing write batches.\n# TYPE eventd_commit_seconds_total counter\n"
    << "eventd_commit_seconds_total " << static_cast<double>(w.commit_micros_total) / 1e6 << "\n"
    << "# TYPE eventd_write_refused_total counter\neventd_write_refused_total " << w.refused << "\n"
    << "# TYPE eventd_write_failed_batches_total counter\neventd_write_failed_batches_total " << w.failed_batches << "\n"
    << "# TYPE eventd_write_queue gauge\neventd_write_queue " << w.waiting << "\n";
  o << "# HELP eventd_commit_batch_size Commands per committed batch (group commit).\n# TYPE eventd_commit_batch_size histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < w.batch_size_buckets.size(); ++i) {
    cumulative += w.batch_size_buckets[i];
    if (i < 10)
      o << "eventd_commit_batch_size_bucket{le=\"" << (1u << i) << "\"} " << cumulative << "\n";
  }
  o << "eventd_commit_batch_size_bucket{le=\"+Inf\"} " << w.batches << "\n"
    << "eventd_commit_batch_size_sum " << w.commands << "\n"
    << "eventd_commit_batch_size_count " << w.batches << "\n";
  o << "# HELP eventd_write_conflicts_total Write jobs run again because another node's transaction got in the way.\n"
    << "# TYPE eventd_write_conflicts_total counter\neventd_write_conflicts_total " << w.conflicts << "\n"
    << "# HELP eventd_db_pool_idle Read connections idle in the pool.\n# TYPE eventd_db_pool_idle gauge\n"
    << "eventd_db_pool_idle " << w.pool_idle << "\n"
    << "# HELP eventd_db_pool_open Read connections open (idle or lent), at most max_read_connections.\n"
    << "# TYPE eventd_db_pool_open gauge\neventd_db_pool_open " << w.pool_open << "\n"
    << "# TYPE eventd_db_pool_waits_total counter\neventd_db_pool_waits_total " << w.pool_waits << "\n"
    << "# HELP eventd_db_pool_timeouts_total Reads answered 503 after waiting 2 s for a connection.\n"
    << "# TYPE eventd_db_pool_timeouts_total counter\neventd_db_pool_timeouts_total " << w.pool_timeouts << "\n"
    << "# TYPE eventd_db_connections_opened_total counter\neventd_db_connections_opened_total " << w.connections_opened << "\n"
    << "# HELP eventd_db_connect_failures_total Connection attempts that found the database unreachable.\n"
    << "# TYPE eventd_db_connect_failures_total counter\neventd_db_connect_failures_total " << w.connect_failures << "\n"
    << "# HELP eventd_db_silent_connections_total Connections given up because the database sent nothing within the "
       "statement timeout and 5 s more.\n"
    << "# TYPE eventd_db_silent_connections_total counter\neventd_db_silent_connections_total " << w.silent_connections << "\n"
    << "# HELP eventd_db_pool_closed_total Pooled read connections the database had closed (a restart), dropped when next "
       "lent instead of failing a request.\n"
    << "# TYPE eventd_db_pool_closed_total counter\neventd_db_pool_closed_total " << w.pool_closed << "\n";
  if (w.shared)
    o << "# HELP eventd_write_pipeline_reruns_total Batches run again without sending writes ahead, after one of those failed.\n"
      << "# TYPE eventd_write_pipeline_reruns_total counter\neventd_write_pipeline_reruns_total " << w.pipeline_reruns << "\n"
      << "# HELP eventd_write_round_trips_total Times the writers waited for PostgreSQL's answers (divide by eventd_commit_batches_total: round trips a batch).\n"
      << "# TYPE eventd_write_round_trips_total counter\neventd_write_round_trips_total " << w.round_trips << "\n"
      << "# HELP eventd_batched_registrations_total Registrations written by their batch's one statement (decided in SQL, or in C++ from the batch's one read), counted once their transaction committed.\n"
      << "# TYPE eventd_batched_registrations_total counter\neventd_batched_registrations_total " << w.batched_registrations << "\n"
      << "# HELP eventd_db_listening Whether this node hears the other nodes' changes (PostgreSQL LISTEN).\n"
      << "# TYPE eventd_db_listening gauge\neventd_db_listening " << (w.listening ? 1 : 0) << "\n"
      << "# HELP eventd_background_turn Whether this node runs the once-only background work (mail, retention).\n"
      << "# TYPE eventd_background_turn gauge\neventd_background_turn " << (w.background_turn ? 1 : 0) << "\n";
  return o.str();
}

}  // namespace eventd::api
