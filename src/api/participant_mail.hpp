// The mail a participant gets about their registration, composed from what its view shows.
#pragma once

#include "api/mail.hpp"
#include "domain/types.hpp"

#include <optional>
#include <string>

namespace eventd::api {

// The ticket and private link, in the participant's language; nothing when there is no address to write to (erased).
std::optional<mail_message> confirmation_mail(const domain::registration&, const domain::event&, const std::string& public_url,
                                              const std::string& manage_token);
// A place opened from the waitlist, with the ticket and a fresh private link; nothing when there is no address to
// write to (erased).
std::optional<mail_message> promotion_mail(const domain::registration&, const domain::event&, const std::string& public_url,
                                           const std::string& manage_token);
// "Send me my link again": the fresh private link; nothing when there is no address to write to (erased).
std::optional<mail_message> link_mail(const domain::registration&, const domain::event&, const std::string& public_url,
                                      const std::string& manage_token);

}  // namespace eventd::api
