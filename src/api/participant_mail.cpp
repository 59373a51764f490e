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

// What every message about a registration is made from: its person as the view shows them (none once erased), the
// event's start, and the two pages the private link opens.
struct about {
  std::string name, ticket_code, date, link, ticket;
  bool swedish = false;
  mail_message m;
};
std::optional<about> about_registration(const domain::registration& registration, const domain::event& e,
                                        const std::string& public_url, const std::string& manage_token) {
  const auto r = view_of(registration);
  if (!r.email) return std::nullopt;
  about a;
  a.name = std::string(r.name.value_or(""));
  a.ticket_code = std::string(r.ticket_code);
  a.date = starts(e);
  a.link = public_url + "/manage.html#token=" + manage_token;
  a.ticket = public_url + "/ticket.html#token=" + manage_token;
  a.swedish = r.language == "sv";
  a.m.to = *r.email;
  a.m.registration_id = r.id;
  a.m.language = a.swedish ? "sv" : "en";
  return a;
}
}  // namespace

std::optional<mail_message> confirmation_mail(const domain::registration& registration, const domain::event& e,
                                              const std::string& public_url, const std::string& manage_token) {
  auto a = about_registration(registration, e, public_url, manage_token);
  if (!a) return std::nullopt;
  const bool confirmed = registration.status == domain::registration_status::confirmed;
  const std::string position = std::to_string(registration.waitlist_position.value_or(0));
  auto& m = a->m;
  if (a->swedish) {
    m.subject = (confirmed ? "Din plats: " : "Du står på väntelistan: ") + e.title;
    m.text = "Hej " + a->name + "!\n\n" +
             (confirmed ? "Du är anmäld till " + e.title + ", " + a->date + ".\n"
                        : "Evenemanget är fullt. Du står som nummer " + position + " på väntelistan till " + e.title +
                              ", " + a->date + ". Får du en plats meddelar vi dig.\n") +
             "\nDin biljettkod: " + a->ticket_code + "\nDin biljett med QR-kod: " + a->ticket +
             "\n\nSe, ändra, avboka eller radera din anmälan här (länken är personlig, dela den inte):\n" + a->link + "\n";
  } else {
    m.subject = (confirmed ? "Your place: " : "You are on the waitlist: ") + e.title;
    m.text = "Hello " + a->name + ",\n\n" +
             (confirmed ? "You are registered for " + e.title + ", " + a->date + ".\n"
                        : "The event is full. You are number " + position + " on the waitlist for " + e.title + ", " +
                              a->date + ". We will tell you if a place opens.\n") +
             "\nYour ticket code: " + a->ticket_code + "\nYour ticket with its QR code: " + a->ticket +
             "\n\nSee, change, cancel or erase your registration here (the link is personal, do not share it):\n" + a->link + "\n";
  }
  return m;
}

std::optional<mail_message> promotion_mail(const domain::registration& registration, const domain::event& e,
                                           const std::string& public_url, const std::string& manage_token) {
  auto a = about_registration(registration, e, public_url, manage_token);
  if (!a) return std::nullopt;
  auto& m = a->m;
  if (a->swedish) {
    m.subject = "Du har fått en plats: " + e.title;
    m.text = "Hej " + a->name + "!\n\nEn plats har blivit ledig och du är nu anmäld till " + e.title + ", " + a->date +
             ".\n\nDin biljettkod: " + a->ticket_code + "\nDin biljett med QR-kod: " + a->ticket +
             "\n\nSe, ändra, avboka eller radera din anmälan här (länken är personlig, dela den inte; den ersätter "
             "länken i vårt tidigare mejl):\n" + a->link +
             "\n\nKan du inte komma? Avboka via länken, så går platsen till nästa på väntelistan.\n";
  } else {
    m.subject = "A place has opened for you: " + e.title;
    m.text = "Hello " + a->name + ",\n\nA place has opened and you are now registered for " + e.title + ", " + a->date +
             ".\n\nYour ticket code: " + a->ticket_code + "\nYour ticket with its QR code: " + a->ticket +
             "\n\nSee, change, cancel or erase your registration here (the link is personal, do not share it; it "
             "replaces the link in our earlier e-mail):\n" + a->link +
             "\n\nCannot come? Cancel through the link, and the place goes to the next person on the waitlist.\n";
  }
  return m;
}

std::optional<mail_message> link_mail(const domain::registration& registration, const domain::event& e,
                                      const std::string& public_url, const std::string& manage_token) {
  auto a = about_registration(registration, e, public_url, manage_token);
  if (!a) return std::nullopt;
  auto& m = a->m;
  if (a->swedish) {
    m.subject = "Din nya personliga länk: " + e.title;
    m.text = "Hej " + a->name + "!\n\nNågon, troligen du, bad om en ny länk till din anmälan till " + e.title + ", " +
             a->date + ".\n\nSe, ändra, avboka eller radera din anmälan här (länken är personlig, dela den inte):\n" +
             a->link + "\nDin biljett med QR-kod: " + a->ticket +
             "\n\nLänkar i tidigare mejl fungerar inte längre. Bad du inte om det här kan du bortse från mejlet.\n";
  } else {
    m.subject = "Your new private link: " + e.title;
    m.text = "Hello " + a->name + ",\n\nSomeone, probably you, asked for a new link to your registration for " + e.title +
             ", " + a->date + ".\n\nSee, change, cancel or erase your registration here (the link is personal, do not share it):\n" +
             a->link + "\nYour ticket with its QR code: " + a->ticket +
             "\n\nLinks in earlier e-mails no longer work. If you did not ask for this, you can ignore this e-mail.\n";
  }
  return m;
}

}  // namespace eventd::api
