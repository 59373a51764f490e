// QR codes of ticket codes as SVG (libqrencode).
#pragma once

#include <string>
#include <string_view>

namespace eventd::api {

// A square SVG with a quiet zone of four modules; scales to any size.
std::string qr_svg(std::string_view text);

}  // namespace eventd::api
