#include "domain/config.hpp"

#include <algorithm>

namespace eventd::domain {

config::config()
    : home_municipalities{"Botkyrka", "Danderyd", "Ekerö", "Haninge", "Huddinge", "Järfälla", "Lidingö", "Nacka",
                          "Norrtälje", "Nykvarn", "Nynäshamn", "Salem", "Sigtuna", "Sollentuna", "Solna", "Stockholm",
                          "Sundbyberg", "Södertälje", "Tyresö", "Täby", "Upplands-Bro", "Upplands Väsby", "Vallentuna",
                          "Vaxholm", "Värmdö", "Österåker"},
      networks{"euroma", "baltic_sea"},
      focus_areas{"poverty_social_exclusion", "roma", "employment_mobility", "social_innovation_entrepreneurship"},
      seminar_topics{"running_esf_across_borders", "project_management", "budgeting", "culture", "eu_knowledge"} {}

std::string normalise_place(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  bool pending_space = false;
  for (std::size_t i = 0; i < in.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    if (c == ' ' || c == '-' || c == '\t' || c == '_') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) {
      out.push_back(' ');
      pending_space = false;
    }
    if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c + 32));
    } else if (c == 0xC3 && i + 1 < in.size()) {
      // Latin-1 supplement capitals (À..Þ, except ×) lower-case by adding 0x20 to the second byte.
      unsigned char n = static_cast<unsigned char>(in[i + 1]);
      if (n >= 0x80 && n <= 0x9E && n != 0x97) n += 0x20;
      out.push_back(static_cast<char>(c));
      out.push_back(static_cast<char>(n));
      ++i;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

home_region::home_region(const std::vector<std::string>& municipalities) {
  for (const auto& m : municipalities) normalised_.push_back(normalise_place(m));
  std::sort(normalised_.begin(), normalised_.end());
}

bool home_region::contains(std::string_view municipality) const {
  return std::binary_search(normalised_.begin(), normalised_.end(), normalise_place(municipality));
}

}  // namespace eventd::domain
