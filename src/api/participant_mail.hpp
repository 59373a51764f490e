// The mail a participant gets about their registration, composed from what its view shows.
#pragma once

#include "api/mail.hpp"
#include "domain/types.hpp"

#include <optional>
#include <string>

namespace eventd::api {

// The ticket and private link, in the participant's language, and with a place (not on the waitlist) the ticket's QR
// code as an image the HTML shows; nothing when there is no address to write to (erased).
std::optional<mail_message> confirmation_mail(const domain::registration&, const domain::event&, const std::string& public_url,
                                              const std::string& manage_token);
// A place opened from the waitlist, with the ticket (and its QR code) and a fresh private link; nothing when there is
// no address to write to (erased).
std::optional<mail_message> promotion_mail(const domain::registration&, const domain::event&, const std::string& public_url,
                                           const std::string& manage_token);
// "Send me my link again": the fresh private link; nothing when there is no address to write to (erased).
std::optional<mail_message> link_mail(const domain::registration&, const domain::event&, const std::string& public_url,
                                      const std::string& manage_token);

// A reminder before the start, with the ticket (and its QR code); nothing when there is no address to write to
// (erased).
std::optional<mail_message> reminder_mail(const domain::registration&, const domain::event&, const std::string& public_url,
                                          const std::string& manage_token);
// The event's new time or place, or its cancellation (as the event now is).
std::optional<mail_message> change_mail(const domain::registration&, const domain::event&, const std::string& public_url);
// After the event, to an attendee: the evaluation's link.
std::optional<mail_message> evaluation_mail(const domain::registration&, const domain::event&, const std::string& public_url,
                                            const std::string& manage_token);
// The notice that a person's data for the event were erased, to the address that was erased.
mail_message erasure_mail(const std::string& to, const std::string& language, const domain::event&);
// To a staff account: an invitation to choose a password (kind account_invite) or a link to choose a new one
// (password_reset), in Swedish and English (accounts have no language of their own). Its link is public_url +
// /admin/password.html#token=SECRET, the secret in the fragment so it reaches no server log and no Referer.
mail_message account_mail(const std::string& kind, const std::string& to, const std::string& public_url,
                          const std::string& secret);
// An organiser's message to attendees, framed by a greeting and the event in the participant's language.
std::optional<mail_message> organiser_mail(const domain::registration&, const domain::event&, const std::string& subject,
                                           const std::string& text);

// Partner search: about a meeting with another participant of the forum. kind: meeting_request (someone asks the
// recipient), meeting_accepted, meeting_declined (the answer to the recipient's request), meeting_moved,
// meeting_cancelled. `where` is the slot and table of an accepted or moved meeting ("" otherwise); the link opens the
// partner-search page.
struct meeting_news {
  std::string kind;
  std::string counterpart;  // their name and organisation, as their profile shows it ("" when gone)
  std::string message;      // what the one asking wrote (a request only)
  std::string when;         // "2026-05-14 10:00-10:20" in Swedish time, or ""
  int table = 0;
};
std::optional<mail_message> meeting_mail(const domain::registration&, const domain::event&, const std::string& public_url,
                                         const std::string& manage_token, const meeting_news&);

}  // namespace eventd::api
