// The store's failures for the domain's refusals, the same for every engine.
#pragma once

#include "domain/event_rules.hpp"
#include "domain/registration_rules.hpp"
#include "store/store.hpp"

namespace eventd::store {

// A refused registration (not `none`): a conflict naming the refusal as "reason".
failure refused(domain::registration_refusal);
// A refused change to an event (not `none`), `stored` being the event it was decided against.
failure refused(const domain::edit_decision&, const domain::event& stored);

}  // namespace eventd::store
