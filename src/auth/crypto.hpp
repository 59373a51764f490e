// Random tokens, hashes and password hashing, all from libsodium.
#pragma once

#include <string>
#include <string_view>

namespace eventd::auth {

// Must run once before any other call; safe to call again.
void init_crypto();
// `bytes` random bytes as unpadded base64url.
std::string random_token(std::size_t bytes = 32);
// A ticket code: domain::ticket_length symbols of domain::ticket_alphabet, uniformly drawn.
std::string random_ticket_code();
std::string sha256_hex(std::string_view);
// argon2id via crypto_pwhash_str; `moderate` costs more memory and time than the interactive default.
std::string hash_password(std::string_view password, bool moderate = false);
bool verify_password(std::string_view password, const std::string& hash);
// Compares without leaking where two strings differ.
bool equal_constant_time(std::string_view, std::string_view);

}  // namespace eventd::auth
