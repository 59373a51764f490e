// A participant's mail as a MIME message (RFC 5322, 2045-2049), built with GMime: the text and an HTML version of it
// as multipart/alternative, and the event's calendar beside them when the message carries one.
#pragma once

#include "api/mail.hpp"
#include "domain/types.hpp"

#include <string>
#include <string_view>

namespace eventd::api {

// Initialises GMime once per process, whichever thread asks first. Every use of GMime comes after it (render_mime
// calls it; so do tests that parse messages back).
void mime_init();

// The whole message with CRLF line ends, as written to an .eml file or handed to the SMTP client (which dot-stuffs
// the transfer itself, so lines starting with "." stay as written here). `from` is a mailbox ("Name <address>").
std::string render_mime(const mail_message&, const std::string& from, domain::time_point date);

// The HTML version of a plain text: escaped, one <p> per block of lines between blank lines, line breaks kept,
// http(s) URLs made links; `title` is the document's title, `language` its lang. Nothing loaded from elsewhere.
std::string html_of_text(std::string_view text, std::string_view title, std::string_view language);

}  // namespace eventd::api
