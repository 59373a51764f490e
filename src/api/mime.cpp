#include "api/mime.hpp"

#include <gmime/gmime.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>

namespace eventd::api {

void mime_init() {
  // g_mime_init is not safe to call from two threads at once; it is never undone (GMime lives as long as the process).
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

namespace {

struct unref {
  void operator()(gpointer object) const { g_object_unref(object); }
};
template <class T>
using owned = std::unique_ptr<T, unref>;

// A header value never carries a line break of its own: it would end the header (and could start another one).
std::string one_line(std::string_view s) {
  std::string out;
  for (char c : s) out += (c == '\r' || c == '\n' || c == '\t') ? ' ' : c;
  return out;
}

// How a text travels. 8bit (7bit when ASCII) keeps it as written, readable in the .eml file and with its links whole;
// quoted-printable only where 8bit cannot carry it, a line longer than 998 octets (RFC 5322 2.1.1); base64 for a NUL.
// (GMime's own choice would also take quoted-printable for a line starting with "From ", which its encoder then
// leaves as it is: links broken across soft line breaks for nothing.)
GMimeContentEncoding encoding_for(std::string_view body) {
  bool eight_bit = false;
  std::size_t line = 0, longest = 0;
  for (char ch : body) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == 0) return GMIME_CONTENT_ENCODING_BASE64;
    if (c >= 0x80) eight_bit = true;
    if (c == '\n') {
      line = 0;
    } else if (c != '\r') {
      longest = std::max(longest, ++line);
    }
  }
  if (longest > 998) return GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
  return eight_bit ? GMIME_CONTENT_ENCODING_8BIT : GMIME_CONTENT_ENCODING_7BIT;
}

// A text part holding `body` as given, in UTF-8 whatever it contains (GMime's own set_text would pick ISO-8859-1 for
// Swedish text and convert it). GMime turns its line ends into CRLF when the message is written.
owned<GMimeTextPart> text_part(const char* subtype, std::string_view body) {
  owned<GMimeTextPart> part(g_mime_text_part_new_with_subtype(subtype));
  g_mime_object_set_content_type_parameter(GMIME_OBJECT(part.get()), "charset", "utf-8");
  owned<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(body.data(), body.size()));
  owned<GMimeDataWrapper> content(g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(GMIME_PART(part.get()), content.get());
  g_mime_part_set_content_encoding(GMIME_PART(part.get()), encoding_for(body));
  return part;
}

// The METHOD of a calendar (RFC 5546), which the text/calendar part must name alike (RFC 6047 2.4); empty when none.
std::string calendar_method(std::string_view calendar) {
  for (std::size_t at = 0; at < calendar.size();) {
    const auto end = calendar.find('\n', at);
    auto line = calendar.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    at = end == std::string_view::npos ? calendar.size() : end + 1;
    if (line.size() < 7 || line.substr(0, 7) != "METHOD:") continue;
    std::string method;
    for (char c : line.substr(7))
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-') method += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    return method;
  }
  return "";
}

void escape_html(std::string_view s, std::string& out) {
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
}

bool url_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u != 0x7f && c != '<' && c != '>' && c != '"' && c != '\'' && c != '`';
}

// One line of text as HTML: escaped, with each http(s) URL a link to itself. Punctuation that ends a sentence is not
// part of the URL.
void line_html(std::string_view line, std::string& out) {
  std::size_t done = 0;
  for (std::size_t at = 0; at < line.size(); ++at) {
    const auto rest = line.substr(at);
    const std::size_t scheme = rest.starts_with("https://") ? 8 : rest.starts_with("http://") ? 7 : 0;
    if (scheme == 0) continue;
    const auto before = at == 0 ? ' ' : line[at - 1];
    if ((before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z') || (before >= '0' && before <= '9')) continue;
    std::size_t end = at + scheme;
    while (end < line.size() && url_char(line[end])) ++end;
    while (end > at + scheme && std::string_view(".,;:!?)]").find(line[end - 1]) != std::string_view::npos) --end;
    if (end == at + scheme) continue;
    const auto url = line.substr(at, end - at);
    escape_html(line.substr(done, at - done), out);
    out += "<a href=\"";
    escape_html(url, out);
    out += "\">";
    escape_html(url, out);
    out += "</a>";
    done = at = end;
    --at;
  }
  escape_html(line.substr(done), out);
}

bool blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

void image_html(const html_image& image, std::string& out) {
  out += "<p><img src=\"";
  escape_html(image.src, out);
  out += "\" alt=\"";
  escape_html(image.alt, out);
  out += '"';
  if (image.width > 0 && image.height > 0)
    out += " width=\"" + std::to_string(image.width) + "\" height=\"" + std::to_string(image.height) + '"';
  out += "></p>\n";
}

// The cid: URL of a Content-ID (RFC 2392): its characters that a URL may not hold as they are %-encoded.
std::string cid_url(std::string_view content_id) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out = "cid:";
  for (char ch : content_id) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        std::string_view("-._~@").find(ch) != std::string_view::npos) {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// The width and height a PNG's header gives (0, 0 when it is no PNG): the HTML names them so that the reader keeps
// the space before the image is shown, and shows it at its size (a QR code scaled up by a fraction blurs).
std::pair<int, int> png_size(std::string_view png) {
  if (png.size() < 24 || png.substr(1, 3) != "PNG" || png.substr(12, 4) != "IHDR") return {0, 0};
  const auto u32 = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = at; i < at + 4; ++i) v = v << 8 | static_cast<unsigned char>(png[i]);
    return v > 10000 ? 0 : static_cast<int>(v);
  };
  return {u32(16), u32(20)};
}

// The image as a part for multipart/related: inline, named by its Content-ID, in base64 (it is binary).
owned<GMimePart> image_part(const inline_image& image, const std::string& content_id) {
  owned<GMimePart> part(g_mime_part_new_with_type("image", "png"));
  owned<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(image.png.data(), image.png.size()));
  owned<GMimeDataWrapper> content(g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(part.get(), content.get());
  g_mime_part_set_content_encoding(part.get(), GMIME_CONTENT_ENCODING_BASE64);
  auto* object = GMIME_OBJECT(part.get());
  g_mime_object_set_content_id(object, content_id.c_str());
  g_mime_object_set_disposition(object, "inline");
  if (!image.filename.empty())
    g_mime_object_set_content_disposition_parameter(object, "filename", one_line(image.filename).c_str());
  return part;
}

}  // namespace

std::string html_of_text(std::string_view text, std::string_view title, std::string_view language,
                         const html_image* image) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"";
  escape_html(language, out);
  out += "\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
  escape_html(title, out);
  out += "</title>\n</head>\n<body>\n";
  bool in_paragraph = false;
  bool holds_anchor = false;  // the paragraph being written holds image->after
  auto end_paragraph = [&] {
    out += "</p>\n";
    in_paragraph = false;
    if (holds_anchor) image_html(*std::exchange(image, nullptr), out);
    holds_anchor = false;
  };
  for (std::size_t at = 0; at <= text.size();) {
    const auto end = std::min(text.find('\n', at), text.size());
    auto line = text.substr(at, end - at);
    at = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (blank(line)) {
      if (in_paragraph) end_paragraph();
      continue;
    }
    out += in_paragraph ? "<br>\n" : "<p>";
    in_paragraph = true;
    if (image && line.find(image->after) != std::string_view::npos) holds_anchor = true;
    line_html(line, out);
  }
  if (in_paragraph) end_paragraph();
  if (image) image_html(*image, out);
  out += "</body>\n</html>\n";
  return out;
}

std::string render_mime(const mail_message& m, const std::string& from, domain::time_point date) {
  mime_init();
  owned<GMimeMessage> message(g_mime_message_new(FALSE));
  auto* headers = GMIME_OBJECT(message.get());

  owned<InternetAddressList> sender(internet_address_list_parse(nullptr, from.c_str()));
  if (!sender || internet_address_list_length(sender.get()) == 0) throw std::runtime_error("mail_from is not a mailbox");
  // A display name beyond ASCII is encoded in UTF-8, not in whichever legacy charset happens to hold it.
  for (int i = 0; i < internet_address_list_length(sender.get()); ++i)
    internet_address_set_charset(internet_address_list_get_address(sender.get(), i), "utf-8");
  internet_address_list_append(g_mime_message_get_from(message.get()), sender.get());
  g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_TO, nullptr, one_line(m.to).c_str());
  const auto subject = one_line(m.subject);
  g_mime_message_set_subject(message.get(), subject.c_str(), "utf-8");
  GDateTime* when = g_date_time_new_from_unix_utc(date);
  g_mime_message_set_date(message.get(), when);
  g_date_time_unref(when);
  std::string id = "<";
  id += one_line(m.message_id);
  id += '>';
  g_mime_object_append_header(headers, "Message-ID", id.c_str(), nullptr);
  g_mime_object_append_header(headers, "MIME-Version", "1.0", nullptr);
  const std::string language = m.language == "sv" ? "sv" : "en";
  g_mime_object_append_header(headers, "Content-Language", language.c_str(), nullptr);

  const bool with_image = m.image && !m.image->png.empty();
  // Named after the message, so unique as RFC 2392 asks: a reader keeping the parts of many messages finds each one's.
  const auto content_id = "image." + (m.message_id.empty() ? std::string("eventd@localhost") : one_line(m.message_id));
  const auto src = cid_url(content_id);
  std::optional<html_image> image;
  if (with_image) {
    const auto [width, height] = png_size(m.image->png);
    image = html_image{src, m.image->alt, m.image->after, width, height};
  }
  const auto html = html_of_text(m.text, subject, language, image ? &*image : nullptr);
  auto alternative = owned<GMimeMultipart>(g_mime_multipart_new_with_subtype("alternative"));
  g_mime_multipart_add(alternative.get(), GMIME_OBJECT(text_part("plain", m.text).get()));
  g_mime_multipart_add(alternative.get(), GMIME_OBJECT(text_part("html", html).get()));
  // The image goes with the alternatives it belongs to (RFC 2387), not beside them as an attachment: readers show it
  // in the HTML and do not list it among the attachments, and the calendar stays an attachment of the whole.
  owned<GMimeMultipart> related;
  auto* body = GMIME_OBJECT(alternative.get());
  if (with_image) {
    related.reset(g_mime_multipart_new_with_subtype("related"));
    g_mime_object_set_content_type_parameter(GMIME_OBJECT(related.get()), "type", "multipart/alternative");
    g_mime_multipart_add(related.get(), body);
    g_mime_multipart_add(related.get(), GMIME_OBJECT(image_part(*m.image, content_id).get()));
    body = GMIME_OBJECT(related.get());
  }
  if (m.calendar.empty()) {
    g_mime_message_set_mime_part(message.get(), body);
  } else {
    auto calendar = text_part("calendar", m.calendar);
    auto* part = GMIME_OBJECT(calendar.get());
    if (const auto method = calendar_method(m.calendar); !method.empty())
      g_mime_object_set_content_type_parameter(part, "method", method.c_str());
    g_mime_object_set_disposition(part, "attachment");
    g_mime_object_set_content_disposition_parameter(part, "filename", "event.ics");
    auto mixed = owned<GMimeMultipart>(g_mime_multipart_new_with_subtype("mixed"));
    g_mime_multipart_add(mixed.get(), body);
    g_mime_multipart_add(mixed.get(), part);
    g_mime_message_set_mime_part(message.get(), GMIME_OBJECT(mixed.get()));
  }

  std::unique_ptr<GMimeFormatOptions, decltype(&g_mime_format_options_free)> options(g_mime_format_options_new(),
                                                                                     g_mime_format_options_free);
  g_mime_format_options_set_newline_format(options.get(), GMIME_NEWLINE_FORMAT_DOS);
  std::unique_ptr<char, decltype(&g_free)> text(g_mime_object_to_string(headers, options.get()), g_free);
  if (!text) throw std::runtime_error("the message could not be rendered");
  return text.get();
}

}  // namespace eventd::api
