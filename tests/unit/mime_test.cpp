// A participant's mail as a mail reader sees it: each rendered message is parsed back with GMime's own parser and
// checked the way a reader would show it (decoded subject and sender, the text and HTML alternatives, the ticket's QR
// code shown in the HTML from a part of the message, the calendar attachment only where one was given), in both
// languages.
#include "api/mime.hpp"

#include "api/participant_mail.hpp"
#include "api/qr.hpp"

#include <gmime/gmime.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using eventd::api::mail_message;
using eventd::api::render_mime;

struct unref {
  void operator()(gpointer object) const { g_object_unref(object); }
};
using parsed = std::unique_ptr<GMimeMessage, unref>;

const std::string from = "Networking Europe – Sensus <no-reply@example.org>";
const std::string manage = "https://events.example.org/manage.html#token=7-Ab_cD-ef";

mail_message swedish() {
  mail_message m;
  m.to = "ada@example.org";
  m.subject = "Du står på väntelistan: Möte i Göteborg";
  m.text = "Hej Ada <script>alert(1)</script>!\n\nEvenemanget är fullt. Du står som nummer 2 på väntelistan.\n\n"
           "Se, ändra eller avboka din anmälan här:\n" + manage + "\n";
  m.registration_id = 7;
  m.message_id = "waitlisted.7.abc@events.example.org";
  m.language = "sv";
  return m;
}

mail_message english() {
  mail_message m = swedish();
  m.subject = "Your place: Meeting in Göteborg";
  m.text = "Hello Ada <script>alert(1)</script>,\n\nYou are registered for Meeting in Göteborg.\n\n"
           "See, change or cancel your registration here:\n" + manage + "\n";
  m.message_id = "confirmation.7.abc@events.example.org";
  m.language = "en";
  return m;
}

const std::string calendar =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Networking Europe//eventd//EN\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\n"
    "UID:event-3@events.example.org\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:20300312T080000Z\r\n"
    "DTEND:20300312T110000Z\r\nSUMMARY:Möte i Göteborg\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

parsed parse(const std::string& text) {
  std::unique_ptr<GMimeStream, unref> stream(g_mime_stream_mem_new_with_buffer(text.data(), text.size()));
  std::unique_ptr<GMimeParser, unref> parser(g_mime_parser_new_with_stream(stream.get()));
  return parsed(g_mime_parser_construct_message(parser.get(), nullptr));
}

std::string type_of(GMimeObject* part) {
  auto* t = g_mime_object_get_content_type(part);
  return std::string(g_mime_content_type_get_media_type(t)) + "/" + g_mime_content_type_get_media_subtype(t);
}

// A text part's content decoded (transfer encoding and charset), line ends as LF.
std::string text_of(GMimeObject* part) {
  std::unique_ptr<char, decltype(&g_free)> text(g_mime_text_part_get_text(GMIME_TEXT_PART(part)), g_free);
  std::string out;
  for (const char* c = text.get(); c && *c; ++c)
    if (*c != '\r') out += *c;
  return out;
}

// Every leaf part, depth first, in order.
void leaves(GMimeObject* part, std::vector<GMimeObject*>& out) {
  if (GMIME_IS_MULTIPART(part)) {
    auto* multi = GMIME_MULTIPART(part);
    for (int i = 0; i < g_mime_multipart_get_count(multi); ++i) leaves(g_mime_multipart_get_part(multi, i), out);
  } else {
    out.push_back(part);
  }
}
std::vector<GMimeObject*> leaves(GMimeMessage* m) {
  std::vector<GMimeObject*> out;
  leaves(g_mime_message_get_mime_part(m), out);
  return out;
}
GMimeObject* leaf(GMimeMessage* m, const std::string& type) {
  for (auto* part : leaves(m))
    if (type_of(part) == type) return part;
  return nullptr;
}

std::string header_block(const std::string& text) { return text.substr(0, text.find("\r\n\r\n") + 2); }

// A leaf's content with its transfer encoding undone, as bytes.
std::string bytes_of(GMimeObject* part) {
  std::unique_ptr<GMimeStream, unref> stream(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(g_mime_part_get_content(GMIME_PART(part)), stream.get());
  auto* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

// A registration as the outbox's composer reads it, and its event.
eventd::domain::registration ada(eventd::domain::registration_status status, const std::string& language) {
  eventd::domain::registration r;
  r.id = 7;
  r.event_id = 3;
  r.status = status;
  if (status == eventd::domain::registration_status::waitlisted) r.waitlist_position = 2;
  r.ticket_code = "K7QH3MPX";
  r.person.name = "Ada";
  r.person.email = "ada@example.org";
  r.person.language = language;
  return r;
}
eventd::domain::event meeting() {
  eventd::domain::event e;
  e.id = 3;
  e.title = "Möte i Göteborg";
  e.starts_at = 1'899'878'400;
  e.status = eventd::domain::event_status::published;
  return e;
}
const std::string site = "https://events.example.org";
const std::string token = "7-Ab_cD-ef";

TEST(mime, the_subject_with_swedish_letters_decodes_exactly_and_the_header_block_stays_ascii) {
  const auto text = render_mime(swedish(), from, 1'900'000'000);
  const auto m = parse(text);
  ASSERT_TRUE(m);
  EXPECT_STREQ(g_mime_message_get_subject(m.get()), "Du står på väntelistan: Möte i Göteborg");
  for (unsigned char c : header_block(text)) ASSERT_LT(c, 0x80) << header_block(text);
}

TEST(mime, in_either_language_a_text_and_an_html_alternative_in_utf8_with_the_language_named) {
  for (const auto& message : {swedish(), english()}) {
    const auto m = parse(render_mime(message, from, 1'900'000'000));
    ASSERT_TRUE(m);
    auto* body = g_mime_message_get_mime_part(m.get());
    EXPECT_EQ(type_of(body), "multipart/alternative");
    ASSERT_EQ(leaves(m.get()).size(), 2u);
    auto* plain = leaves(m.get())[0];
    auto* html = leaves(m.get())[1];
    EXPECT_EQ(type_of(plain), "text/plain") << "the plain text first: the last alternative is the preferred one";
    EXPECT_EQ(type_of(html), "text/html");
    for (auto* part : {plain, html}) EXPECT_STREQ(g_mime_object_get_content_type_parameter(part, "charset"), "utf-8");
    EXPECT_EQ(text_of(plain), message.text) << "the text exactly as composed";
    // GMime files the Content-* headers of a message under its top-level entity, which they describe.
    EXPECT_STREQ(g_mime_object_get_header(body, "Content-Language"), message.language.c_str());
    EXPECT_NE(text_of(html).find("<html lang=\"" + message.language + "\">"), std::string::npos) << text_of(html);
    EXPECT_NE(text_of(html).find("<title>" + message.subject + "</title>"), std::string::npos) << text_of(html);
  }
}

TEST(mime, the_html_escapes_what_a_name_holds_and_links_the_private_link_and_loads_nothing) {
  const auto m = parse(render_mime(swedish(), from, 1'900'000'000));
  ASSERT_TRUE(m);
  auto* html_part = leaf(m.get(), "text/html");
  ASSERT_TRUE(html_part);
  const auto html = text_of(html_part);
  EXPECT_EQ(html.find("<script"), std::string::npos) << html;
  EXPECT_NE(html.find("Hej Ada &lt;script&gt;alert(1)&lt;/script&gt;!"), std::string::npos) << html;
  EXPECT_NE(html.find("<a href=\"" + manage + "\">" + manage + "</a>"), std::string::npos) << html;
  EXPECT_NE(html.find("<p>Se, ändra eller avboka din anmälan här:<br>\n<a href"), std::string::npos)
      << "a paragraph per block, its line breaks kept: " << html;
  for (const char* remote : {"<img", "src=", "<link", "<style", "url(", "<script"})
    EXPECT_EQ(html.find(remote), std::string::npos) << remote;
}

TEST(mime, the_calendar_is_an_attachment_beside_the_alternatives_only_when_given) {
  const auto without = parse(render_mime(english(), from, 1'900'000'000));
  ASSERT_TRUE(without);
  EXPECT_EQ(type_of(g_mime_message_get_mime_part(without.get())), "multipart/alternative");
  EXPECT_EQ(leaf(without.get(), "text/calendar"), nullptr);

  auto message = english();
  message.calendar = calendar;
  const auto with = parse(render_mime(message, from, 1'900'000'000));
  ASSERT_TRUE(with);
  auto* body = g_mime_message_get_mime_part(with.get());
  ASSERT_EQ(type_of(body), "multipart/mixed");
  ASSERT_EQ(g_mime_multipart_get_count(GMIME_MULTIPART(body)), 2);
  EXPECT_EQ(type_of(g_mime_multipart_get_part(GMIME_MULTIPART(body), 0)), "multipart/alternative");
  auto* part = g_mime_multipart_get_part(GMIME_MULTIPART(body), 1);
  ASSERT_EQ(type_of(part), "text/calendar");
  EXPECT_STREQ(g_mime_object_get_content_type_parameter(part, "charset"), "utf-8");
  EXPECT_STREQ(g_mime_object_get_content_type_parameter(part, "method"), "PUBLISH");
  EXPECT_STREQ(g_mime_object_get_disposition(part), "attachment");
  EXPECT_STREQ(g_mime_part_get_filename(GMIME_PART(part)), "event.ics");
  std::string unix_calendar;
  for (char c : calendar)
    if (c != '\r') unix_calendar += c;
  EXPECT_EQ(text_of(part), unix_calendar);
  EXPECT_EQ(text_of(leaf(with.get(), "text/plain")), message.text);
}

TEST(mime, the_calendar_part_names_the_method_its_calendar_has) {
  auto message = english();
  message.calendar = calendar;
  message.calendar.replace(message.calendar.find("METHOD:PUBLISH"), 14, "METHOD:REQUEST");
  auto m = parse(render_mime(message, from, 1'900'000'000));
  EXPECT_STREQ(g_mime_object_get_content_type_parameter(leaf(m.get(), "text/calendar"), "method"), "REQUEST");
  message.calendar.erase(message.calendar.find("METHOD:REQUEST\r\n"), 16);
  m = parse(render_mime(message, from, 1'900'000'000));
  EXPECT_EQ(g_mime_object_get_content_type_parameter(leaf(m.get(), "text/calendar"), "method"), nullptr)
      << "no METHOD in the calendar, none on the part";
}

TEST(mime, the_headers_name_the_message_its_sender_recipient_date_and_language) {
  const auto text = render_mime(swedish(), from, 1'900'000'000);
  EXPECT_NE(text.find("\r\nMessage-ID: <waitlisted.7.abc@events.example.org>\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\r\nMIME-Version: 1.0\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\r\nContent-Language: sv\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("From: Networking Europe =?UTF-8?"), std::string::npos) << "the dash in UTF-8: " << text;
  const auto m = parse(text);
  ASSERT_TRUE(m);
  EXPECT_STREQ(g_mime_message_get_message_id(m.get()), "waitlisted.7.abc@events.example.org");
  auto* senders = g_mime_message_get_from(m.get());
  ASSERT_EQ(internet_address_list_length(senders), 1);
  auto* sender = internet_address_list_get_address(senders, 0);
  EXPECT_STREQ(internet_address_get_name(sender), "Networking Europe – Sensus");
  EXPECT_STREQ(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(sender)), "no-reply@example.org");
  auto* to = g_mime_message_get_addresses(m.get(), GMIME_ADDRESS_TYPE_TO);
  ASSERT_EQ(internet_address_list_length(to), 1);
  EXPECT_STREQ(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(internet_address_list_get_address(to, 0))),
               "ada@example.org");
  EXPECT_EQ(g_date_time_to_unix(g_mime_message_get_date(m.get())), 1'900'000'000);
}

TEST(mime, a_line_break_in_a_header_value_cannot_start_another_header) {
  auto message = english();
  message.subject = "Your place\r\nBcc: everyone@example.org";
  const auto headers = header_block(render_mime(message, from, 1'900'000'000));
  EXPECT_EQ(headers.find("\r\nBcc:"), std::string::npos) << headers;
  EXPECT_NE(headers.find("\r\nSubject: Your place  Bcc: everyone@example.org\r\n"), std::string::npos) << headers;
}

TEST(mime, every_line_ends_in_crlf_and_none_is_longer_than_998_octets) {
  auto message = swedish();
  message.text = "short\n" + std::string(1500, 'x') + "\nFrom here, a line mailbox files would mangle\n.\n";
  message.calendar = calendar;
  const auto text = render_mime(message, from, 1'900'000'000);
  std::size_t line = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      ASSERT_TRUE(i > 0 && text[i - 1] == '\r') << "a bare LF at " << i;
      line = 0;
    } else if (text[i] != '\r') {
      ASSERT_LE(++line, 998u) << "at " << i;
    }
  }
  // The long line made the text quoted-printable; decoded, it is the text as written.
  const auto m = parse(text);
  auto* plain = leaf(m.get(), "text/plain");
  EXPECT_EQ(g_mime_part_get_content_encoding(GMIME_PART(plain)), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
  EXPECT_EQ(text_of(plain), message.text);
  EXPECT_EQ(g_mime_part_get_content_encoding(GMIME_PART(leaf(m.get(), "text/calendar"))), GMIME_CONTENT_ENCODING_8BIT);
}

TEST(mime, the_text_goes_as_8bit_so_the_file_shows_it_as_written) {
  const auto text = render_mime(swedish(), from, 1'900'000'000);
  EXPECT_NE(text.find("Evenemanget är fullt."), std::string::npos) << text;
  EXPECT_NE(text.find("\r\n" + manage + "\r\n"), std::string::npos) << "the private link whole, on a line of its own";
  const auto m = parse(text);
  EXPECT_EQ(g_mime_part_get_content_encoding(GMIME_PART(leaf(m.get(), "text/plain"))), GMIME_CONTENT_ENCODING_8BIT);
}

TEST(mime, threads_rendering_at_the_same_time_each_get_a_whole_message) {
  // Run alone (ctest runs each test in its own process), this is also GMime's first use: its one-time set-up races.
  std::vector<std::string> out(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < out.size(); ++i)
    threads.emplace_back([&out, i] {
      auto message = english();
      message.calendar = calendar;
      for (int round = 0; round < 20; ++round) out[i] = render_mime(message, from, 1'900'000'000);
    });
  for (auto& t : threads) t.join();
  for (const auto& text : out) {
    const auto m = parse(text);
    ASSERT_TRUE(m);
    EXPECT_EQ(leaves(m.get()).size(), 3u);
  }
}

TEST(mime, a_confirmed_place_shows_the_tickets_qr_code_in_the_html_from_a_part_related_to_it) {
  using eventd::domain::registration_status;
  for (const auto& [language, alt] : {std::pair<std::string, std::string>{"sv", "QR-kod för biljett K7QH3MPX"},
                                      {"en", "QR code of ticket K7QH3MPX"}}) {
    auto message = eventd::api::confirmation_mail(ada(registration_status::confirmed, language), meeting(), site, token);
    ASSERT_TRUE(message && message->image) << language;
    message->message_id = "confirmation.7.12.abc@events.example.org";
    const auto m = parse(render_mime(*message, from, 1'900'000'000));
    ASSERT_TRUE(m);
    auto* body = g_mime_message_get_mime_part(m.get());
    ASSERT_EQ(type_of(body), "multipart/related");
    EXPECT_STREQ(g_mime_object_get_content_type_parameter(body, "type"), "multipart/alternative") << "RFC 2387's root type";
    ASSERT_EQ(g_mime_multipart_get_count(GMIME_MULTIPART(body)), 2);
    EXPECT_EQ(type_of(g_mime_multipart_get_part(GMIME_MULTIPART(body), 0)), "multipart/alternative") << "the root first";
    auto* image = g_mime_multipart_get_part(GMIME_MULTIPART(body), 1);
    ASSERT_EQ(type_of(image), "image/png");
    EXPECT_STREQ(g_mime_object_get_disposition(image), "inline");
    EXPECT_STREQ(g_mime_part_get_filename(GMIME_PART(image)), "ticket-qr.png");
    EXPECT_EQ(g_mime_part_get_content_encoding(GMIME_PART(image)), GMIME_CONTENT_ENCODING_BASE64);
    EXPECT_EQ(bytes_of(image), eventd::api::qr_png("K7QH3MPX", 6)) << "the ticket code's QR code, byte for byte";
    const char* content_id = g_mime_object_get_content_id(image);
    ASSERT_TRUE(content_id);
    EXPECT_EQ(std::string(content_id), "image.confirmation.7.12.abc@events.example.org") << "unique: named by the message";

    const auto html = text_of(leaf(m.get(), "text/html"));
    // (21 + 8) modules of 6 pixels: a version 1 code for the 8 characters of a ticket code, and its quiet zone.
    const auto img =
        "<p><img src=\"cid:" + std::string(content_id) + "\" alt=\"" + alt + "\" width=\"174\" height=\"174\"></p>";
    const auto at = html.find(img);
    ASSERT_NE(at, std::string::npos) << "the part the HTML shows, its alternative text naming the ticket: " << html;
    const auto code = html.find("K7QH3MPX");
    EXPECT_LT(code, at);
    EXPECT_EQ(html.find("</p>", code) + 5, at) << "right below the paragraph with the ticket code: " << html;
    EXPECT_EQ(text_of(leaf(m.get(), "text/plain")), message->text) << "the text as composed: it has the code and the link";
  }
}

TEST(mime, with_the_calendar_the_related_part_and_the_calendar_are_the_two_parts_of_multipart_mixed) {
  using eventd::domain::registration_status;
  auto message = eventd::api::confirmation_mail(ada(registration_status::confirmed, "sv"), meeting(), site, token);
  ASSERT_TRUE(message);
  message->message_id = "confirmation.7.12.abc@events.example.org";
  message->calendar = calendar;
  const auto m = parse(render_mime(*message, from, 1'900'000'000));
  ASSERT_TRUE(m);
  auto* body = g_mime_message_get_mime_part(m.get());
  ASSERT_EQ(type_of(body), "multipart/mixed");
  ASSERT_EQ(g_mime_multipart_get_count(GMIME_MULTIPART(body)), 2);
  EXPECT_EQ(type_of(g_mime_multipart_get_part(GMIME_MULTIPART(body), 0)), "multipart/related");
  auto* attached = g_mime_multipart_get_part(GMIME_MULTIPART(body), 1);
  EXPECT_EQ(type_of(attached), "text/calendar");
  EXPECT_STREQ(g_mime_object_get_disposition(attached), "attachment");
  std::vector<std::string> types;
  for (auto* part : leaves(m.get())) types.push_back(type_of(part));
  EXPECT_EQ(types, (std::vector<std::string>{"text/plain", "text/html", "image/png", "text/calendar"}));
}

TEST(mime, a_waitlist_notice_has_no_image_and_stays_multipart_alternative) {
  for (const char* language : {"sv", "en"}) {
    auto message =
        eventd::api::confirmation_mail(ada(eventd::domain::registration_status::waitlisted, language), meeting(), site, token);
    ASSERT_TRUE(message);
    EXPECT_FALSE(message->image) << "a place on the waitlist is no ticket at the door";
    message->message_id = "waitlisted.7.12.abc@events.example.org";
    const auto m = parse(render_mime(*message, from, 1'900'000'000));
    ASSERT_TRUE(m);
    EXPECT_EQ(type_of(g_mime_message_get_mime_part(m.get())), "multipart/alternative");
    EXPECT_EQ(leaf(m.get(), "image/png"), nullptr);
    EXPECT_EQ(text_of(leaf(m.get(), "text/html")).find("<img"), std::string::npos);
  }
}

TEST(mime, the_mails_that_carry_the_ticket_carry_its_qr_code_and_no_others_do) {
  using namespace eventd::api;
  const auto r = ada(eventd::domain::registration_status::confirmed, "en");
  const auto e = meeting();
  for (const auto& m : {promotion_mail(r, e, site, token), reminder_mail(r, e, site, token)}) {
    ASSERT_TRUE(m && m->image) << (m ? m->subject : "none");
    EXPECT_EQ(m->image->png, qr_png("K7QH3MPX", 6)) << m->subject;
    EXPECT_EQ(m->image->alt, "QR code of ticket K7QH3MPX");
  }
  for (const auto& m : {link_mail(r, e, site, token), change_mail(r, e, site), evaluation_mail(r, e, site, token),
                        organiser_mail(r, e, "Parking", "Park behind the station.")}) {
    ASSERT_TRUE(m);
    EXPECT_FALSE(m->image) << m->subject;
  }
  EXPECT_FALSE(erasure_mail("ada@example.org", "en", e).image);
}

TEST(mail_html, an_image_goes_below_the_first_paragraph_holding_its_anchor_or_else_at_the_end) {
  using eventd::api::html_image;
  using eventd::api::html_of_text;
  const html_image image{"cid:a@b", "Code \"X1\" <here>", "X1", 10, 12};
  const auto html = html_of_text("Hello\n\nCode: X1\nmore\n\nX1 again\n", "T", "en", &image);
  EXPECT_NE(html.find("<p>Code: X1<br>\nmore</p>\n<p><img src=\"cid:a@b\" alt=\"Code &quot;X1&quot; &lt;here&gt;\" "
                      "width=\"10\" height=\"12\"></p>\n<p>X1 again</p>"),
            std::string::npos) << html;
  EXPECT_EQ(html.find("<img", html.find("<img") + 1), std::string::npos) << "once";
  const html_image elsewhere{"cid:a@b", "alt", "nowhere", 0, 0};
  EXPECT_NE(html_of_text("Hello\n", "T", "en", &elsewhere)
                .find("<p>Hello</p>\n<p><img src=\"cid:a@b\" alt=\"alt\"></p>\n</body>"),
            std::string::npos) << "no size when none is known";
}

TEST(mail_html, paragraphs_line_breaks_and_links_without_the_punctuation_after_them) {
  using eventd::api::html_of_text;
  const auto html = html_of_text("One\ntwo &\n\n\nSee https://a.example/x?y=1&z=2. Or (http://b.example/p).\nxhttp://c.example no\n",
                                 "T <1>", "en");
  EXPECT_NE(html.find("<title>T &lt;1&gt;</title>"), std::string::npos) << html;
  EXPECT_NE(html.find("<p>One<br>\ntwo &amp;</p>\n<p>See "), std::string::npos) << html;
  EXPECT_NE(html.find("<a href=\"https://a.example/x?y=1&amp;z=2\">https://a.example/x?y=1&amp;z=2</a>. Or ("),
            std::string::npos) << html;
  EXPECT_NE(html.find("<a href=\"http://b.example/p\">http://b.example/p</a>).<br>"), std::string::npos) << html;
  EXPECT_NE(html.find("<br>\nxhttp://c.example no</p>"), std::string::npos) << "only a URL that starts a word" << html;
  EXPECT_EQ(html.find("<p></p>"), std::string::npos) << "blank lines make no empty paragraphs";
}

}  // namespace
