// Demo data: the programme as DOMAIN.md describes it, with fictional people only.
#pragma once

#include "domain/config.hpp"
#include "store/store.hpp"

namespace eventd::app {

// Fills an empty database through the store's own operations; does nothing when events exist. Returns events made.
int load_demo(store::store&, const domain::config&);

}  // namespace eventd::app
