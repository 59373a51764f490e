// A participant's mail as a MIME message (RFC 5322, 2045-2049), built with GMime: the text and an HTML version of it
// as multipart/alternative, inside multipart/related with the image the HTML shows when the message carries one (the
// ticket's QR code), and the event's calendar beside them when the message carries one.
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

// An image in the HTML version: its URL (a cid: one, the image travelling in the message), text alternative and size
// in pixels (0: not said), shown in a paragraph of its own below the first paragraph that holds `after` (at the end
// when none does).
struct html_image {
  std::string_view src, alt, after;
  int width = 0, height = 0;
};

// The HTML version of a plain text: escaped, one <p> per block of lines between blank lines, line breaks kept,
// http(s) URLs made links, and the image if one is given; `title` is the document's title, `language` its lang.
// Nothing loaded from elsewhere.
std::string html_of_text(std::string_view text, std::string_view title, std::string_view language,
                         const html_image* image = nullptr);

}  // namespace eventd::api
