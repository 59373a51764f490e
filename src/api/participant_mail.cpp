#include "api/participant_mail.hpp"

#include "api/qr.hpp"
#include "api/registration_view.hpp"
#include "domain/time.hpp"

#include <map>

namespace eventd::api {
namespace {
// "2026-05-14 09:30" in Swedish time.
std::string starts(const domain::event& e) {
  const auto when = domain::format_rfc3339(e.starts_at, domain::stockholm_offset_minutes(e.starts_at));
  return when.substr(0, 10) + " " + when.substr(11, 5);
}

std::string venue_of(const domain::event& e) {
  if (!e.place) return {};
  return e.place->name + (e.place->address.empty() ? "" : ", " + e.place->address);
}

// The venue and what it offers for access, as lines of the message ("" when the event names no venue). The words
// are the event page's (web/lib/strings.js).
std::string venue_lines(const domain::event& e, bool swedish) {
  if (!e.place) return {};
  static const std::map<std::string, std::pair<const char*, const char*>> words{
      {"hearing_loop", {"Hörslinga", "Hearing loop"}},
      {"sign_language_interpreter", {"Teckenspråkstolk", "Sign language interpreter"}},
      {"step_free_access", {"Tillgängligt utan trappsteg", "Step-free access"}},
      {"personal_assistant", {"Personlig assistent", "Personal assistant"}},
      {"easy_read", {"Lättläst material", "Easy-read material"}},
      {"large_print", {"Storstil", "Large print"}}};
  std::string access;
  for (const auto& a : e.place->accessibility) {
    const auto it = words.find(a);
    if (it == words.end()) continue;
    if (!access.empty()) access += ", ";
    access += swedish ? it->second.first : it->second.second;
  }
  std::string out = (swedish ? "\nPlats: " : "\nVenue: ") + venue_of(e);
  if (!access.empty()) out += (swedish ? "\nTillgänglighet: " : "\nAccessibility: ") + access;
  return out + "\n";
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

// The ticket's QR code in the HTML version, below the ticket code: shown at the door from the mail itself, where the
// ticket page's link may find no connection. Modules of 6 pixels: about 170 pixels for a ticket code, read by a
// camera from a phone's screen.
std::optional<inline_image> ticket_qr(const about& a) {
  if (a.ticket_code.empty()) return std::nullopt;
  inline_image image;
  image.png = qr_png(a.ticket_code, 6);
  if (image.png.empty()) return std::nullopt;
  image.alt = (a.swedish ? "QR-kod för biljett " : "QR code of ticket ") + a.ticket_code;
  image.after = a.ticket_code;
  image.filename = "ticket-qr.png";
  return image;
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
             venue_lines(e, true) + "\nDin biljettkod: " + a->ticket_code + "\nDin biljett med QR-kod: " + a->ticket +
             "\n\nSe, ändra, avboka eller radera din anmälan här (länken är personlig, dela den inte):\n" + a->link + "\n";
  } else {
    m.subject = (confirmed ? "Your place: " : "You are on the waitlist: ") + e.title;
    m.text = "Hello " + a->name + ",\n\n" +
             (confirmed ? "You are registered for " + e.title + ", " + a->date + ".\n"
                        : "The event is full. You are number " + position + " on the waitlist for " + e.title + ", " +
                              a->date + ". We will tell you if a place opens.\n") +
             venue_lines(e, false) + "\nYour ticket code: " + a->ticket_code + "\nYour ticket with its QR code: " + a->ticket +
             "\n\nSee, change, cancel or erase your registration here (the link is personal, do not share it):\n" + a->link + "\n";
  }
  if (confirmed) m.image = ticket_qr(*a);  // a place on the waitlist is no ticket at the door
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
             ".\n" + venue_lines(e, true) + "\nDin biljettkod: " + a->ticket_code + "\nDin biljett med QR-kod: " + a->ticket +
             "\n\nSe, ändra, avboka eller radera din anmälan här (länken är personlig, dela den inte; den ersätter "
             "länken i vårt tidigare mejl):\n" + a->link +
             "\n\nKan du inte komma? Avboka via länken, så går platsen till nästa på väntelistan.\n";
  } else {
    m.subject = "A place has opened for you: " + e.title;
    m.text = "Hello " + a->name + ",\n\nA place has opened and you are now registered for " + e.title + ", " + a->date +
             ".\n" + venue_lines(e, false) + "\nYour ticket code: " + a->ticket_code + "\nYour ticket with its QR code: " + a->ticket +
             "\n\nSee, change, cancel or erase your registration here (the link is personal, do not share it; it "
             "replaces the link in our earlier e-mail):\n" + a->link +
             "\n\nCannot come? Cancel through the link, and the place goes to the next person on the waitlist.\n";
  }
  m.image = ticket_qr(*a);
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

std::optional<mail_message> reminder_mail(const domain::registration& registration, const domain::event& e,
                                          const std::string& public_url, const std::string& manage_token) {
  auto a = about_registration(registration, e, public_url, manage_token);
  if (!a) return std::nullopt;
  auto& m = a->m;
  const auto where = venue_of(e);
  if (a->swedish) {
    m.subject = "Påminnelse: " + e.title + ", " + a->date;
    m.text = "Hej " + a->name + "!\n\nVälkommen till " + e.title + ", " + a->date + "." +
             (where.empty() ? "" : "\nPlats: " + where) + "\n\nDin biljettkod: " + a->ticket_code +
             "\nDin biljett med QR-kod att visa i entrén: " + a->ticket +
             "\n\nKan du inte komma? Avboka här, så får någon på väntelistan platsen (länken är personlig):\n" + a->link + "\n";
  } else {
    m.subject = "Reminder: " + e.title + ", " + a->date;
    m.text = "Hello " + a->name + ",\n\nWelcome to " + e.title + ", " + a->date + "." +
             (where.empty() ? "" : "\nVenue: " + where) + "\n\nYour ticket code: " + a->ticket_code +
             "\nYour ticket with its QR code to show at the door: " + a->ticket +
             "\n\nCannot come? Cancel here so that someone on the waitlist gets the place (the link is personal):\n" + a->link + "\n";
  }
  m.image = ticket_qr(*a);
  return m;
}

std::optional<mail_message> change_mail(const domain::registration& registration, const domain::event& e,
                                        const std::string& public_url) {
  auto a = about_registration(registration, e, public_url, "");
  if (!a) return std::nullopt;
  auto& m = a->m;
  const auto where = venue_of(e);
  const bool cancelled = e.status == domain::event_status::cancelled;
  const std::string page = public_url + "/event.html?id=" + std::to_string(e.id);
  if (a->swedish) {
    m.subject = (cancelled ? "Inställt: " : "Ändrad tid eller plats: ") + e.title;
    m.text = "Hej " + a->name + "!\n\n" +
             (cancelled ? e.title + " den " + a->date + " är tyvärr inställt. Din anmälan gäller inte längre.\n"
                        : e.title + " har fått ny tid eller plats.\n\nTid: " + a->date +
                              (where.empty() ? std::string() : "\nPlats: " + where) +
                              "\n\nDin anmälan och biljett gäller som förut.\n") +
             "\nMer om evenemanget: " + page + "\n";
  } else {
    m.subject = (cancelled ? "Cancelled: " : "New time or place: ") + e.title;
    m.text = "Hello " + a->name + ",\n\n" +
             (cancelled ? "We are sorry: " + e.title + " on " + a->date + " is cancelled. Your registration no longer applies.\n"
                        : e.title + " has a new time or place.\n\nTime: " + a->date +
                              (where.empty() ? std::string() : "\nVenue: " + where) +
                              "\n\nYour registration and ticket stay valid.\n") +
             "\nAbout the event: " + page + "\n";
  }
  return m;
}

std::optional<mail_message> evaluation_mail(const domain::registration& registration, const domain::event& e,
                                            const std::string& public_url, const std::string& manage_token) {
  auto a = about_registration(registration, e, public_url, manage_token);
  if (!a) return std::nullopt;
  auto& m = a->m;
  if (a->swedish) {
    m.subject = "Vad tyckte du om " + e.title + "?";
    m.text = "Hej " + a->name + "!\n\nTack för att du kom till " + e.title +
             ". Berätta gärna vad du tyckte; det tar en minut och hjälper oss att göra nästa träff bättre:\n" + a->link +
             "\n\nLänken är personlig. Dina svar redovisas bara sammanräknade.\n";
  } else {
    m.subject = "What did you think of " + e.title + "?";
    m.text = "Hello " + a->name + ",\n\nThank you for coming to " + e.title +
             ". Please tell us what you thought; it takes a minute and helps us make the next meeting better:\n" + a->link +
             "\n\nThe link is personal. Your answers are only reported added up with everyone else's.\n";
  }
  return m;
}

mail_message account_mail(const std::string& kind, const std::string& to, const std::string& public_url,
                          const std::string& secret) {
  mail_message m;
  m.to = to;
  m.language = "sv";
  const std::string link = public_url + "/admin/password.html#token=" + secret;
  if (kind == "account_invite") {
    m.subject = "Ditt konto för arrangörssidorna / Your organisers' account";
    m.text = "Hej!\n\nDu har fått ett konto på arrangörssidorna för Networking Europe. Välj ditt lösenord här "
             "(länken gäller i tre dygn och kan användas en gång):\n" + link +
             "\n\nLogga sedan in med den här e-postadressen.\n\n-- \n\n"
             "Hello,\n\nAn account on the Networking Europe organisers' pages has been made for you. Choose your "
             "password here (the link works for three days, once):\n" + link +
             "\n\nThen sign in with this e-mail address.\n";
  } else {
    m.subject = "Välj ett nytt lösenord / Choose a new password";
    m.text = "Hej!\n\nNågon bad om ett nytt lösenord till ditt konto på arrangörssidorna, eller så gjorde en "
             "administratör det åt dig. Välj ett nytt lösenord här (länken kan användas en gång):\n" + link +
             "\n\nOm du inte bad om det här och ditt lösenord fortfarande fungerar kan du bortse från mejlet.\n\n-- \n\n"
             "Hello,\n\nSomeone asked for a new password for your account on the organisers' pages, or an admin did "
             "it for you. Choose a new password here (the link works once):\n" + link +
             "\n\nIf you did not ask for this and your password still works, you can ignore this e-mail.\n";
  }
  return m;
}

mail_message erasure_mail(const std::string& to, const std::string& language, const domain::event& e) {
  mail_message m;
  m.to = to;
  m.language = language == "sv" ? "sv" : "en";
  if (m.language == "sv") {
    m.subject = "Dina uppgifter är raderade: " + e.title;
    m.text = "Hej!\n\nDina personuppgifter i anmälan till " + e.title + ", " + starts(e) +
             ", är nu raderade, som du bad om. Din personliga länk visar bara att anmälan är raderad.\n\n"
             "Kvar finns bara anonyma uppgifter som inte kan knytas till dig (till exempel att en person från en viss "
             "typ av organisation var anmäld). Den här adressen finns inte heller kvar hos oss när mejlet har skickats.\n";
  } else {
    m.subject = "Your data have been erased: " + e.title;
    m.text = "Hello,\n\nYour personal data in the registration for " + e.title + ", " + starts(e) +
             ", have been erased, as you asked. Your private link now only shows that the registration was erased.\n\n"
             "What remains are anonymous facts that cannot be traced to you (for example that a person from a certain "
             "type of organisation was registered). We do not keep this address either once this e-mail has been sent.\n";
  }
  return m;
}

std::optional<mail_message> organiser_mail(const domain::registration& registration, const domain::event& e,
                                           const std::string& subject, const std::string& text) {
  auto a = about_registration(registration, e, "", "");
  if (!a) return std::nullopt;
  auto& m = a->m;
  m.subject = subject;
  if (a->swedish)
    m.text = "Hej " + a->name + "!\n\n" + text + "\n\n-- \nDu får det här mejlet för att du är anmäld till " + e.title + ", " +
             a->date + ".\n";
  else
    m.text = "Hello " + a->name + ",\n\n" + text + "\n\n-- \nYou receive this e-mail because you are registered for " +
             e.title + ", " + a->date + ".\n";
  return m;
}

std::optional<mail_message> meeting_mail(const domain::registration& registration, const domain::event& e,
                                         const std::string& public_url, const std::string& manage_token,
                                         const meeting_news& n) {
  auto a = about_registration(registration, e, public_url, manage_token);
  if (!a) return std::nullopt;
  auto& m = a->m;
  const auto page = public_url + "/partners.html#token=" + manage_token;
  const auto who = n.counterpart.empty() ? std::string(a->swedish ? "En deltagare" : "A participant") : n.counterpart;
  const auto where = n.when.empty() ? std::string()
                                    : (a->swedish ? "\nTid: " : "\nTime: ") + n.when + (a->swedish ? "\nBord: " : "\nTable: ") +
                                          std::to_string(n.table) + "\n";
  std::string what;
  if (n.kind == "meeting_request") {
    m.subject = a->swedish ? "Mötesförfrågan: " + e.title : "Meeting request: " + e.title;
    what = a->swedish ? who + " vill träffa dig på " + e.title + "." : who + " would like to meet you at " + e.title + ".";
    if (!n.message.empty()) what += (a->swedish ? "\n\nMeddelande:\n" : "\n\nMessage:\n") + n.message;
    what += a->swedish ? "\n\nSvara ja eller nej på sidan för partnersök. Säger du ja får ni en tid och ett bord direkt."
                       : "\n\nAccept or decline on the partner-search page. When you accept, you get a time and a table at once.";
  } else if (n.kind == "meeting_accepted") {
    m.subject = a->swedish ? "Mötet är bokat: " + e.title : "Meeting booked: " + e.title;
    what = (a->swedish ? who + " har tackat ja till att träffa dig.\n" : who + " has accepted your meeting request.\n") + where;
  } else if (n.kind == "meeting_declined") {
    m.subject = a->swedish ? "Svar på din mötesförfrågan: " + e.title : "Reply to your meeting request: " + e.title;
    what = a->swedish ? who + " kan inte träffa dig den här gången." : who + " cannot meet you this time.";
  } else if (n.kind == "meeting_moved") {
    m.subject = a->swedish ? "Ny tid eller nytt bord för ditt möte: " + e.title : "New time or table for your meeting: " + e.title;
    what = (a->swedish ? "Arrangören har flyttat ditt möte med " + who + ".\n" : "The organiser has moved your meeting with " + who + ".\n") + where;
  } else if (n.kind == "meeting_cancelled") {
    m.subject = a->swedish ? "Mötet är inställt: " + e.title : "Meeting cancelled: " + e.title;
    what = a->swedish ? "Ditt möte eller din förfrågan med " + who + " är inställd." : "Your meeting or request with " + who + " has been cancelled.";
  } else {
    return std::nullopt;
  }
  m.text = (a->swedish ? "Hej " : "Hello ") + a->name + ",\n\n" + what + "\n\n" +
           (a->swedish ? "Din agenda och dina förfrågningar: " : "Your agenda and requests: ") + page + "\n" +
           (a->swedish ? "\nDin e-postadress visas aldrig för andra deltagare.\n" : "\nYour e-mail address is never shown to other participants.\n");
  return m;
}

}  // namespace eventd::api
