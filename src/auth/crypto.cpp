#include "auth/crypto.hpp"

#include "domain/types.hpp"

#include <sodium.h>

#include <cstring>
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

ticket_cipher::ticket_cipher(const std::string& key_hex, scheme s) : scheme_(s) {
  std::size_t len = 0;
  if (key_hex.size() != 32 || sodium_hex2bin(key_, sizeof key_, key_hex.c_str(), key_hex.size(), nullptr, &len, nullptr) != 0 ||
      len != sizeof key_)
    throw std::runtime_error("the ticket key must be 32 hex digits");
}

std::string ticket_cipher::new_key_hex() {
  unsigned char key[16];
  randombytes_buf(key, sizeof key);
  char hex[33];
  sodium_bin2hex(hex, sizeof hex, key, sizeof key);
  return hex;
}

std::uint32_t ticket_cipher::round(int i, std::uint32_t half) const {
  unsigned char in[5] = {static_cast<unsigned char>(i), static_cast<unsigned char>(half >> 16),
                         static_cast<unsigned char>(half >> 8), static_cast<unsigned char>(half), 0x5a};
  static_assert(crypto_hash_sha256_BYTES >= 3 && crypto_shorthash_BYTES >= 3);
  unsigned char out[crypto_hash_sha256_BYTES];
  if (scheme_ == scheme::sha256) {
    // SHA-256(key || in): a keyed function of a fixed-length input (no length extension to fear).
    unsigned char msg[sizeof key_ + sizeof in];
    std::memcpy(msg, key_, sizeof key_);
    std::memcpy(msg + sizeof key_, in, sizeof in);
    crypto_hash_sha256(out, msg, sizeof msg);
  } else {
    crypto_shorthash(out, in, sizeof in, key_);
  }
  return (static_cast<std::uint32_t>(out[0]) << 16 | static_cast<std::uint32_t>(out[1]) << 8 | out[2]) & 0xFFFFF;
}

std::string ticket_cipher::encode(std::uint64_t id) const {
  static_assert(domain::ticket_alphabet.size() == 32 && domain::ticket_length == 8, "8 symbols of 5 bits = 40 bits");
  std::uint32_t left = static_cast<std::uint32_t>(id >> 20) & 0xFFFFF, right = static_cast<std::uint32_t>(id) & 0xFFFFF;
  for (int i = 0; i < 4; ++i) {
    const std::uint32_t next = left ^ round(i, right);
    left = right;
    right = next;
  }
  std::uint64_t bits = static_cast<std::uint64_t>(left) << 20 | right;
  std::string code(domain::ticket_length, ' ');
  for (auto it = code.rbegin(); it != code.rend(); ++it) {
    *it = domain::ticket_alphabet[bits & 31];
    bits >>= 5;
  }
  return code;
}

std::optional<std::uint64_t> ticket_cipher::decode(std::string_view code) const {
  if (code.size() != domain::ticket_length) return std::nullopt;
  std::uint64_t bits = 0;
  for (char c : code) {
    const auto pos = domain::ticket_alphabet.find(c);
    if (pos == std::string_view::npos) return std::nullopt;
    bits = bits << 5 | pos;
  }
  std::uint32_t left = static_cast<std::uint32_t>(bits >> 20) & 0xFFFFF, right = static_cast<std::uint32_t>(bits) & 0xFFFFF;
  for (int i = 3; i >= 0; --i) {
    const std::uint32_t prev = right ^ round(i, left);
    right = left;
    left = prev;
  }
  return static_cast<std::uint64_t>(left) << 20 | right;
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
