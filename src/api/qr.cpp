#include "api/qr.hpp"

#include <qrencode.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>

namespace eventd::api {
namespace {

using qr_code = std::unique_ptr<QRcode, decltype(&QRcode_free)>;

qr_code encode(std::string_view text) {
  const std::string input(text);
  return qr_code(QRcode_encodeString(input.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}

// CRC-32 (ISO 3309, as PNG uses it) a byte at a time from a table: every confirmation, promotion and reminder
// carries a code, so the sender computes this thousands of times a second in a burst.
constexpr auto crc_table = [] {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    std::uint32_t c = n;
    for (int bit = 0; bit < 8; ++bit) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    t[n] = c;
  }
  return t;
}();

std::uint32_t crc32(std::string_view bytes) {
  std::uint32_t crc = 0xffffffff;
  for (char ch : bytes) crc = crc_table[(crc ^ static_cast<unsigned char>(ch)) & 0xff] ^ (crc >> 8);
  return ~crc;
}

// The modulo is taken once per 5552 bytes, the most that cannot overflow 32 bits (RFC 1950's note).
std::uint32_t adler32(std::string_view bytes) {
  std::uint32_t a = 1, b = 0;
  std::size_t at = 0;
  while (at < bytes.size()) {
    const auto end = std::min(bytes.size(), at + 5552);
    for (; at < end; ++at) {
      a += static_cast<unsigned char>(bytes[at]);
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return (b << 16) | a;
}

void put_chunk(std::string& png, const char* type, std::string_view data) {
  put_u32(png, static_cast<std::uint32_t>(data.size()));
  const auto start = png.size();
  png.append(type, 4);
  png.append(data);
  put_u32(png, crc32(std::string_view(png).substr(start)));
}

// A zlib stream (RFC 1950) of stored deflate blocks (RFC 1951 3.2.4), each at most 65535 bytes: a QR code's pixels
// are a few kilobytes at one bit each, so leaving them uncompressed costs little and needs no compression library.
std::string zlib_stored(std::string_view raw) {
  std::string out("\x78\x01", 2);  // deflate, 32 KiB window, no dictionary; 0x7801 is a multiple of 31
  std::size_t at = 0;
  do {
    const auto n = std::min<std::size_t>(raw.size() - at, 65535);
    const bool last = at + n == raw.size();
    out += static_cast<char>(last ? 1 : 0);  // BFINAL, BTYPE 00 (stored); the rest of the byte is padding
    out += static_cast<char>(n & 0xff);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(~n & 0xff);
    out += static_cast<char>((~n >> 8) & 0xff);
    out += raw.substr(at, n);
    at += n;
  } while (at < raw.size());
  put_u32(out, adler32(raw));
  return out;
}

}  // namespace

std::string qr_svg(std::string_view text) {
  const std::string input(text);
  const auto code = encode(text);
  if (!code) return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"/>";
  const int n = code->width;
  const int size = n + 8;
  std::string path;
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x)
      if (code->data[y * n + x] & 1) path += "M" + std::to_string(x + 4) + " " + std::to_string(y + 4) + "h1v1h-1z";
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(size) + " " + std::to_string(size) +
         "\" shape-rendering=\"crispEdges\" role=\"img\"><title>QR " + input + "</title><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
         "<path fill=\"#000\" d=\"" + path + "\"/></svg>";
}

std::string qr_png(std::string_view text, int scale) {
  const auto code = encode(text);
  if (!code) return "";
  scale = std::clamp(scale, 1, 32);
  const int n = code->width;
  const int size = (n + 8) * scale;
  const std::size_t row = 1 + (static_cast<std::size_t>(size) + 7) / 8;  // the filter byte, then 8 pixels a byte
  // White (1) everywhere, then each dark module's pixels cleared; each row's filter byte is 0 (none).
  std::string raw(row * size, '\xff');
  for (int y = 0; y < size; ++y) raw[y * row] = 0;
  // Each row of modules is drawn once, then copied to the other rows of its height.
  for (int my = 0; my < n; ++my) {
    char* first = raw.data() + static_cast<std::size_t>((my + 4) * scale) * row;
    for (int mx = 0; mx < n; ++mx) {
      if (!(code->data[my * n + mx] & 1)) continue;
      for (int x = (mx + 4) * scale; x < (mx + 5) * scale; ++x) first[1 + x / 8] &= static_cast<char>(~(0x80 >> (x % 8)));
    }
    for (int k = 1; k < scale; ++k) std::copy(first, first + row, first + static_cast<std::size_t>(k) * row);
  }
  std::string header;
  put_u32(header, static_cast<std::uint32_t>(size));
  put_u32(header, static_cast<std::uint32_t>(size));
  header += std::string("\x01\x00\x00\x00\x00", 5);  // bit depth 1, greyscale, deflate, adaptive filters, no interlace
  std::string png("\x89PNG\r\n\x1a\n", 8);
  put_chunk(png, "IHDR", header);
  put_chunk(png, "IDAT", zlib_stored(raw));
  put_chunk(png, "IEND", "");
  return png;
}

}  // namespace eventd::api
