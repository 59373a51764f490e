// The ticket's QR code as the PNG the mail carries, read back the way an image decoder reads it: the chunks and their
// CRCs, the zlib stream's stored blocks and Adler-32 (checked here by a table-driven CRC and a second decoder written
// for the test, not the encoder's own code), then the pixels against libqrencode's modules.
#include "api/qr.hpp"

#include <gtest/gtest.h>
#include <qrencode.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace {

using eventd::api::qr_png;

std::uint32_t be32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = at; i < at + 4; ++i) v = v << 8 | static_cast<unsigned char>(s.at(i));
  return v;
}

std::uint32_t crc32(const std::string& bytes) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xffffffffu;
  for (unsigned char b : bytes) c = table[(c ^ b) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

std::uint32_t adler32(const std::string& bytes) {
  std::uint64_t a = 1, b = 0;
  for (unsigned char c : bytes) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  return static_cast<std::uint32_t>(b << 16 | a);
}

struct chunk {
  std::string type, data;
};

// The chunks after the signature, each one's CRC checked (over its type and data, PNG 5.3).
std::vector<chunk> chunks(const std::string& png) {
  std::vector<chunk> out;
  std::size_t at = 8;
  while (at < png.size()) {
    const auto length = be32(png, at);
    chunk c{png.substr(at + 4, 4), png.substr(at + 8, length)};
    EXPECT_EQ(be32(png, at + 8 + length), crc32(c.type + c.data)) << "the CRC of " << c.type;
    out.push_back(c);
    at += 12 + length;
  }
  EXPECT_EQ(at, png.size()) << "the last chunk ends the file";
  return out;
}

// What a zlib stream of stored deflate blocks holds; its header, each block's LEN/NLEN and the Adler-32 checked.
// `blocks` counts the blocks.
std::string inflate_stored(const std::string& z, int& blocks) {
  blocks = 0;
  EXPECT_GE(z.size(), 6u);
  const auto cmf = static_cast<unsigned char>(z.at(0)), flg = static_cast<unsigned char>(z.at(1));
  EXPECT_EQ(cmf & 0x0f, 8) << "deflate";
  EXPECT_LE(cmf >> 4, 7) << "a window of at most 32 KiB";
  EXPECT_EQ((cmf * 256 + flg) % 31, 0) << "FCHECK";
  EXPECT_EQ(flg & 0x20, 0) << "no preset dictionary";
  std::string out;
  std::size_t at = 2;
  for (bool last = false; !last;) {
    const auto header = static_cast<unsigned char>(z.at(at));
    last = header & 1;
    EXPECT_EQ((header >> 1) & 3, 0) << "a stored block";
    if (((header >> 1) & 3) != 0) return out;
    const unsigned len = static_cast<unsigned char>(z.at(at + 1)) | static_cast<unsigned char>(z.at(at + 2)) << 8;
    const unsigned nlen = static_cast<unsigned char>(z.at(at + 3)) | static_cast<unsigned char>(z.at(at + 4)) << 8;
    EXPECT_EQ(len ^ 0xffffu, nlen);
    out += z.substr(at + 5, len);
    at += 5 + len;
    ++blocks;
  }
  EXPECT_EQ(z.size(), at + 4) << "only the Adler-32 after the last block";
  EXPECT_EQ(be32(z, at), adler32(out)) << "the Adler-32 of what the blocks hold";
  return out;
}

struct image {
  std::uint32_t width = 0, height = 0;
  std::string raw;  // the filtered rows as the zlib stream holds them
  int blocks = 0;
  bool dark(std::uint32_t x, std::uint32_t y) const {
    const auto row = 1 + (width + 7) / 8;
    return !((static_cast<unsigned char>(raw.at(y * row + 1 + x / 8)) >> (7 - x % 8)) & 1);
  }
};

// The PNG decoded as far as a one-bit greyscale image needs; every step checked on the way.
image decode(const std::string& png) {
  image out;
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << "the PNG signature";
  const auto all = chunks(png);
  EXPECT_GE(all.size(), 3u);
  if (all.size() < 3) return out;
  EXPECT_EQ(all.front().type, "IHDR") << "IHDR first";
  EXPECT_EQ(all.back().type, "IEND") << "IEND last";
  EXPECT_EQ(all.back().data, "");
  const auto& ihdr = all.front().data;
  EXPECT_EQ(ihdr.size(), 13u);
  out.width = be32(ihdr, 0);
  out.height = be32(ihdr, 4);
  EXPECT_EQ(ihdr.substr(8), std::string("\x01\x00\x00\x00\x00", 5))
      << "bit depth 1, greyscale, deflate, adaptive filtering, no interlace";
  std::string z;
  for (const auto& c : all)
    if (c.type == "IDAT") z += c.data;
  out.raw = inflate_stored(z, out.blocks);
  const auto row = 1 + (out.width + 7) / 8;
  EXPECT_EQ(out.raw.size(), row * out.height) << "a filter byte and the pixels of each row";
  if (out.raw.size() != row * out.height) out.raw.assign(row * out.height, '\xff');
  for (std::uint32_t y = 0; y < out.height; ++y) EXPECT_EQ(out.raw[y * row], 0) << "no filter on row " << y;
  return out;
}

using qr_code = std::unique_ptr<QRcode, decltype(&QRcode_free)>;
qr_code modules(const char* text) {
  return qr_code(QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
}

TEST(qr_png, a_valid_png_whose_size_is_the_modules_and_a_quiet_zone_of_four_at_the_scale) {
  const auto code = modules("K7QH3MPX");
  ASSERT_TRUE(code);
  for (int scale : {1, 3, 6}) {
    const auto png = qr_png("K7QH3MPX", scale);
    const auto img = decode(png);
    EXPECT_EQ(img.width, static_cast<std::uint32_t>((code->width + 8) * scale)) << scale;
    EXPECT_EQ(img.height, img.width);
  }
}

TEST(qr_png, every_module_is_scale_by_scale_pixels_of_its_colour_inside_a_white_quiet_zone) {
  const int scale = 6;
  const auto code = modules("K7QH3MPX");
  ASSERT_TRUE(code);
  const auto img = decode(qr_png("K7QH3MPX", scale));
  const auto n = static_cast<std::uint32_t>(code->width);
  ASSERT_EQ(img.width, (n + 8) * scale);
  // The centre of the top-left finder pattern (its 3x3 core, modules 2-4) is black; the ring around the core white.
  EXPECT_TRUE(img.dark((4 + 3) * scale + scale / 2, (4 + 3) * scale + scale / 2));
  EXPECT_FALSE(img.dark((4 + 1) * scale + scale / 2, (4 + 3) * scale + scale / 2));
  EXPECT_TRUE(img.dark((4 + 0) * scale, (4 + 0) * scale)) << "the finder's outer ring starts after the quiet zone";
  int wrong = 0;
  for (std::uint32_t y = 0; y < img.height; ++y)
    for (std::uint32_t x = 0; x < img.width; ++x) {
      const auto mx = x / scale, my = y / scale;
      const bool quiet = mx < 4 || my < 4 || mx >= n + 4 || my >= n + 4;
      const bool expected = !quiet && (code->data[(my - 4) * n + (mx - 4)] & 1);
      if (img.dark(x, y) != expected && ++wrong <= 5) ADD_FAILURE() << "pixel " << x << "," << y << (quiet ? " (quiet zone)" : "");
    }
  EXPECT_EQ(wrong, 0);
}

TEST(qr_png, pixels_beyond_64_kib_span_several_stored_blocks) {
  const auto img = decode(qr_png("K7QH3MPX", 32));
  EXPECT_GT(img.raw.size(), 65535u);
  EXPECT_EQ(img.blocks, static_cast<int>((img.raw.size() + 65534) / 65535));
  EXPECT_TRUE(img.dark(7 * 32 + 16, 7 * 32 + 16));
  EXPECT_FALSE(img.dark(img.width - 1, img.height - 1));
}

TEST(qr_png, nothing_for_a_text_that_makes_no_code) {
  EXPECT_EQ(qr_png("", 6), "");
  EXPECT_EQ(qr_png(std::string(8000, 'x'), 6), "") << "beyond what a QR code holds";
}

}  // namespace
