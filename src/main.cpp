// eventd: the event and seminar server of the Networking Europe programme.
#include "app/app.hpp"

#include <cstdio>

int main(int argc, char** argv) {
  // One log line per request: flush each line so logs are current, without a flush per byte.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  return eventd::app::run(argc, argv);
}
