#include "auth/crypto.hpp"

#include "domain/types.hpp"

#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace eventd::auth {

void init_crypto() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

std::string random_token(std::size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  randombytes_buf(buf.data(), buf.size());
  std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), buf.data(), buf.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

std::string random_ticket_code() {
  static_assert(domain::ticket_alphabet.size() == 32 && domain::ticket_length == 8, "8 symbols of 5 bits = 5 bytes");
  // One draw of 40 random bits, 5 per symbol: uniform (32 symbols) and one system call instead of eight.
  unsigned char bytes[5];
  randombytes_buf(bytes, sizeof bytes);
  std::uint64_t bits = 0;
  for (unsigned char b : bytes) bits = (bits << 8) | b;
  std::string code(domain::ticket_length, ' ');
  for (auto& c : code) {
    c = domain::ticket_alphabet[bits & 31];
    bits >>= 5;
  }
  return code;
}

std::string sha256_hex(std::string_view in) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(in.data()), in.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::string hash_password(std::string_view password, bool moderate) {
  char out[crypto_pwhash_STRBYTES];
  const auto ops = moderate ? crypto_pwhash_OPSLIMIT_MODERATE : crypto_pwhash_OPSLIMIT_INTERACTIVE;
  const auto mem = moderate ? crypto_pwhash_MEMLIMIT_MODERATE : crypto_pwhash_MEMLIMIT_INTERACTIVE;
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("out of memory while hashing a password");
  return out;
}

bool verify_password(std::string_view password, const std::string& hash) {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace eventd::auth
