// Unicode rules for e-mail addresses and names. Built on ICU and libidn2: system libraries like the C++ library itself,
// so the domain layer stays free of Boost and SQL.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace eventd::domain {

// True when the text holds a character a reader cannot see or that reorders what is shown: format characters (Cf:
// zero-width spaces and joiners, bidirectional embeddings, overrides and isolates, soft hyphen, byte order mark),
// control characters (C0 and C1; tab, CR and LF are allowed when `multiline`), line and paragraph separators,
// private-use and unassigned code points; broken UTF-8 counts too.
bool has_hidden_characters(std::string_view, bool multiline = false);

// The address as stored and compared: NFKC with case folding (full-width letters, the Kelvin sign and a no-break space
// become their plain forms), trimmed, and the domain in its IDNA (UTS #46, non-transitional) ASCII form. nullopt when
// it holds hidden characters or its domain is not a valid international domain name.
std::optional<std::string> canonical_email(std::string_view);

// The text as compared ignoring case: NFKC with full case folding ("ÅSA" = "åsa", "Straße" = "STRASSE").
std::string fold_case(std::string_view);

}  // namespace eventd::domain
