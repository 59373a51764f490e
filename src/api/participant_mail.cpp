#include "api/participant_mail.hpp"

#include "api/registration_view.hpp"
#include "domain/time.hpp"

namespace eventd::api {
namespace {
// "2026-05-14 09:30" in Swedish time.
std::string starts(const domain::event& e) {
  const auto when = domain::format_rfc3339(e.starts_at, domain::stockholm_offset_minutes(e.starts_at));
  return when.substr(0, 10) + " " + when.substr(11, 5);
}
}  // namespace

std::optional<mail_message> confirmation_mail(const domain::registration& registration, const domain::event& e,
                                              const std::string& public_url, const std::string& manage_token) {
  const auto r = view_of(registration);
  if (!r.email) return std::nullopt;
  const std::string name(r.name.value_or(""));
  const std::string ticket_code(r.ticket_code);
  const bool confirmed = r.status == domain::registration_status::confirmed;
  const std::string date = starts(e);
  const std::string link = public_url + "/manage.html#token=" + manage_token;
  const std::string ticket = public_url + "/ticket.html#token=" + manage_token;
  const std::string position = std::to_string(r.waitlist_position.value_or(0));
  mail_message m;
  m.to = *r.email;
  m.registration_id = r.id;
  if (r.language == "sv") {
    m.subject = (confirmed ? "Din plats: " : "Du står på väntelistan: ") + e.title;
    m.text = "Hej " + name + "!\n\n" +
             (confirmed ? "Du är anmäld till " + e.title + ", " + date + ".\n"
                        : "Evenemanget är fullt. Du står som nummer " + position + " på väntelistan till " + e.title +
                              ", " + date + ". Får du en plats meddelar vi dig.\n") +
             "\nDin biljettkod: " + ticket_code + "\nDin biljett med QR-kod: " + ticket +
             "\n\nSe, ändra, avboka eller radera din anmälan här (länken är personlig, dela den inte):\n" + link + "\n";
  } else {
    m.subject = (confirmed ? "Your place: " : "You are on the waitlist: ") + e.title;
    m.text = "Hello " + name + ",\n\n" +
             (confirmed ? "You are registered for " + e.title + ", " + date + ".\n"
                        : "The event is full. You are number " + position + " on the waitlist for " + e.title + ", " +
                              date + ". We will tell you if a place opens.\n") +
             "\nYour ticket code: " + ticket_code + "\nYour ticket with its QR code: " + ticket +
             "\n\nSee, change, cancel or erase your registration here (the link is personal, do not share it):\n" + link + "\n";
  }
  return m;
}

std::optional<mail_message> promotion_mail(const domain::registration& registration, const domain::event& e) {
  const auto r = view_of(registration);
  if (!r.email) return std::nullopt;
  const std::string name(r.name.value_or(""));
  const std::string ticket_code(r.ticket_code);
  const std::string date = starts(e);
  mail_message m;
  m.to = *r.email;
  m.registration_id = r.id;
  if (r.language == "sv") {
    m.subject = "Du har fått en plats: " + e.title;
    m.text = "Hej " + name + "!\n\nEn plats har blivit ledig och du är nu anmäld till " + e.title + ", " + date +
             ".\n\nDin biljettkod: " + ticket_code +
             "\nDin biljett och länken för att ändra eller avboka finns i det första mejlet du fick från oss.\n"
             "Kan du inte komma? Avboka via den länken, så går platsen till nästa på väntelistan.\n";
  } else {
    m.subject = "A place has opened for you: " + e.title;
    m.text = "Hello " + name + ",\n\nA place has opened and you are now registered for " + e.title + ", " + date +
             ".\n\nYour ticket code: " + ticket_code +
             "\nYour ticket and the link to change or cancel are in the first e-mail we sent you.\n"
             "Cannot come? Cancel through that link, and the place goes to the next person on the waitlist.\n";
  }
  return m;
}

}  // namespace eventd::api
