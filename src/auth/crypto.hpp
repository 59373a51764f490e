// Random tokens, hashes and password hashing, all from libsodium.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eventd::auth {

// Must run once before any other call; safe to call again.
void init_crypto();
// `bytes` random bytes as unpadded base64url.
std::string random_token(std::size_t bytes = 32);
// Turns registration ids into ticket codes and back: a keyed permutation of 40-bit numbers (a four-round Feistel
// network with SipHash as its round function), written as 8 symbols of domain::ticket_alphabet. Codes look random
// and cannot be guessed without the key, yet need no index and never collide.
class ticket_cipher {
public:
  // How a round of the cipher mixes the key in. siphash: SipHash-2-4 (libsodium's crypto_shorthash), every
  // installation made before PostgreSQL decided seats in SQL. sha256: the first bytes of SHA-256(key, round, half),
  // which PostgreSQL computes too (migration 013, eventd_ticket_code), so that a batch of registrations gets its ticket
  // codes inside the statement that draws its ids. An installation keeps its scheme for good (settings
  // "ticket_scheme"): the codes already on paper must keep scanning.
  enum class scheme { siphash = 1, sha256 = 2 };
  // `key_hex`: 32 hex digits (16 bytes).
  explicit ticket_cipher(const std::string& key_hex, scheme = scheme::siphash);
  std::string encode(std::uint64_t id) const;
  // The id a code stands for; nullopt when the code is not 8 symbols of the alphabet.
  std::optional<std::uint64_t> decode(std::string_view code) const;
  static std::string new_key_hex();

private:
  std::uint32_t round(int i, std::uint32_t half) const;
  unsigned char key_[16];
  scheme scheme_;
};
std::string sha256_hex(std::string_view);
// argon2id via crypto_pwhash_str; `moderate` costs more memory and time than the interactive default.
std::string hash_password(std::string_view password, bool moderate = false);
bool verify_password(std::string_view password, const std::string& hash);
// Compares without leaking where two strings differ.
bool equal_constant_time(std::string_view, std::string_view);

}  // namespace eventd::auth
