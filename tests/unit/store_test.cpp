// Unit tests of the SQLite store on a temporary database file: waitlist, duplicates, walk-ins, erasure, check-in,
// group commit under concurrency, persistence across restarts and the migration guard.
#include "store/store.hpp"
#include "store/writer.hpp"

#include "domain/time.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <nlohmann/json.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <latch>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using namespace eventd;
using domain::registration_status;
using store::checkin_result;

// Turns the store's callback API into a blocking call. The promise is shared so that the writer thread never touches
// a promise that the test thread has already destroyed.
template <class T, class Start>
store::outcome<T> wait_for(Start&& start) {
  auto promise = std::make_shared<std::promise<store::outcome<T>>>();
  auto future = promise->get_future();
  start([promise](store::outcome<T> o) { promise->set_value(std::move(o)); });
  return future.get();
}


// What a client would see: the result, which registration, and whether the ticket belongs to another event.
store::scan_answer render(const store::checkin_outcome& o) {
  std::string body = store::result_text(o.result);
  if (o.registration) body += " reg=" + std::to_string(o.registration->id);
  if (o.other_event_id) body += " other=" + std::to_string(*o.other_event_id);
  return {o.result == checkin_result::checked_in ? 200 : 409, body};
}

std::string expected_body(checkin_result r, domain::id_t registration_id) {
  return std::string(store::result_text(r)) + " reg=" + std::to_string(registration_id);
}

domain::person_fields person(const std::string& email, const std::string& municipality = "Stockholm",
                             const std::string& organisation_type = "public", const std::string& gender = "woman") {
  domain::person_fields p;
  p.name = "Person " + email;
  p.email = email;
  p.organisation = "Organisation of " + email;
  p.organisation_type = organisation_type;
  p.municipality = municipality;
  p.gender = gender;
  return p;
}

class store_test : public ::testing::Test {
protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = ::testing::TempDir() + "eventd_store_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
            info->name() + ".db";
    remove_files();
    cfg_.database = path_;
    open();
  }

  void TearDown() override {
    store_.reset();
    remove_files();
  }

  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::error_code ec;
      std::filesystem::remove(path_ + suffix, ec);
    }
  }

  void open() { store_ = store::make_sqlite_store(cfg_); }

  domain::event make_event(std::optional<std::int64_t> capacity, domain::event_status status = domain::event_status::published) {
    domain::event e;
    e.kind = "seminar";
    e.title = "Running ESF projects across borders";
    e.topic = "running_esf_across_borders";
    e.starts_at = domain::now() + 7 * 86400;
    e.ends_at = e.starts_at + 3 * 3600;
    e.capacity = capacity;
    e.status = status;
    return e;
  }

  domain::event create(domain::event e) {
    auto r = wait_for<domain::event>([&](auto cb) { store_->create_event(std::move(e), cb); });
    EXPECT_TRUE(r.ok()) << r.error().detail;
    return r.value();
  }

  domain::event create_event(std::optional<std::int64_t> capacity,
                             domain::event_status status = domain::event_status::published) {
    return create(make_event(capacity, status));
  }

  store::outcome<store::created_registration> try_register(domain::id_t event_id, domain::person_fields p,
                                                           bool walk_in = false) {
    return wait_for<store::created_registration>(
        [&](auto cb) { store_->register_person(event_id, std::move(p), walk_in, cb); });
  }

  store::created_registration register_ok(domain::id_t event_id, const std::string& email, bool walk_in = false) {
    auto r = try_register(event_id, person(email), walk_in);
    if (!r.ok()) ADD_FAILURE() << "registration of " << email << " failed: " << r.error().detail;
    return r.value();
  }

  domain::registration reload(const store::created_registration& c) {
    auto r = store_->find_by_manage_token(c.manage_token);
    EXPECT_TRUE(r.has_value());
    return *r;
  }

  domain::event event_now(domain::id_t id) {
    auto e = store_->get_event(id);
    EXPECT_TRUE(e.has_value());
    return *e;
  }

  // Sets every field of the stored event to `e`'s (no If-Match).
  store::outcome<domain::event> update(const domain::event& e) {
    return wait_for<domain::event>(
        [&](auto cb) { store_->update_event(e.id, domain::event_patch::replacing(e), std::nullopt, cb); });
  }

  store::outcome<domain::registration> cancel(domain::id_t event_id, domain::id_t registration_id) {
    return wait_for<domain::registration>(
        [&](auto cb) { store_->cancel_registration(event_id, registration_id, cb); });
  }

  store::scan_answer check_in(store::checkin_command cmd) {
    auto r = wait_for<store::scan_answer>([&](auto cb) { store_->check_in(std::move(cmd), render, cb); });
    EXPECT_TRUE(r.ok()) << r.error().detail;
    return r.value();
  }

  static store::checkin_command by_ticket(domain::id_t event_id, const std::string& code) {
    store::checkin_command cmd;
    cmd.event_id = event_id;
    cmd.ticket_code = code;
    cmd.device = "door-1";
    return cmd;
  }

  std::string path_;
  domain::config cfg_;
  std::unique_ptr<store::store> store_;
};

// ---------------------------------------------------------------- waitlist

TEST_F(store_test, confirms_up_to_capacity_then_waitlists_in_arrival_order) {
  const auto e = create_event(3);
  std::vector<store::created_registration> regs;
  for (int i = 0; i < 5; ++i) regs.push_back(register_ok(e.id, "p" + std::to_string(i) + "@example.se"));

  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(regs[i].registration.status, registration_status::confirmed) << i;
    EXPECT_FALSE(regs[i].registration.waitlist_position) << i;
  }
  EXPECT_EQ(regs[3].registration.status, registration_status::waitlisted);
  EXPECT_EQ(regs[3].registration.waitlist_position, 1);
  EXPECT_EQ(regs[4].registration.status, registration_status::waitlisted);
  EXPECT_EQ(regs[4].registration.waitlist_position, 2);

  const auto now = event_now(e.id);
  EXPECT_EQ(now.counts.confirmed, 3);
  EXPECT_EQ(now.counts.waitlisted, 2);
  EXPECT_EQ(now.counts.available(), 0);
  // Every registration has its own ticket code and manage link.
  EXPECT_NE(regs[0].registration.ticket_code, regs[1].registration.ticket_code);
  for (const auto& r : regs) {
    // Typed at doors and read aloud: exactly 8 symbols of the unambiguous alphabet.
    EXPECT_EQ(r.registration.ticket_code.size(), domain::ticket_length);
    EXPECT_EQ(r.registration.ticket_code.find_first_not_of(domain::ticket_alphabet), std::string::npos)
        << r.registration.ticket_code;
  }
  EXPECT_NE(regs[0].manage_token, regs[1].manage_token);
}

// The live goals take a check-in's attendance from the writer's change instead of reading it back: it must be
// exactly what the store reads back (person, gender, organisation type, home region, time), for a scan and a walk-in.
TEST_F(store_test, a_check_in_reports_the_attendance_the_store_reads_back) {
  std::vector<store::change> seen;
  std::mutex m;
  store_->on_commit([&](const std::vector<store::change>& changes) {
    std::lock_guard lock(m);
    seen.insert(seen.end(), changes.begin(), changes.end());
  });
  const auto e = create_event(10);
  auto p = person("ada.attends@example.org", "Botkyrka", "user_organisation", "woman");
  const auto a = try_register(e.id, p).value();
  const auto scanned = check_in(by_ticket(e.id, a.registration.ticket_code));
  ASSERT_EQ(scanned.body.rfind("checked_in", 0), 0u) << scanned.body;
  auto w = person("walk.in@example.org", "Uppsala", "public", "man");
  const auto walk = try_register(e.id, w, true).value();
  store_->on_commit(nullptr);
  std::lock_guard lock(m);
  const auto same = [&](const domain::goal_attendance& got, domain::id_t registration_id) {
    const auto want = store_->goal_attendance_of(registration_id);
    ASSERT_TRUE(want.has_value());
    EXPECT_EQ(got.event_id, want->event_id);
    EXPECT_EQ(got.person_id, want->person_id);
    EXPECT_GT(got.person_id, 0);
    EXPECT_EQ(got.gender, want->gender);
    EXPECT_EQ(got.organisation_type, want->organisation_type);
    EXPECT_EQ(got.home_region, want->home_region);
    EXPECT_EQ(got.registration_id, want->registration_id);
    EXPECT_EQ(got.attended_at, want->attended_at);
  };
  const auto c = std::find_if(seen.begin(), seen.end(), [](const store::change& x) { return x.what == store::change::kind::checked_in; });
  ASSERT_NE(c, seen.end());
  ASSERT_TRUE(c->attendance.has_value());
  same(*c->attendance, a.registration.id);
  const auto r = std::find_if(seen.begin(), seen.end(), [&](const store::change& x) {
    return x.what == store::change::kind::registered && x.registration_id == walk.registration.id;
  });
  ASSERT_NE(r, seen.end());
  ASSERT_TRUE(r->created && r->created->registration.checked_in_at);
  const auto& reg = r->created->registration;
  same(domain::goal_attendance{reg.event_id, reg.person_id, reg.person.gender, reg.person.organisation_type, reg.home_region,
                               reg.id, *reg.checked_in_at},
       walk.registration.id);
}

TEST_F(store_test, cancelling_a_confirmed_registration_promotes_the_first_waitlisted) {
  const auto e = create_event(3);
  std::vector<store::created_registration> regs;
  for (int i = 0; i < 6; ++i) regs.push_back(register_ok(e.id, "p" + std::to_string(i) + "@example.se"));

  auto cancelled = cancel(e.id, regs[1].registration.id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.error().detail;
  EXPECT_EQ(cancelled.value().status, registration_status::cancelled);

  EXPECT_EQ(reload(regs[3]).status, registration_status::confirmed);
  EXPECT_FALSE(reload(regs[3]).waitlist_position);
  EXPECT_EQ(reload(regs[4]).status, registration_status::waitlisted);
  EXPECT_EQ(reload(regs[4]).waitlist_position, 1);
  EXPECT_EQ(reload(regs[5]).waitlist_position, 2);

  const auto listed = store_->list_registrations(e.id, "", registration_status::waitlisted);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, regs[4].registration.id);
  EXPECT_EQ(listed[0].waitlist_position, 1);
  EXPECT_EQ(listed[1].id, regs[5].registration.id);
  EXPECT_EQ(listed[1].waitlist_position, 2);

  // The participant's own link promotes just the same.
  auto by_token = wait_for<domain::registration>([&](auto cb) { store_->cancel_by_token(regs[0].manage_token, cb); });
  ASSERT_TRUE(by_token.ok()) << by_token.error().detail;
  EXPECT_EQ(reload(regs[4]).status, registration_status::confirmed);
  EXPECT_EQ(reload(regs[5]).waitlist_position, 1);

  const auto now = event_now(e.id);
  EXPECT_EQ(now.counts.confirmed, 3);
  EXPECT_EQ(now.counts.waitlisted, 1);

  // Cancelling twice is a conflict and changes nothing.
  auto again = cancel(e.id, regs[1].registration.id);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, store::errc::conflict);
  EXPECT_EQ(event_now(e.id).counts.confirmed, 3);
}

TEST_F(store_test, cancelling_a_waitlisted_registration_moves_the_rest_up_without_promoting) {
  const auto e = create_event(1);
  const auto a = register_ok(e.id, "a@example.se");
  const auto b = register_ok(e.id, "b@example.se");
  const auto c = register_ok(e.id, "c@example.se");
  ASSERT_TRUE(cancel(e.id, b.registration.id).ok());
  EXPECT_EQ(reload(a).status, registration_status::confirmed);
  EXPECT_EQ(reload(c).status, registration_status::waitlisted);
  EXPECT_EQ(reload(c).waitlist_position, 1);
  EXPECT_EQ(event_now(e.id).counts.confirmed, 1);
}

// ---------------------------------------------------------------- who may register

TEST_F(store_test, the_same_email_differing_in_case_and_blanks_is_a_duplicate) {
  const auto e = create_event(10);
  register_ok(e.id, "anna.svensson@example.se");
  auto dup = try_register(e.id, person("  Anna.Svensson@EXAMPLE.se \t"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, store::errc::conflict);
  EXPECT_EQ(dup.error().facts.at("reason"), "duplicate");
  EXPECT_EQ(event_now(e.id).counts.confirmed, 1);
  EXPECT_EQ(store_->list_registrations(e.id, "", std::nullopt).size(), 1u);
}

TEST_F(store_test, the_same_email_may_register_again_after_cancelling) {
  const auto e = create_event(10);
  const auto first = register_ok(e.id, "anna@example.se");
  ASSERT_TRUE(wait_for<domain::registration>([&](auto cb) { store_->cancel_by_token(first.manage_token, cb); }).ok());
  auto again = try_register(e.id, person("ANNA@example.se"));
  ASSERT_TRUE(again.ok()) << again.error().detail;
  EXPECT_EQ(again.value().registration.status, registration_status::confirmed);
  EXPECT_NE(again.value().registration.id, first.registration.id);
  EXPECT_EQ(event_now(e.id).counts.confirmed, 1);
  // A second active one is refused again.
  EXPECT_FALSE(try_register(e.id, person("anna@example.se")).ok());
}

TEST_F(store_test, the_same_email_may_register_for_different_events) {
  const auto e1 = create_event(10);
  const auto e2 = create_event(10);
  register_ok(e1.id, "anna@example.se");
  auto other = try_register(e2.id, person("anna@example.se"));
  EXPECT_TRUE(other.ok());
}

TEST_F(store_test, a_draft_event_refuses_registration) {
  const auto e = create_event(10, domain::event_status::draft);
  auto r = try_register(e.id, person("anna@example.se"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, store::errc::conflict);
  EXPECT_EQ(r.error().facts.at("reason"), "unpublished");
  EXPECT_TRUE(store_->list_registrations(e.id, "", std::nullopt).empty());
}

TEST_F(store_test, a_cancelled_event_refuses_registration_and_walk_ins) {
  const auto e = create_event(10);
  auto cancelled = wait_for<domain::event>([&](auto cb) { store_->cancel_event(e.id, cb); });
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled.value().status, domain::event_status::cancelled);
  for (bool walk_in : {false, true}) {
    auto r = try_register(e.id, person("anna@example.se"), walk_in);
    ASSERT_FALSE(r.ok()) << "walk_in=" << walk_in;
    EXPECT_EQ(r.error().code, store::errc::conflict);
    EXPECT_EQ(r.error().facts.at("reason"), "cancelled");
  }
  EXPECT_TRUE(store_->list_registrations(e.id, "", std::nullopt).empty());
}

TEST_F(store_test, registration_closes_at_the_configured_time) {
  auto e = make_event(10);
  e.registration_closes_at = domain::now() - 60;  // the event is next week, but registration closed a minute ago
  const auto created = create(e);
  auto r = try_register(created.id, person("anna@example.se"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, store::errc::conflict);
  EXPECT_EQ(r.error().facts.at("reason"), "closed");
  EXPECT_TRUE(store_->list_registrations(created.id, "", std::nullopt).empty());
}

TEST_F(store_test, registration_closes_at_the_start_by_default) {
  auto e = make_event(10);
  e.starts_at = domain::now() - 3600;  // started an hour ago
  e.ends_at = domain::now() + 3600;
  const auto created = create(e);
  auto r = try_register(created.id, person("anna@example.se"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().facts.at("reason"), "closed");
}

TEST_F(store_test, an_unknown_event_is_not_found) {
  auto r = try_register(4242, person("anna@example.se"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, store::errc::not_found);
}

// ---------------------------------------------------------------- walk-ins and capacity

TEST_F(store_test, walk_ins_beyond_capacity_are_confirmed_and_checked_in) {
  const auto e = create_event(1);
  register_ok(e.id, "booked@example.se");
  const auto walk_in = register_ok(e.id, "walkin@example.se", /*walk_in=*/true);
  EXPECT_EQ(walk_in.registration.status, registration_status::confirmed);
  EXPECT_TRUE(walk_in.registration.walk_in);
  EXPECT_TRUE(walk_in.registration.checked_in_at.has_value());

  auto now = event_now(e.id);
  EXPECT_EQ(now.counts.confirmed, 2);
  EXPECT_EQ(now.counts.walk_ins, 1);
  EXPECT_EQ(now.counts.checked_in, 1);
  EXPECT_EQ(now.counts.available(), 0);

  register_ok(e.id, "second.walkin@example.se", true);
  now = event_now(e.id);
  EXPECT_EQ(now.counts.confirmed, 3);
  EXPECT_EQ(now.counts.walk_ins, 2);
  EXPECT_EQ(now.counts.checked_in, 2);
  EXPECT_EQ(now.counts.available(), 0);  // never negative

  // An online registration now waits: the room is over-full.
  const auto late = register_ok(e.id, "late@example.se");
  EXPECT_EQ(late.registration.status, registration_status::waitlisted);
  EXPECT_EQ(late.registration.waitlist_position, 1);

  // The listing of all events shows the same counts.
  const auto listed = store_->list_events({});
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].counts.walk_ins, 2);
  EXPECT_EQ(listed[0].counts.checked_in, 2);
  EXPECT_EQ(listed[0].counts.available(), 0);
}

TEST_F(store_test, walk_ins_are_registered_after_online_registration_has_closed) {
  auto e = make_event(5);
  e.starts_at = domain::now() - 1800;  // the seminar began half an hour ago
  e.ends_at = domain::now() + 3600;
  const auto created = create(e);
  auto online = try_register(created.id, person("online@example.se"));
  ASSERT_FALSE(online.ok());
  EXPECT_EQ(online.error().facts.at("reason"), "closed");
  auto at_the_door = try_register(created.id, person("door@example.se"), /*walk_in=*/true);
  ASSERT_TRUE(at_the_door.ok()) << at_the_door.error().detail;
  EXPECT_EQ(at_the_door.value().registration.status, registration_status::confirmed);
  EXPECT_TRUE(at_the_door.value().registration.checked_in_at);
  EXPECT_EQ(event_now(created.id).counts.walk_ins, 1);
  EXPECT_EQ(event_now(created.id).counts.checked_in, 1);
}

TEST_F(store_test, cancelling_a_walk_in_takes_it_out_of_the_counts) {
  const auto e = create_event(10);
  const auto walk_in = register_ok(e.id, "walkin@example.se", true);
  ASSERT_EQ(event_now(e.id).counts.walk_ins, 1);
  ASSERT_TRUE(cancel(e.id, walk_in.registration.id).ok());
  const auto now = event_now(e.id);
  EXPECT_EQ(now.counts.walk_ins, 0);
  EXPECT_EQ(now.counts.confirmed, 0);
  EXPECT_EQ(now.counts.available(), 10);
}

TEST_F(store_test, raising_capacity_promotes_waitlisted_registrations) {
  auto e = create_event(1);
  const auto a = register_ok(e.id, "a@example.se");
  const auto b = register_ok(e.id, "b@example.se");
  const auto c = register_ok(e.id, "c@example.se");
  const auto d = register_ok(e.id, "d@example.se");
  ASSERT_EQ(reload(d).waitlist_position, 3);

  e.capacity = 2;
  auto updated = update(e);
  ASSERT_TRUE(updated.ok()) << updated.error().detail;
  EXPECT_EQ(updated.value().counts.confirmed, 2);
  EXPECT_EQ(updated.value().counts.waitlisted, 2);
  EXPECT_EQ(reload(b).status, registration_status::confirmed);
  EXPECT_EQ(reload(c).waitlist_position, 1);
  EXPECT_EQ(reload(d).waitlist_position, 2);

  // Unlimited capacity confirms everybody waiting.
  e.capacity.reset();
  updated = update(e);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated.value().counts.confirmed, 4);
  EXPECT_EQ(updated.value().counts.waitlisted, 0);
  EXPECT_EQ(reload(d).status, registration_status::confirmed);
  EXPECT_EQ(reload(a).status, registration_status::confirmed);
}

TEST_F(store_test, an_edit_based_on_a_read_before_the_cancellation_leaves_the_event_cancelled) {
  const auto e = create_event(10);
  auto read_earlier = event_now(e.id);  // an organiser's form, still showing "published"
  ASSERT_TRUE(wait_for<domain::event>([&](auto cb) { store_->cancel_event(e.id, cb); }).ok());
  read_earlier.title = "Renamed";
  const auto r = update(read_earlier);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, store::errc::conflict);
  EXPECT_EQ(event_now(e.id).status, domain::event_status::cancelled);
  EXPECT_EQ(event_now(e.id).title, e.title);
}

TEST_F(store_test, an_edit_naming_an_older_version_is_refused_and_writes_nothing) {
  const auto e = create_event(10);
  domain::event_patch rename;
  rename.title = "First change";
  auto first = wait_for<domain::event>([&](auto cb) { store_->update_event(e.id, rename, std::vector<std::int64_t>{e.version}, cb); });
  ASSERT_TRUE(first.ok()) << first.error().detail;
  EXPECT_EQ(first.value().version, e.version + 1);
  rename.title = "Second change, from the old read";
  auto second = wait_for<domain::event>([&](auto cb) { store_->update_event(e.id, rename, std::vector<std::int64_t>{e.version}, cb); });
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, store::errc::precondition_failed);
  EXPECT_EQ(event_now(e.id).title, "First change");
  EXPECT_EQ(event_now(e.id).version, e.version + 1);
}

TEST_F(store_test, capacity_cannot_be_lowered_below_the_confirmed_count) {
  auto e = create_event(5);
  for (const char* who : {"a@example.se", "b@example.se", "c@example.se"}) register_ok(e.id, who);
  e.capacity = 2;
  const auto r = update(e);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, store::errc::conflict);
  EXPECT_EQ(r.error().figures.at("confirmed"), 3);
  EXPECT_EQ(event_now(e.id).capacity, 5);
}

TEST_F(store_test, a_cancellation_after_the_start_promotes_nobody) {
  auto e = make_event(1);
  e.starts_at = domain::now() - 3600;
  e.ends_at = domain::now() + 3600;
  e.registration_closes_at = domain::now() + 1800;
  e = create(e);
  const auto a = register_ok(e.id, "a@example.se");
  const auto b = register_ok(e.id, "b@example.se");
  ASSERT_EQ(reload(b).status, registration_status::waitlisted);
  ASSERT_TRUE(cancel(e.id, a.registration.id).ok());
  EXPECT_EQ(reload(b).status, registration_status::waitlisted);
  EXPECT_EQ(event_now(e.id).counts.confirmed, 0);
  // A newcomer does not pass the one waiting.
  const auto c = register_ok(e.id, "c@example.se");
  EXPECT_EQ(reload(c).status, registration_status::waitlisted);
}

TEST_F(store_test, a_forced_check_in_of_a_cancelled_registration_confirms_it) {
  const auto e = create_event(10);
  const auto a = register_ok(e.id, "a@example.se");
  ASSERT_TRUE(cancel(e.id, a.registration.id).ok());
  auto cmd = by_ticket(e.id, a.registration.ticket_code);
  cmd.force = true;
  EXPECT_EQ(check_in(cmd).body, expected_body(checkin_result::checked_in, a.registration.id));
  const auto now = reload(a);
  EXPECT_EQ(now.status, registration_status::confirmed);
  EXPECT_FALSE(now.cancelled_at);
  EXPECT_EQ(event_now(e.id).counts.confirmed, 1);
  EXPECT_EQ(event_now(e.id).counts.checked_in, 1);

  // Not beside another active registration of the same person: that one is to be checked in.
  const auto b = register_ok(e.id, "b@example.se");
  ASSERT_TRUE(cancel(e.id, b.registration.id).ok());
  const auto b2 = register_ok(e.id, "b@example.se");
  auto again = by_ticket(e.id, b.registration.ticket_code);
  again.force = true;
  EXPECT_EQ(check_in(again).body, expected_body(checkin_result::not_admissible, b.registration.id));
  EXPECT_EQ(reload(b).status, registration_status::cancelled);
  EXPECT_EQ(reload(b2).status, registration_status::confirmed);
}

TEST_F(store_test, the_database_refuses_more_seats_by_rule_than_the_capacity_and_lets_the_door_go_beyond) {
  const auto e = create_event(2);
  register_ok(e.id, "a@example.se");
  const auto b = register_ok(e.id, "b@example.se");
  ASSERT_TRUE(register_ok(e.id, "walkin@example.se", /*walk_in=*/true).registration.walk_in);
  const auto w = register_ok(e.id, "w@example.se");
  ASSERT_EQ(w.registration.status, registration_status::waitlisted);
  {
    // What the rules never do, done behind the store's back: the database refuses it (schema 014).
    SQLite::Database db(path_, SQLite::OPEN_READWRITE);
    db.setBusyTimeout(5000);
    const auto promote = "UPDATE registrations SET status = 'confirmed' WHERE id = " + std::to_string(w.registration.id);
    EXPECT_THROW(db.exec(promote), SQLite::Exception);
    EXPECT_THROW(db.exec("UPDATE events SET capacity = 1 WHERE id = " + std::to_string(e.id)), SQLite::Exception);
  }
  EXPECT_EQ(reload(w).status, registration_status::waitlisted);
  // Admitted by force at the door: beyond capacity, as a walk-in.
  auto cmd = by_ticket(e.id, w.registration.ticket_code);
  cmd.force = true;
  EXPECT_EQ(check_in(cmd).body, expected_body(checkin_result::checked_in, w.registration.id));
  EXPECT_EQ(event_now(e.id).counts.confirmed, 4);
  // A seat by rule cancelled: the door's two seats keep the room full, so nobody else gets one by rule.
  ASSERT_TRUE(cancel(e.id, b.registration.id).ok());
  EXPECT_EQ(event_now(e.id).counts.confirmed, 3);
  EXPECT_EQ(register_ok(e.id, "late@example.se").registration.status, registration_status::waitlisted);
  SQLite::Database db(path_, SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT door_seat_count FROM events WHERE id = " + std::to_string(e.id)).getInt64(), 2);
}

TEST_F(store_test, a_scan_id_reused_for_another_ticket_or_event_is_refused) {
  const auto e = create_event(10);
  const auto other = create_event(10);
  const auto a = register_ok(e.id, "a@example.se");
  const auto b = register_ok(other.id, "b@example.se");
  auto first = by_ticket(e.id, a.registration.ticket_code);
  first.scan_id = "door-9-0001";
  const auto answer = check_in(first);
  auto reused = by_ticket(other.id, b.registration.ticket_code);
  reused.scan_id = "door-9-0001";
  EXPECT_EQ(check_in(reused).body, "scan_id_reused");
  EXPECT_FALSE(reload(b).checked_in_at);
  EXPECT_EQ(event_now(other.id).counts.checked_in, 0);
  // The same scan, even by registration id, still answers its first answer.
  auto by_id = first;
  by_id.ticket_code.reset();
  by_id.registration_id = a.registration.id;
  EXPECT_EQ(check_in(by_id).body, answer.body);
}

// ---------------------------------------------------------------- erasure

TEST_F(store_test, erasure_clears_personal_data_but_keeps_the_goal_facts) {
  const auto e = create_event(10);
  const auto anna = register_ok(e.id, "anna@example.se");
  const auto bo = register_ok(e.id, "bo@example.se");
  ASSERT_EQ(check_in(by_ticket(e.id, anna.registration.ticket_code)).body,
            expected_body(checkin_result::checked_in, anna.registration.id));
  ASSERT_EQ(check_in(by_ticket(e.id, bo.registration.ticket_code)).status, 200);

  const auto before = store_->goal_facts_now();
  ASSERT_EQ(before.attendances.size(), 2u);

  auto erased = wait_for<domain::registration>([&](auto cb) { store_->erase_by_token(anna.manage_token, cb); });
  ASSERT_TRUE(erased.ok()) << erased.error().detail;
  EXPECT_TRUE(erased.value().erased);
  EXPECT_EQ(erased.value().person.name, "");
  EXPECT_EQ(erased.value().person.email, "");
  EXPECT_EQ(erased.value().person.organisation, "");
  EXPECT_FALSE(erased.value().person.municipality);

  // Nothing of Anna is found any more by name or address.
  EXPECT_TRUE(store_->list_registrations(e.id, "anna", std::nullopt).empty());
  const auto stored = reload(anna);
  EXPECT_TRUE(stored.erased);
  EXPECT_EQ(stored.person.email, "");

  // The statistics do not change: same attendances, same persons, same anonymous facts.
  const auto after = store_->goal_facts_now();
  ASSERT_EQ(after.attendances.size(), before.attendances.size());
  for (std::size_t i = 0; i < after.attendances.size(); ++i) {
    EXPECT_EQ(after.attendances[i].event_id, before.attendances[i].event_id);
    EXPECT_EQ(after.attendances[i].person_id, before.attendances[i].person_id);
    EXPECT_EQ(after.attendances[i].gender, before.attendances[i].gender);
    EXPECT_EQ(after.attendances[i].organisation_type, before.attendances[i].organisation_type);
    EXPECT_EQ(after.attendances[i].home_region, before.attendances[i].home_region);
  }
  const auto g_before = domain::compute_goals(before.events, before.attendances, before.support, cfg_, domain::now() + 30 * 86400);
  const auto g_after = domain::compute_goals(after.events, after.attendances, after.support, cfg_, domain::now() + 30 * 86400);
  EXPECT_EQ(g_after.unique_persons, 2);
  EXPECT_EQ(g_after.unique_persons, g_before.unique_persons);
  EXPECT_EQ(g_after.home_region, g_before.home_region);
  EXPECT_EQ(g_after.by_gender, g_before.by_gender);
  EXPECT_EQ(event_now(e.id).counts.checked_in, 2);
}

// Every field domain::erased_fields names is blank in the row itself; the anonymous facts are as they were.
TEST_F(store_test, erasure_blanks_each_personal_column_of_the_row) {
  const auto e = create_event(10);
  auto p = person("anna@example.se");
  p.country = "Sverige";
  p.accessibility_needs = {"hearing_loop"};
  p.accessibility_note = "front row";
  p.dietary = "vegan";
  const auto made = wait_for<store::created_registration>([&](auto cb) {
    store_->register_person(e.id, p, false, cb, std::nullopt, 0, "203.0.113.0/24");
  });
  ASSERT_TRUE(made.ok()) << made.error().detail;
  ASSERT_TRUE(wait_for<domain::registration>([&](auto cb) { store_->erase_by_token(made.value().manage_token, cb); }).ok());

  SQLite::Database db(path_, SQLite::OPEN_READONLY);
  SQLite::Statement q(db,
                      "SELECT name IS NULL, email IS NULL, organisation IS NULL, municipality IS NULL, country IS NULL, "
                      "accessibility_needs = '', accessibility_note IS NULL, dietary IS NULL, client_network IS NULL, "
                      "erased, organisation_type, gender, home_region, language FROM registrations WHERE id = ?");
  q.bind(1, made.value().registration.id);
  ASSERT_TRUE(q.executeStep());
  for (int blank = 0; blank < 10; ++blank) EXPECT_EQ(q.getColumn(blank).getInt(), 1) << q.getColumnName(blank);
  EXPECT_EQ(q.getColumn(10).getString(), p.organisation_type);
  EXPECT_EQ(q.getColumn(11).getString(), p.gender);
  EXPECT_EQ(q.getColumn(12).getInt(), 1) << "Stockholm is in the home region";
  EXPECT_EQ(q.getColumn(13).getString(), p.language);
}

TEST_F(store_test, erasure_frees_the_seat_for_the_waitlist) {
  const auto e = create_event(1);
  const auto anna = register_ok(e.id, "anna@example.se");
  const auto bo = register_ok(e.id, "bo@example.se");
  ASSERT_EQ(reload(bo).status, registration_status::waitlisted);
  ASSERT_TRUE(wait_for<domain::registration>([&](auto cb) { store_->erase_by_token(anna.manage_token, cb); }).ok());
  EXPECT_EQ(reload(bo).status, registration_status::confirmed);
  EXPECT_EQ(event_now(e.id).counts.confirmed, 1);
}

// ---------------------------------------------------------------- check-in

TEST_F(store_test, check_in_answers_checked_in_then_already_checked_in) {
  const auto e = create_event(10);
  const auto anna = register_ok(e.id, "anna@example.se");

  // Typed at the door: lower case, with a hyphen in the middle.
  std::string typed = anna.registration.ticket_code;
  for (auto& ch : typed) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  typed.insert(4, "-");

  const auto first = check_in(by_ticket(e.id, typed));
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, expected_body(checkin_result::checked_in, anna.registration.id));
  EXPECT_TRUE(reload(anna).checked_in_at.has_value());
  EXPECT_FALSE(reload(anna).checkin_forced);

  const auto second = check_in(by_ticket(e.id, anna.registration.ticket_code));
  EXPECT_EQ(second.body, expected_body(checkin_result::already_checked_in, anna.registration.id));
  EXPECT_EQ(event_now(e.id).counts.checked_in, 1);
}

TEST_F(store_test, check_in_of_an_unknown_code_is_unknown) {
  const auto e = create_event(10);
  register_ok(e.id, "anna@example.se");
  const auto answer = check_in(by_ticket(e.id, "0000-0000"));  // 0 is not in the ticket alphabet
  EXPECT_EQ(answer.body, "unknown");
  EXPECT_EQ(event_now(e.id).counts.checked_in, 0);
}

TEST_F(store_test, a_ticket_for_another_event_is_unknown_here) {
  const auto e1 = create_event(10);
  const auto e2 = create_event(10);
  const auto anna = register_ok(e1.id, "anna@example.se");
  const auto answer = check_in(by_ticket(e2.id, anna.registration.ticket_code));
  EXPECT_EQ(answer.body, "unknown other=" + std::to_string(e1.id));
  EXPECT_FALSE(reload(anna).checked_in_at);
  EXPECT_EQ(event_now(e2.id).counts.checked_in, 0);
}

TEST_F(store_test, a_waitlisted_registration_is_admitted_only_by_force) {
  const auto e = create_event(1);
  register_ok(e.id, "anna@example.se");
  const auto bo = register_ok(e.id, "bo@example.se");
  ASSERT_EQ(bo.registration.status, registration_status::waitlisted);

  const auto refused = check_in(by_ticket(e.id, bo.registration.ticket_code));
  EXPECT_EQ(refused.body, expected_body(checkin_result::not_admissible, bo.registration.id));
  EXPECT_FALSE(reload(bo).checked_in_at);
  EXPECT_EQ(event_now(e.id).counts.checked_in, 0);

  auto forced = by_ticket(e.id, bo.registration.ticket_code);
  forced.force = true;
  const auto admitted = check_in(forced);
  EXPECT_EQ(admitted.body, expected_body(checkin_result::checked_in, bo.registration.id));
  const auto now = reload(bo);
  EXPECT_TRUE(now.checked_in_at.has_value());
  EXPECT_TRUE(now.checkin_forced);
  EXPECT_EQ(now.status, registration_status::confirmed);
  EXPECT_EQ(event_now(e.id).counts.checked_in, 1);
  EXPECT_EQ(event_now(e.id).counts.waitlisted, 0);
}

TEST_F(store_test, check_in_by_registration_id_with_attended_at) {
  const auto e = create_event(10);
  const auto anna = register_ok(e.id, "anna@example.se");
  store::checkin_command cmd;
  cmd.event_id = e.id;
  cmd.registration_id = anna.registration.id;
  cmd.attended_at = e.starts_at + 600;  // recorded afterwards by an organiser
  EXPECT_EQ(check_in(cmd).body, expected_body(checkin_result::checked_in, anna.registration.id));
  EXPECT_EQ(reload(anna).checked_in_at, e.starts_at + 600);
}

TEST_F(store_test, a_repeated_scan_id_returns_the_stored_answer_and_changes_nothing) {
  const auto e = create_event(1);
  const auto anna = register_ok(e.id, "anna@example.se");
  const auto bo = register_ok(e.id, "bo@example.se");  // waitlisted

  auto scan = by_ticket(e.id, anna.registration.ticket_code);
  scan.scan_id = "door-1-0001";
  const auto first = check_in(scan);
  EXPECT_EQ(first.body, expected_body(checkin_result::checked_in, anna.registration.id));
  const auto repeat = check_in(scan);
  // The identical answer, not "already checked in".
  EXPECT_EQ(repeat.status, first.status);
  EXPECT_EQ(repeat.body, first.body);
  EXPECT_EQ(event_now(e.id).counts.checked_in, 1);

  auto refused = by_ticket(e.id, bo.registration.ticket_code);
  refused.scan_id = "door-1-0002";
  const auto no = check_in(refused);
  EXPECT_EQ(no.body, expected_body(checkin_result::not_admissible, bo.registration.id));
  // The same scan again, now with force: the first answer stands and nothing is written.
  refused.force = true;
  const auto again = check_in(refused);
  EXPECT_EQ(again.status, no.status);
  EXPECT_EQ(again.body, no.body);
  EXPECT_FALSE(reload(bo).checked_in_at);
  EXPECT_EQ(reload(bo).status, registration_status::waitlisted);
  EXPECT_EQ(event_now(e.id).counts.checked_in, 1);

  // A new scan id is a new scan.
  refused.scan_id = "door-1-0003";
  EXPECT_EQ(check_in(refused).body, expected_body(checkin_result::checked_in, bo.registration.id));
}

TEST_F(store_test, check_in_batch_answers_in_order) {
  const auto e = create_event(10);
  const auto anna = register_ok(e.id, "anna@example.se");
  const auto bo = register_ok(e.id, "bo@example.se");
  const auto cecilia = register_ok(e.id, "cecilia@example.se");

  std::vector<store::checkin_command> cmds{
      by_ticket(e.id, bo.registration.ticket_code),
      by_ticket(e.id, "0000-0000"),
      by_ticket(e.id, anna.registration.ticket_code),
      by_ticket(e.id, bo.registration.ticket_code),
  };
  auto answers = wait_for<std::vector<store::scan_answer>>(
      [&](auto cb) { store_->check_in_batch(std::move(cmds), render, cb); });
  ASSERT_TRUE(answers.ok()) << answers.error().detail;
  ASSERT_EQ(answers.value().size(), 4u);
  EXPECT_EQ(answers.value()[0].body, expected_body(checkin_result::checked_in, bo.registration.id));
  EXPECT_EQ(answers.value()[1].body, "unknown");
  EXPECT_EQ(answers.value()[2].body, expected_body(checkin_result::checked_in, anna.registration.id));
  EXPECT_EQ(answers.value()[3].body, expected_body(checkin_result::already_checked_in, bo.registration.id));
  EXPECT_EQ(event_now(e.id).counts.checked_in, 2);
  EXPECT_FALSE(reload(cecilia).checked_in_at);
}

TEST_F(store_test, a_batch_replayed_by_an_offline_device_keeps_the_first_answers) {
  const auto e = create_event(1);
  const auto anna = register_ok(e.id, "anna@example.se");
  const auto bo = register_ok(e.id, "bo@example.se");  // waitlisted

  auto scan_anna = by_ticket(e.id, anna.registration.ticket_code);
  scan_anna.scan_id = "tablet-7-0001";
  auto scan_bo = by_ticket(e.id, bo.registration.ticket_code);
  scan_bo.scan_id = "tablet-7-0002";
  auto forced_bo = scan_bo;
  forced_bo.force = true;  // same scan id: must not turn the stored refusal into an admission

  auto first = wait_for<std::vector<store::scan_answer>>(
      [&](auto cb) { store_->check_in_batch({scan_anna, scan_bo, scan_anna, forced_bo}, render, cb); });
  ASSERT_TRUE(first.ok()) << first.error().detail;
  ASSERT_EQ(first.value().size(), 4u);
  const auto checked_in = expected_body(checkin_result::checked_in, anna.registration.id);
  const auto refused = expected_body(checkin_result::not_admissible, bo.registration.id);
  EXPECT_EQ(first.value()[0].body, checked_in);
  EXPECT_EQ(first.value()[1].body, refused);
  EXPECT_EQ(first.value()[2].body, checked_in);
  EXPECT_EQ(first.value()[3].body, refused);

  // The whole batch sent again (the device never saw the reply): the same answers, nothing new written.
  auto replay = wait_for<std::vector<store::scan_answer>>(
      [&](auto cb) { store_->check_in_batch({scan_anna, scan_bo}, render, cb); });
  ASSERT_TRUE(replay.ok());
  ASSERT_EQ(replay.value().size(), 2u);
  EXPECT_EQ(replay.value()[0].body, checked_in);
  EXPECT_EQ(replay.value()[1].body, refused);
  EXPECT_EQ(event_now(e.id).counts.checked_in, 1);
  EXPECT_EQ(reload(bo).status, registration_status::waitlisted);
  EXPECT_FALSE(reload(bo).checked_in_at);
}

TEST_F(store_test, undo_check_in_removes_the_attendance) {
  const auto e = create_event(10);
  const auto anna = register_ok(e.id, "anna@example.se");
  ASSERT_EQ(check_in(by_ticket(e.id, anna.registration.ticket_code)).status, 200);
  auto undone = wait_for<domain::registration>([&](auto cb) { store_->undo_check_in(e.id, anna.registration.id, cb); });
  ASSERT_TRUE(undone.ok());
  EXPECT_FALSE(undone.value().checked_in_at);
  EXPECT_EQ(event_now(e.id).counts.checked_in, 0);
  EXPECT_TRUE(store_->goal_facts_now().attendances.empty());
  auto twice = wait_for<domain::registration>([&](auto cb) { store_->undo_check_in(e.id, anna.registration.id, cb); });
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, store::errc::not_found);
}

// ---------------------------------------------------------------- concurrency

TEST_F(store_test, concurrent_registrations_never_confirm_more_than_capacity) {
  const auto e = create_event(20);
  constexpr int threads = 6;
  constexpr int per_thread = 15;
  std::latch start(threads);
  std::atomic<int> confirmed{0}, waitlisted{0}, failed{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      start.arrive_and_wait();
      // Each thread keeps all its requests in flight at once, so the writer sees them queued together.
      std::vector<std::future<store::outcome<store::created_registration>>> pending;
      for (int i = 0; i < per_thread; ++i) {
        auto promise = std::make_shared<std::promise<store::outcome<store::created_registration>>>();
        pending.push_back(promise->get_future());
        store_->register_person(e.id, person("t" + std::to_string(t) + "-" + std::to_string(i) + "@example.se"), false,
                                [promise](store::outcome<store::created_registration> o) { promise->set_value(std::move(o)); });
      }
      for (auto& f : pending) {
        auto o = f.get();
        if (!o.ok()) ++failed;
        else if (o.value().registration.status == registration_status::confirmed) ++confirmed;
        else ++waitlisted;
      }
    });
  }
  for (auto& th : pool) th.join();

  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(confirmed.load(), 20);
  EXPECT_EQ(waitlisted.load(), threads * per_thread - 20);

  const auto now = event_now(e.id);
  EXPECT_EQ(now.counts.confirmed, 20);
  EXPECT_EQ(now.counts.waitlisted, threads * per_thread - 20);

  // The waitlist is numbered 1..n in arrival order, with nobody confirmed after a waitlisted one.
  const auto all = store_->list_registrations(e.id, "", std::nullopt);
  ASSERT_EQ(all.size(), static_cast<std::size_t>(threads * per_thread));
  std::int64_t expected_position = 0;
  for (const auto& r : all) {
    if (r.status == registration_status::waitlisted) {
      EXPECT_EQ(r.waitlist_position, ++expected_position);
    } else {
      EXPECT_EQ(r.status, registration_status::confirmed);
      EXPECT_EQ(expected_position, 0) << "registration " << r.id << " confirmed after a waitlisted one";
    }
  }
  EXPECT_GE(store_->stats().commands, static_cast<std::uint64_t>(threads * per_thread));
}

TEST_F(store_test, concurrent_cancellations_keep_confirmed_at_capacity) {
  const auto e = create_event(5);
  std::vector<store::created_registration> regs;
  for (int i = 0; i < 15; ++i) regs.push_back(register_ok(e.id, "p" + std::to_string(i) + "@example.se"));
  // Cancel the five confirmed ones at once from five threads.
  std::vector<std::thread> pool;
  std::atomic<int> ok{0};
  for (int i = 0; i < 5; ++i)
    pool.emplace_back([&, i] {
      if (cancel(e.id, regs[i].registration.id).ok()) ++ok;
    });
  for (auto& th : pool) th.join();
  EXPECT_EQ(ok.load(), 5);
  const auto now = event_now(e.id);
  EXPECT_EQ(now.counts.confirmed, 5);
  EXPECT_EQ(now.counts.waitlisted, 5);
  for (int i = 5; i < 10; ++i) EXPECT_EQ(reload(regs[i]).status, registration_status::confirmed) << i;
  for (int i = 10; i < 15; ++i) EXPECT_EQ(reload(regs[i]).waitlist_position, i - 9) << i;
}

TEST_F(store_test, a_failing_write_answers_its_caller_and_spares_the_rest_of_the_batch) {
  const auto e = create_event(1);
  register_ok(e.id, "anna@example.se");
  const auto bo = register_ok(e.id, "bo@example.se");  // waitlisted
  // Admitting Bo by force first confirms him, then records the check-in; naming a user that does not exist breaks a
  // foreign key at that second step: an unexpected failure half-way through a write.
  store::checkin_command broken = by_ticket(e.id, bo.registration.ticket_code);
  broken.force = true;
  broken.user_id = 987654;

  // Submitted back to back, so the writer most likely runs them in one transaction.
  auto first = std::make_shared<std::promise<store::outcome<store::created_registration>>>();
  auto failing = std::make_shared<std::promise<store::outcome<store::scan_answer>>>();
  auto last = std::make_shared<std::promise<store::outcome<store::created_registration>>>();
  auto first_done = first->get_future();
  auto failing_done = failing->get_future();
  auto last_done = last->get_future();
  store_->register_person(e.id, person("cecilia@example.se"), false,
                          [first](store::outcome<store::created_registration> o) { first->set_value(std::move(o)); });
  store_->check_in(broken, render, [failing](store::outcome<store::scan_answer> o) { failing->set_value(std::move(o)); });
  store_->register_person(e.id, person("dag@example.se"), false,
                          [last](store::outcome<store::created_registration> o) { last->set_value(std::move(o)); });

  // Every caller hears back (a lost answer would leave a request hanging for ever).
  ASSERT_EQ(first_done.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  ASSERT_EQ(failing_done.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  ASSERT_EQ(last_done.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  const auto failed = failing_done.get();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, store::errc::unavailable);
  EXPECT_TRUE(first_done.get().ok());
  EXPECT_TRUE(last_done.get().ok());

  // The others are stored; the broken check-in left nothing behind, not even half of it.
  EXPECT_EQ(store_->list_registrations(e.id, "", std::nullopt).size(), 4u);
  const auto now = event_now(e.id);
  EXPECT_EQ(now.counts.confirmed, 1);
  EXPECT_EQ(now.counts.waitlisted, 3);
  EXPECT_EQ(now.counts.checked_in, 0);
  EXPECT_EQ(reload(bo).status, registration_status::waitlisted);
  EXPECT_EQ(reload(bo).waitlist_position, 1);
  EXPECT_FALSE(reload(bo).checked_in_at);
  // And the same admission without the bad user goes through.
  broken.user_id = 0;
  EXPECT_EQ(check_in(broken).body, expected_body(checkin_result::checked_in, bo.registration.id));
}

TEST_F(store_test, one_broken_item_of_a_check_in_batch_leaves_the_others_standing) {
  const auto e = create_event(10);
  const auto anna = register_ok(e.id, "anna@example.se");
  const auto bo = register_ok(e.id, "bo@example.se");
  const auto cecilia = register_ok(e.id, "cecilia@example.se");
  // The middle item names a user that does not exist: the database refuses it (a foreign key), unexpectedly.
  auto broken = by_ticket(e.id, bo.registration.ticket_code);
  broken.user_id = 987654;
  std::vector<store::checkin_command> cmds{by_ticket(e.id, anna.registration.ticket_code), broken,
                                           by_ticket(e.id, cecilia.registration.ticket_code)};
  auto answers = wait_for<std::vector<store::scan_answer>>(
      [&](auto cb) { store_->check_in_batch(std::move(cmds), render, cb); });
  // A device syncing a queue of scans must not lose the good ones because of one bad one.
  ASSERT_TRUE(answers.ok()) << answers.error().detail;
  ASSERT_EQ(answers.value().size(), 3u);
  EXPECT_EQ(answers.value()[0].body, expected_body(checkin_result::checked_in, anna.registration.id));
  EXPECT_NE(answers.value()[1].status, 200);
  EXPECT_EQ(answers.value()[2].body, expected_body(checkin_result::checked_in, cecilia.registration.id));
  EXPECT_TRUE(reload(anna).checked_in_at);
  EXPECT_FALSE(reload(bo).checked_in_at);
  EXPECT_TRUE(reload(cecilia).checked_in_at);
  EXPECT_EQ(event_now(e.id).counts.checked_in, 2);
}

// ---------------------------------------------------------------- persistence and migrations

TEST_F(store_test, a_reopened_store_still_has_everything) {
  const auto e = create_event(1);
  const auto anna = register_ok(e.id, "anna@example.se");
  const auto bo = register_ok(e.id, "bo@example.se");
  ASSERT_EQ(check_in(by_ticket(e.id, anna.registration.ticket_code)).status, 200);

  store_.reset();
  open();

  const auto reopened = store_->get_event(e.id);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->title, e.title);
  EXPECT_EQ(reopened->starts_at, e.starts_at);
  EXPECT_EQ(reopened->capacity, 1);
  EXPECT_EQ(reopened->counts.confirmed, 1);
  EXPECT_EQ(reopened->counts.waitlisted, 1);
  EXPECT_EQ(reopened->counts.checked_in, 1);

  const auto a = store_->find_by_manage_token(anna.manage_token);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->person.email, "anna@example.se");
  EXPECT_EQ(a->ticket_code, anna.registration.ticket_code);
  EXPECT_TRUE(a->checked_in_at);
  const auto b = store_->find_by_manage_token(bo.manage_token);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->waitlist_position, 1);
  EXPECT_EQ(store_->goal_facts_now().attendances.size(), 1u);

  // And it keeps working: the old duplicate rule holds and new registrations join the waitlist.
  EXPECT_FALSE(try_register(e.id, person("Anna@Example.se")).ok());
  const auto c = register_ok(e.id, "cecilia@example.se");
  EXPECT_EQ(c.registration.waitlist_position, 2);
  EXPECT_EQ(check_in(by_ticket(e.id, anna.registration.ticket_code)).body,
            expected_body(checkin_result::already_checked_in, anna.registration.id));
}

TEST_F(store_test, the_migration_refuses_a_database_newer_than_the_binary) {
  store_.reset();
  {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE);
    db.exec("INSERT INTO schema_migrations(version, name, applied_at) VALUES (999, 'from the future', 0)");
  }
  try {
    store_ = store::make_sqlite_store(cfg_);
    FAIL() << "make_sqlite_store accepted a database of schema version 999";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

TEST_F(store_test, a_fresh_database_is_ready_and_empty) {
  EXPECT_TRUE(store_->ready());
  EXPECT_TRUE(store_->empty_of_events());
  create_event(10);
  EXPECT_FALSE(store_->empty_of_events());
}

// The write connection's settings are what durability rests on: WAL, a commit on disk before anyone is answered
// (synchronous=FULL), foreign keys enforced, and a wait instead of SQLITE_BUSY. Read on the writer's own connection,
// inside one of its jobs, because PRAGMAs are per connection.
TEST_F(store_test, the_write_connection_is_durable_and_enforces_foreign_keys) {
  store_.reset();  // one writer at a time on the file
  store::writer w(store::sqlite_write_connection(path_), 1);
  auto promise = std::make_shared<std::promise<std::map<std::string, std::string>>>();
  auto future = promise->get_future();
  w.submit([promise](store::connection& c) {
    std::map<std::string, std::string> got;
    for (const char* name : {"journal_mode", "synchronous", "foreign_keys", "busy_timeout"})
      got[name] = static_cast<store::sqlite_connection&>(c).db().execAndGet(std::string("PRAGMA ") + name).getString();
    promise->set_value(std::move(got));
    return store::job_result{false, nullptr};
  }, [promise] { promise->set_exception(std::make_exception_ptr(std::runtime_error("write refused"))); });
  const auto got = future.get();
  EXPECT_EQ(got.at("journal_mode"), "wal");
  EXPECT_EQ(got.at("synchronous"), "2") << "2 = FULL";
  EXPECT_EQ(got.at("foreign_keys"), "1");
  EXPECT_GE(std::stoi(got.at("busy_timeout")), 1000) << "milliseconds a write waits for the lock";
}

}  // namespace

// The retention rule: personal data of events that ended before the cutoff goes; later events keep theirs, and the
// anonymous facts (check-ins, person ids) stay so the goal figures do not change.
TEST_F(store_test, retention_erases_personal_data_of_events_that_ended_before_the_cutoff) {
  const auto old_event = create_event(std::nullopt);
  const auto new_event = create_event(std::nullopt);
  const auto a = register_ok(old_event.id, "old@example.se");
  const auto b = register_ok(new_event.id, "new@example.se");
  const auto walk = register_ok(old_event.id, "walkin@example.se", true);  // checked in at once
  const auto before = store_->goal_facts_now();
  // Move the first event into the past, then sweep with a cutoff between the two events' ends.
  auto moved = event_now(old_event.id);
  moved.starts_at = domain::now() - 400 * 86400;
  moved.ends_at = moved.starts_at + 3600;
  ASSERT_TRUE(update(moved).ok());
  auto swept = wait_for<std::int64_t>([&](auto cb) { store_->erase_ended_before(domain::now() - 365 * 86400, cb); });
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept.value(), 2);
  const auto gone = reload(a);
  EXPECT_TRUE(gone.erased);
  EXPECT_TRUE(gone.person.name.empty());
  EXPECT_TRUE(gone.person.email.empty());
  EXPECT_TRUE(reload(walk).checked_in_at.has_value()) << "the check-in is an anonymous fact and stays";
  const auto kept = reload(b);
  EXPECT_FALSE(kept.erased);
  EXPECT_EQ(kept.person.email, "new@example.se");
  const auto after = store_->goal_facts_now();
  ASSERT_EQ(after.attendances.size(), before.attendances.size());
  EXPECT_EQ(after.attendances.front().person_id, before.attendances.front().person_id);
  // A second sweep finds nothing more to erase.
  EXPECT_EQ(wait_for<std::int64_t>([&](auto cb) { store_->erase_ended_before(domain::now() - 365 * 86400, cb); }).value(), 0);
}

// A burst while a reader holds an old snapshot: checkpoints cannot finish, and the WAL grows. Once the reader is
// gone the server must cut the file back instead of keeping it at its largest for good.
TEST_F(store_test, wal_is_cut_back_after_a_burst_that_a_reader_kept_from_checkpointing) {
  store_.reset();
  cfg_.wal_limit_bytes = 256 * 1024;
  open();
  const auto ev = create_event(std::nullopt);
  const auto wal = path_ + "-wal";
  {
    SQLite::Database reader(path_, SQLite::OPEN_READONLY);
    reader.exec("BEGIN");
    SQLite::Statement pin(reader, "SELECT count(*) FROM registrations");
    ASSERT_TRUE(pin.executeStep());
    for (int i = 0; i < 400; ++i) register_ok(ev.id, "burst" + std::to_string(i) + "@example.org");
    ASSERT_GT(std::filesystem::file_size(wal), cfg_.wal_limit_bytes) << "the burst should have grown the WAL";
    pin.reset();
    reader.exec("COMMIT");
  }
  // The checkpointer works on its own thread: wait for it, with a deadline far above its half-second round.
  for (int i = 0; i < 200 && std::filesystem::file_size(wal) > cfg_.wal_limit_bytes; ++i) {
    register_ok(ev.id, "after" + std::to_string(i) + "@example.org");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_LE(std::filesystem::file_size(wal), cfg_.wal_limit_bytes);
  EXPECT_EQ(event_now(ev.id).counts.confirmed, 400 + static_cast<std::int64_t>(
      store_->list_registrations(ev.id, "after", std::nullopt).size()));
}

// A batch item's failure answer is parsed again as JSON by the api: any detail text must come out escaped.
TEST(failure_answer, escapes_quotes_backslashes_and_control_characters) {
  const std::string detail = std::string("a \"quoted\" C:\\path\\ line\nbreak\ttab \x01\x1f end ") + "ÅÄÖ 😀 \xff";
  auto a = store::failure_answer(store::failure{store::errc::unavailable, detail});
  EXPECT_EQ(a.status, 503);
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(a.body)) << a.body;
  EXPECT_EQ(j.at("status"), 503);
  EXPECT_EQ(j.at("title"), "Check-in failed");
  EXPECT_EQ(j.at("type"), "about:blank");
  // Valid UTF-8 comes back as sent; the broken byte is replaced rather than breaking the document.
  EXPECT_EQ(j.at("detail").get<std::string>(), detail.substr(0, detail.size() - 1) + "\xEF\xBF\xBD");
  EXPECT_EQ(a.body.find('\n'), std::string::npos);
  auto nf = store::failure_answer(store::failure{store::errc::not_found, "no \"such\" event"});
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(nlohmann::json::parse(nf.body).at("detail"), "no \"such\" event");
}
