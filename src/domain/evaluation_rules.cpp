#include "domain/evaluation_rules.hpp"

namespace eventd::domain {

const std::vector<std::string> plans_tn_answers{"yes", "no", "maybe"};

evaluation_answer normalise_evaluation(evaluation_answer a) {
  if (a.comment) {
    a.comment = trim(*a.comment);
    if (a.comment->empty()) a.comment.reset();
  }
  return a;
}

void validate_evaluation(const evaluation_answer& a, field_errors& errors) {
  for (const auto& [value, name] : {std::pair{a.usefulness, "usefulness"}, std::pair{a.knowledge_before, "knowledge_before"},
                                    std::pair{a.knowledge_after, "knowledge_after"}})
    if (value < 1 || value > 5) errors.push_back({name, "must be a whole number from 1 to 5"});
  if (!contains(plans_tn_answers, a.plans_tn)) errors.push_back({"plans_tn", one_of_message(plans_tn_answers)});
  if (a.comment && !valid_text(*a.comment, max_evaluation_comment, true))
    errors.push_back({"comment", "must be at most " + std::to_string(max_evaluation_comment) +
                                     " characters without control characters"});
}

time_point evaluation_closes_at(const event& e) { return e.evaluation_closes_at.value_or(e.ends_at + evaluation_window); }

std::string_view to_string(evaluation_refusal r) {
  switch (r) {
    case evaluation_refusal::none: return "none";
    case evaluation_refusal::erased: return "erased";
    case evaluation_refusal::not_attended: return "not_attended";
    case evaluation_refusal::cancelled: return "event_cancelled";
    case evaluation_refusal::not_ended: return "not_ended";
    case evaluation_refusal::closed: return "evaluation_closed";
  }
  return "none";
}

std::string_view describe(evaluation_refusal r) {
  switch (r) {
    case evaluation_refusal::none: return "";
    case evaluation_refusal::erased: return "this registration's personal data has been erased";
    case evaluation_refusal::not_attended: return "only those who attended the event can evaluate it";
    case evaluation_refusal::cancelled: return "the event was cancelled";
    case evaluation_refusal::not_ended: return "the event has not ended yet";
    case evaluation_refusal::closed: return "answers to this evaluation are closed";
  }
  return "";
}

evaluation_refusal decide_evaluation(const event& e, const registration& r, time_point now) {
  if (r.erased) return evaluation_refusal::erased;
  if (!r.checked_in_at) return evaluation_refusal::not_attended;
  if (e.status == event_status::cancelled) return evaluation_refusal::cancelled;
  if (now < e.ends_at) return evaluation_refusal::not_ended;
  if (now >= evaluation_closes_at(e)) return evaluation_refusal::closed;
  return evaluation_refusal::none;
}

goal_evaluation goal_fact_of(const evaluation& v) {
  return {v.event_id, static_cast<int>(v.answer.usefulness), static_cast<int>(v.answer.knowledge_before),
          static_cast<int>(v.answer.knowledge_after), v.answer.plans_tn};
}

evaluation_report report_evaluations(const event& e, std::int64_t attended, const std::vector<evaluation>& answers,
                                     time_point now) {
  evaluation_report r;
  for (int v = 1; v <= 5; ++v) r.usefulness[v] = r.knowledge_before[v] = r.knowledge_after[v] = 0;
  for (const auto& p : plans_tn_answers) r.plans_tn[p] = 0;
  evaluation_sums sums;
  for (const auto& v : answers) {
    const auto& a = v.answer;
    sums.add(goal_fact_of(v));
    ++r.usefulness[static_cast<int>(a.usefulness)];
    ++r.knowledge_before[static_cast<int>(a.knowledge_before)];
    ++r.knowledge_after[static_cast<int>(a.knowledge_after)];
    ++r.plans_tn[a.plans_tn];
    if (a.comment) r.comments.push_back(*a.comment);
  }
  goal_event g;
  g.cancelled = e.status == event_status::cancelled;
  g.ends_at = e.ends_at;
  r.figures = evaluation_figures_of(sums, evaluations_count(g, now) ? attended : 0);
  return r;
}

}  // namespace eventd::domain
