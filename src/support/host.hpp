// The host name that makes this installation's identifiers unique: Message-IDs and calendar UIDs end in it.
#pragma once

#include <string>
#include <string_view>

namespace eventd::support {

// The public URL's host, lower-cased and cut to the characters a domain name uses (no scheme, user, port or path);
// "eventd.invalid" when it has none.
std::string message_host(std::string_view public_url);

}  // namespace eventd::support
