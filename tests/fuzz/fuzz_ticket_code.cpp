// Ticket codes as typed or scanned at the door: normalisation, then decoding to a registration id.
// Checks: normalising twice changes nothing and leaves no blank, hyphen or lower-case letter; every code that
// decodes encodes back to itself; any 40-bit id survives encode, a typist's lower case and hyphens, and decode.
#include "auth/crypto.hpp"
#include "domain/types.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace eventd;

namespace {

[[noreturn]] void fail(const char* why, const std::string& in) {
  std::fprintf(stderr, "fuzz check failed: %s (input of %zu bytes)\n", why, in.size());
  std::abort();
}

const auth::ticket_cipher& cipher() {
  static const auth::ticket_cipher c("000102030405060708090a0b0c0d0e0f");
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  const auto n = domain::normalise_ticket_code(in);
  if (domain::normalise_ticket_code(n) != n) fail("normalising is not idempotent", in);
  for (char c : n)
    if (c == ' ' || c == '-' || c == '\t' || (c >= 'a' && c <= 'z')) fail("a blank, hyphen or lower-case letter is left", in);
  if (auto id = cipher().decode(n)) {
    if (*id >> 40) fail("decoded beyond 40 bits", in);
    if (cipher().encode(*id) != n) fail("a decoded code does not encode back to itself", in);
  } else if (n.size() == domain::ticket_length && n.find_first_not_of(domain::ticket_alphabet) == std::string::npos) {
    fail("a code of 8 alphabet symbols did not decode", in);
  }
  if (size >= 5) {
    std::uint64_t id = 0;
    for (int i = 0; i < 5; ++i) id = id << 8 | data[i];
    const auto code = cipher().encode(id);
    if (code.size() != domain::ticket_length || code.find_first_not_of(domain::ticket_alphabet) != std::string::npos)
      fail("encode gave a code outside the alphabet", in);
    // As someone might type it: lower case, grouped with a hyphen and a space.
    std::string typed;
    for (std::size_t i = 0; i < code.size(); ++i) {
      if (i == 4) typed += (data[0] & 1) ? "- " : " ";
      typed += (code[i] >= 'A' && code[i] <= 'Z') ? static_cast<char>(code[i] + 32) : code[i];
    }
    auto back = cipher().decode(domain::normalise_ticket_code(typed));
    if (!back || *back != id) fail("a typed code did not decode to its id", in);
  }
  return 0;
}
