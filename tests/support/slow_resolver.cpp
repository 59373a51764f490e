// A slow DNS server, for integration_pg.pg_dns: loaded into eventd with LD_PRELOAD, it makes getaddrinfo take
// EVENTD_SLOW_RESOLVER_MS milliseconds (default 1500) for any name ending in ".slow.test", then answers as for
// 127.0.0.1. Every other name goes to the C library's own getaddrinfo. The name lookups of the real libpq, from the
// real eventd, meet it exactly where a slow resolver would hold them.
#include <dlfcn.h>
#include <netdb.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

extern "C" int getaddrinfo(const char* node, const char* service, const addrinfo* hints, addrinfo** res) {
  using fn = int (*)(const char*, const char*, const addrinfo*, addrinfo**);
  static const fn real = reinterpret_cast<fn>(::dlsym(RTLD_NEXT, "getaddrinfo"));
  constexpr const char suffix[] = ".slow.test";
  const std::size_t n = node ? std::strlen(node) : 0, k = sizeof suffix - 1;
  if (n > k && std::strcmp(node + n - k, suffix) == 0) {
    const char* ms = std::getenv("EVENTD_SLOW_RESOLVER_MS");
    ::usleep(static_cast<useconds_t>((ms ? std::atoi(ms) : 1500) * 1000));
    return real("127.0.0.1", service, hints, res);
  }
  return real(node, service, hints, res);
}
