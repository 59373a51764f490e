// Demo data: the programme as DOMAIN.md describes it, with fictional people only.
#pragma once

#include "domain/config.hpp"
#include "store/store.hpp"

namespace eventd::app {

// Fills an empty database through the store's own operations; does nothing when events exist. Returns events made.
int load_demo(store::store&, const domain::config&);

// The demo's own programme period and forum deadline, dated from the day its data were made (kept in the database, so
// that they stay with the data): about 18 months before it to six months after. Does nothing without demo data.
void apply_demo_programme(store::store&, domain::config&);

}  // namespace eventd::app
