// The server's configuration as plain data, with the defaults that config/eventd.json documents.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventd::domain {

struct goal_settings {
  double representation = 0.80;
  double user_organisations = 0.50;
  int meetings_per_focus_area = 2;
  int partner_search_forums = 1;
  std::string forum_deadline = "2013-12-31";
  // The programme period (YYYY-MM-DD, Stockholm days, inclusive): what the report page and the dashboard show first.
  // Unset, they show every event.
  std::optional<std::string> programme_start, programme_end;
};

struct config {
  // Server
  std::string listen = "127.0.0.1:8080";
  std::string database = "data/eventd.db";  // a SQLite file, or a postgresql:// URL
  // Where .eml files go without an SMTP server; empty: outbox/ beside the SQLite file (./outbox with PostgreSQL).
  std::string outbox_dir;
  // The erasure journal (app/erasure_journal.hpp): empty: beside the SQLite file (DATABASE.erasures), none with
  // PostgreSQL unless named here; "off": none.
  std::string erasure_journal;
  std::string web = "web";
  int threads = 0;  // 0 = number of cores
  std::uint64_t body_limit = 1024 * 1024;
  std::uint32_t header_limit = 16 * 1024;
  int header_timeout_seconds = 10;
  int idle_timeout_seconds = 60;
  int max_connections = 2048;
  int max_connections_per_address = 256;
  int shutdown_drain_seconds = 10;
  // Browser origins besides the server's own whose pages may open live connections (/ws).
  std::vector<std::string> allowed_origins;
  // Live connections (/ws): at most this many in all and from one client address; closed when nothing is heard
  // for live_idle_timeout_seconds (a ping goes out halfway).
  int live_max_connections = 10000;
  int live_max_connections_per_address = 256;
  int live_idle_timeout_seconds = 40;
  // How often a live connection's session is checked again (signed out, expired, role changed).
  int live_recheck_seconds = 30;
  // Where participants reach the pages; links in e-mails start with it.
  std::string public_url = "http://127.0.0.1:8080";
  std::string mail_from = "Networking Europe <no-reply@example.org>";
  // "outbox" writes each message as an .eml file into outbox/ beside the database; "off" sends nothing.
  std::string mail = "outbox";
  // "group" batches concurrent writes into one transaction; "per_request" commits each alone (for comparison only).
  std::string commit_mode = "group";
  int max_batch = 512;
  // PostgreSQL: writer threads, each with its own connection; a job goes to the one its event maps to, so one
  // event's writes stay in order on one connection while other events' run beside them. SQLite has one writer.
  // docs/SCALING.md: with seats decided in SQL, 1 did as well as 2 on one node and better on two (2026-12-05); with
  // the C++ way 2 did better than 4 (2026-12-04).
  int postgres_writers = 1;
  // PostgreSQL: where API handlers that read run. "fibers": as fibers on the I/O threads, suspended while they wait
  // for the database; "threads": on threads of their own, one per read connection (the comparison of the benchmark).
  std::string postgres_handlers = "fibers";
  // PostgreSQL: how a batch of public registrations is decided. "sql": by one statement sent with the COMMIT (one
  // round trip a batch; needs the sha256 ticket scheme of installations made since migration 013); "rules": read,
  // then decided by domain::decide_registration in C++ (three round trips; SQLite's way, the comparison of the bench).
  std::string postgres_seat_decisions = "sql";
  // PostgreSQL: the server's limit for one statement and for a transaction its client left idle; a connection whose
  // server stays silent this long and 5 s more is taken for lost (pg_limits).
  int postgres_statement_timeout_ms = 30000;
  // Read connections a node keeps open at most (the pool); a read that finds them all lent waits up to 2 s, then 503.
  int max_read_connections = 32;
  // Sign-in throttling: this many attempts from one client address for one account within the window earn a 429 until
  // the window ends (ten times as many from one client address over all accounts).
  int signin_max_failures = 5;
  int signin_window_seconds = 900;
  // The public form (registering, and changing or cancelling by manage token): per client address, a burst of this
  // many writes, then one more every refill interval (429 with Retry-After beyond). 0 turns the limit off.
  int public_write_burst = 20;
  int public_write_refill_seconds = 3;
  // At most this many mails per hour to one recipient from the public form; registrations beyond still succeed.
  // 0 turns the limit off.
  int mail_per_recipient_per_hour = 5;
  // The first retry of a message the mail server did not take comes after this many seconds; each further one
  // waits twice as long, up to an hour; after three days the message is marked failed.
  int mail_retry_seconds = 30;
  int mail_retry_max_seconds = 3600;  // the longest wait between two tries
  // Participants are reminded this many hours before an event starts; 0: no reminders.
  int mail_reminder_hours = 24;
  // Whether a participant who erases their data gets a notice by mail. Only with a mail server (EVENTD_SMTP_URL):
  // the .eml folder must keep nothing of an erased person. Set at start, not a config-file setting.
  bool erasure_notices = false;
  // How often the sender looks for reminders and evaluation invitations that have fallen due. Tests lower it.
  int mail_schedule_seconds = 60;
  // Reverse proxies (IPs or CIDRs) whose X-Forwarded-For is believed; empty: the socket's peer is the client.
  std::vector<std::string> trusted_proxies;
  // argon2id cost: "interactive" (default) or "moderate".
  std::string password_cost = "interactive";
  // Programme
  std::vector<std::string> home_municipalities;
  std::vector<std::string> networks;
  std::vector<std::string> focus_areas;
  std::vector<std::string> seminar_topics;
  goal_settings goals;
  int retention_days = 365;
  // The WAL is emptied (a TRUNCATE checkpoint) once it grows past this. Not a config-file setting; tests lower it.
  std::uint64_t wal_limit_bytes = 64u << 20;

  config();
};

// Compares municipality names ignoring case (Swedish letters too), hyphen versus space and surrounding blanks.
std::string normalise_place(std::string_view);

class home_region {
public:
  explicit home_region(const std::vector<std::string>& municipalities);
  bool contains(std::string_view municipality) const;

private:
  std::vector<std::string> normalised_;
};

}  // namespace eventd::domain
