// Wires configuration, store, handlers and server together; main() only calls run().
#pragma once

namespace eventd::app {

int run(int argc, char** argv);

}  // namespace eventd::app
