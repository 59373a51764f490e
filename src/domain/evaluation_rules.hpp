// Participants' evaluations (DOMAIN.md 7): the answer's fields, who may answer and until when, an event's results.
#pragma once

#include "domain/goals.hpp"
#include "domain/types.hpp"
#include "domain/validation.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventd::domain {

struct evaluation_answer {
  std::int64_t usefulness = 0;        // 1-5
  std::int64_t knowledge_before = 0;  // 1-5, the participant's own rating of their knowledge of TN work
  std::int64_t knowledge_after = 0;   // 1-5
  std::string plans_tn;               // yes, no, maybe: whether they plan a transnational activity or project
  std::optional<std::string> comment;
};

extern const std::vector<std::string> plans_tn_answers;  // yes, no, maybe
inline constexpr std::size_t max_evaluation_comment = 2000;
// Answers may be changed until this long after the event's end, unless the event names another time.
inline constexpr time_point evaluation_window = 30 * 86400;

// The comment trimmed; an empty one is none.
evaluation_answer normalise_evaluation(evaluation_answer);
// Every bad field: a rating outside 1-5, a plan not in the list, a comment too long or with control characters.
void validate_evaluation(const evaluation_answer&, field_errors&);

time_point evaluation_closes_at(const event&);

// Why a registration may not answer now (409), in the order they are checked.
enum class evaluation_refusal { none, erased, not_attended, cancelled, not_ended, closed };
std::string_view to_string(evaluation_refusal);
std::string_view describe(evaluation_refusal);
evaluation_refusal decide_evaluation(const event&, const registration&, time_point now);

// A stored answer with the only facts that travel with it (copied from the registration when it is given).
struct evaluation {
  id_t id = 0;
  id_t event_id = 0;
  evaluation_answer answer;
  std::string organisation_type;
  bool home_region = false;
  std::string gender;
  time_point created_at = 0;
  time_point updated_at = 0;
};

// What the goal figures see of an answer.
goal_evaluation goal_fact_of(const evaluation&);

// One event's results for its organisers: no names, no links back.
struct evaluation_report {
  evaluation_figures figures;
  std::map<int, std::int64_t> usefulness, knowledge_before, knowledge_after;  // every rating 1-5, zeros included
  std::map<std::string, std::int64_t> plans_tn;                               // yes, no, maybe
  std::vector<std::string> comments;                                          // in the order given
};
// `attended`: the event's attended registrations, the response rate's denominator once the event has ended.
evaluation_report report_evaluations(const event&, std::int64_t attended, const std::vector<evaluation>&, time_point now);

}  // namespace eventd::domain
