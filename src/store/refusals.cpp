#include "store/refusals.hpp"

namespace eventd::store {

failure refused(domain::registration_refusal r) {
  return failure{errc::conflict, std::string(domain::describe(r)), {{"reason", std::string(domain::to_string(r))}}};
}

failure refused(const domain::edit_decision& d, const domain::event& stored) {
  switch (d.refusal) {
    case domain::edit_refusal::none:
    case domain::edit_refusal::not_found: return failure{errc::not_found, "no such event"};
    case domain::edit_refusal::stale:
      return failure{errc::precondition_failed, d.detail, {{"reason", "stale"}},
                     {{"current_version", stored.version}}, {}};
    case domain::edit_refusal::cancelled: return failure{errc::conflict, d.detail, {{"reason", "cancelled"}}};
    case domain::edit_refusal::invalid: return failure{errc::invalid, d.detail, {}, {}, d.errors};
    case domain::edit_refusal::capacity_below_confirmed:
      return failure{errc::conflict, d.detail, {{"reason", "capacity_below_confirmed"}},
                     {{"confirmed", stored.counts.confirmed}}, d.errors};
  }
  return failure{errc::not_found, "no such event"};
}

}  // namespace eventd::store
