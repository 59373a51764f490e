// QR codes of ticket codes (libqrencode): as SVG for the ticket page, as PNG for the mail.
#pragma once

#include <string>
#include <string_view>

namespace eventd::api {

// A square SVG with a quiet zone of four modules; scales to any size.
std::string qr_svg(std::string_view text);

// The same code as a PNG for mail readers, which show no SVG: one-bit greyscale, a quiet zone of four modules,
// `scale` pixels a module (1 to 32) so it needs no blurring scale-up to be read. Empty when the text cannot be encoded.
std::string qr_png(std::string_view text, int scale);

}  // namespace eventd::api
