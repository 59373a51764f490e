// Sanitizer builds only (CMakeLists.txt): Boost.Context's ucontext fibers, which tell AddressSanitizer about each stack
// switch, keep the running fiber in a per-thread record that Debian's libboost_context (built for its assembly
// switch) does not define. This is that record: each thread starts in its own main context.
#include <boost/context/fiber.hpp>

namespace boost::context::detail {

fiber_activation_record*& fiber_activation_record::current() noexcept {
  thread_local fiber_activation_record main_context;
  thread_local fiber_activation_record* running = &main_context;
  return running;
}

}  // namespace boost::context::detail
