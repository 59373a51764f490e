// Evaluations in the SQLite store: a participant's answer by their private link, an event's answers, the goal facts.
#include "store/sql/sql_store.hpp"

#include "domain/evaluation_rules.hpp"
#include "domain/time.hpp"

namespace eventd::store::sql {
namespace {

#define EVALUATION_COLUMNS                                                                                         \
  "id, event_id, organisation_type, home_region, gender, usefulness, knowledge_before, knowledge_after, plans_tn, " \
  "comment, created_at, updated_at"
constexpr sql_text evaluation_of_sql{"SELECT " EVALUATION_COLUMNS " FROM evaluations WHERE registration_id = ?"};
constexpr sql_text event_evaluations_sql{"SELECT " EVALUATION_COLUMNS " FROM evaluations WHERE event_id = ? ORDER BY id"};

domain::evaluation read_evaluation(statement& q) {
  constexpr auto& col = evaluation_of_sql;
  domain::evaluation v;
  v.id = q.getColumn(col["id"]).getInt64();
  v.event_id = q.getColumn(col["event_id"]).getInt64();
  v.organisation_type = q.getColumn(col["organisation_type"]).getString();
  v.home_region = q.getColumn(col["home_region"]).getInt() != 0;
  v.gender = q.getColumn(col["gender"]).getString();
  v.answer.usefulness = q.getColumn(col["usefulness"]).getInt64();
  v.answer.knowledge_before = q.getColumn(col["knowledge_before"]).getInt64();
  v.answer.knowledge_after = q.getColumn(col["knowledge_after"]).getInt64();
  v.answer.plans_tn = q.getColumn(col["plans_tn"]).getString();
  v.answer.comment = opt_text(q.getColumn(col["comment"]));
  v.created_at = q.getColumn(col["created_at"]).getInt64();
  v.updated_at = q.getColumn(col["updated_at"]).getInt64();
  return v;
}

std::optional<domain::evaluation> evaluation_by_registration(connection& c, id_t registration_id) {
  return one_row(c, evaluation_of_sql, registration_id, read_evaluation);
}

}  // namespace

void sql_store::save_evaluation(std::string token, domain::evaluation_answer answer, callback<domain::evaluation> cb) {
  answer = domain::normalise_evaluation(std::move(answer));
  write<domain::evaluation>(
      [this, token = std::move(token), answer = std::move(answer)](connection& c) {
        const auto r = registration_for_link(c, token);
        const auto e = event_by_id(c, r.event_id);
        if (!e) fail(errc::not_found, "no such event");
        const auto now = domain::now();
        const auto refusal = domain::decide_evaluation(*e, r, now);
        if (refusal != domain::evaluation_refusal::none)
          fail(errc::conflict, std::string(domain::describe(refusal)), {{"reason", std::string(domain::to_string(refusal))}});
        // The anonymous facts are copied as the registration has them now; nothing else of the person is kept.
        static constexpr sql_text upsert{
            "INSERT INTO evaluations(event_id, registration_id, organisation_type, home_region, gender, usefulness, "
            "knowledge_before, knowledge_after, plans_tn, comment, created_at, updated_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(registration_id) DO UPDATE SET "
            "organisation_type = excluded.organisation_type, home_region = excluded.home_region, gender = excluded.gender, "
            "usefulness = excluded.usefulness, knowledge_before = excluded.knowledge_before, "
            "knowledge_after = excluded.knowledge_after, plans_tn = excluded.plans_tn, comment = excluded.comment, "
            "updated_at = excluded.updated_at"};
        auto& q = c.prepare(upsert.c_str());
        q.bind(upsert.param("event_id"), r.event_id);
        q.bind(upsert.param("registration_id"), r.id);
        q.bind(upsert.param("organisation_type"), r.person.organisation_type);
        q.bind(upsert.param("home_region"), r.home_region ? 1 : 0);
        q.bind(upsert.param("gender"), r.person.gender);
        q.bind(upsert.param("usefulness"), answer.usefulness);
        q.bind(upsert.param("knowledge_before"), answer.knowledge_before);
        q.bind(upsert.param("knowledge_after"), answer.knowledge_after);
        q.bind(upsert.param("plans_tn"), answer.plans_tn);
        bind_opt(q, upsert.param("comment"), answer.comment);
        q.bind(upsert.param("created_at"), static_cast<std::int64_t>(now));
        q.bind(upsert.param("updated_at"), static_cast<std::int64_t>(now));
        q.exec();
        noted(change::kind::evaluated, r.id, r.event_id);
        return *evaluation_by_registration(c, r.id);
      },
      std::move(cb));
}

std::optional<domain::evaluation> sql_store::evaluation_of(id_t registration_id) {
  auto c = borrow();
  return evaluation_by_registration(*c, registration_id);
}

std::vector<domain::evaluation> sql_store::event_evaluations(id_t event_id) {
  auto c = borrow();
  auto& q = c->prepare(event_evaluations_sql.c_str());
  q.bind(1, event_id);
  std::vector<domain::evaluation> out;
  while (q.executeStep()) out.push_back(read_evaluation(q));
  q.reset();
  return out;
}

std::vector<domain::goal_evaluation> sql_store::goal_evaluations_of(id_t event_id) {
  std::vector<domain::goal_evaluation> out;
  for (const auto& v : event_evaluations(event_id)) out.push_back(domain::goal_fact_of(v));
  return out;
}

}  // namespace eventd::store::sql
