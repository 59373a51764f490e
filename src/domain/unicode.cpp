#include "domain/unicode.hpp"

#include "domain/types.hpp"

#include <idn2.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <cstdlib>

namespace eventd::domain {

bool has_hidden_characters(std::string_view s, bool multiline) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const auto n = static_cast<int32_t>(s.size());
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) return true;  // broken UTF-8
    if (c < 0x80) {
      if (c == 0x7F || (c < 0x20 && !(multiline && (c == '\t' || c == '\n' || c == '\r')))) return true;
      continue;
    }
    switch (u_charType(c)) {
      case U_CONTROL_CHAR:
      case U_FORMAT_CHAR:
      case U_LINE_SEPARATOR:
      case U_PARAGRAPH_SEPARATOR:
      case U_PRIVATE_USE_CHAR:
      case U_SURROGATE:
      case U_UNASSIGNED: return true;
      default: break;
    }
  }
  return false;
}

namespace {

std::optional<std::string> normalised(const icu::Normalizer2* (*instance)(UErrorCode&), std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  const auto* n = instance(status);
  if (U_FAILURE(status)) return std::nullopt;
  const auto out = n->normalize(icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size()))), status);
  if (U_FAILURE(status)) return std::nullopt;
  std::string utf8;
  out.toUTF8String(utf8);
  return utf8;
}

}  // namespace

std::optional<std::string> canonical_email(std::string_view raw) {
  if (raw.size() > 1024 || has_hidden_characters(raw)) return std::nullopt;
  // NFKC first, so a full-width commercial at is an @ and a no-break space a space that trimming removes.
  auto text = normalised(&icu::Normalizer2::getNFKCInstance, raw);
  if (!text) return std::nullopt;
  *text = trim(*text);
  const auto at = text->rfind('@');
  if (at == std::string::npos) return text;  // not an address; the format check says so
  // The local part case-folded (DOMAIN.md compares addresses ignoring case); the domain by IDNA's own mapping, which
  // keeps ß and ς distinct (non-transitional) where a case fold would turn ß into ss.
  auto local = normalised(&icu::Normalizer2::getNFKCCasefoldInstance, std::string_view(*text).substr(0, at));
  if (!local) return std::nullopt;
  std::string domain = text->substr(at + 1);
  bool ascii = true;
  for (unsigned char c : domain) ascii = ascii && c < 0x80;
  if (!ascii) {
    char* out = nullptr;
    if (idn2_to_ascii_8z(domain.c_str(), &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK) {
      std::free(out);
      return std::nullopt;
    }
    domain = out;
    std::free(out);
  }
  for (auto& c : domain)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return *local + '@' + domain;
}

std::string fold_case(std::string_view text) {
  if (auto folded = normalised(&icu::Normalizer2::getNFKCCasefoldInstance, text)) return *folded;
  std::string out(text);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

}  // namespace eventd::domain
