// The CSV export's escaping, as a round trip: a participant whose text fields pass the API's validation is
// registered, the event's attendance.csv is fetched through the real handler and read back with an RFC 4180 reader.
// Checks: the file parses, every row has as many fields as the header, each text comes back as it went in (with only
// the apostrophes that defuse a formula added), and no field, split at , and ; (Excel with Swedish settings splits
// at ;), has a piece starting with a character a spreadsheet runs as a formula. The same for api::to_csv directly.
// Input: name, organisation, municipality and country, separated by newlines (which no single-line field may hold).
#include "harness.hpp"

#include "api/tables.hpp"
#include "domain/time.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

using namespace eventd;

namespace {

struct fixtures {
  fuzz::app a{fuzz::scratch_dir("csv")};
  fixtures() { a.sign_in(); }
};

fixtures& state() {
  static fixtures f;
  return f;
}

// RFC 4180: fields separated by commas, rows by CRLF, quoted fields double their quotes. Empty when malformed.
std::vector<std::vector<std::string>> read_csv(std::string_view s, bool& ok) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  ok = true;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '"') {
      ++i;
      for (;;) {
        if (i >= s.size()) { ok = false; return rows; }
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') { field += '"'; i += 2; continue; }
          ++i;
          break;
        }
        field += s[i++];
      }
    } else {
      while (i < s.size() && s[i] != ',' && s[i] != '\r' && s[i] != '\n' && s[i] != '"') field += s[i++];
      if (i < s.size() && s[i] == '"') { ok = false; return rows; }
    }
    row.push_back(std::move(field));
    field.clear();
    if (i < s.size() && s[i] == ',') { ++i; continue; }
    if (s.compare(i, 2, "\r\n") != 0) { ok = false; return rows; }
    i += 2;
    rows.push_back(std::move(row));
    row.clear();
  }
  return rows;
}

bool formula_start(char c) { return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r'; }

// True when `field`, split at every , and ; (the list separators of English and Swedish spreadsheets), has no piece
// that begins, after spaces, with a character a spreadsheet runs as a formula.
bool safe(const std::string& field) {
  bool start = true;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (start) {
      std::size_t j = i;
      while (j < field.size() && field[j] == ' ') ++j;
      if (j < field.size() && formula_start(field[j])) return false;
    }
    start = field[i] == ',' || field[i] == ';';
  }
  return true;
}

// True when `field` is `text` with only apostrophes added, each where a piece begins (the defusing).
bool only_apostrophes_added(const std::string& field, const std::string& text) {
  std::size_t j = 0;
  bool start = true;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (j < text.size() && field[i] == text[j]) {
      start = text[j] == ',' || text[j] == ';';
      ++j;
    } else if (field[i] == '\'' && start) {
      start = false;
    } else {
      return false;
    }
  }
  return j == text.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> parts{""};
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == '\n') parts.emplace_back();
    else parts.back() += static_cast<char>(data[i]);
  }
  parts.resize(4);
  domain::person_fields p;
  p.name = parts[0];
  p.email = "csv@example.org";
  p.organisation = parts[1];
  p.organisation_type = "non_profit";
  // As read_person leaves them: trimmed, and absent when empty.
  if (auto m = domain::trim(parts[2]); !m.empty()) p.municipality = m;
  if (auto c = domain::trim(parts[3]); !c.empty()) p.country = c;
  p.gender = "undisclosed";
  domain::field_errors errors;
  domain::validate_person(p, errors);
  if (!errors.empty()) return 0;  // the API would have refused it

  auto& a = state().a;
  domain::event e;
  e.kind = "seminar";
  e.title = "CSV";
  e.starts_at = domain::now() + 86400;
  e.ends_at = e.starts_at + 3600;
  e.status = domain::event_status::published;
  const auto event = fuzz::wait_ok<domain::event>([&](auto cb) { a.db->create_event(e, cb); });
  fuzz::wait_ok<store::created_registration>([&](auto cb) { a.db->register_person(event.id, p, false, cb); });

  api::request req;
  req.method = "GET";
  req.path = "/api/v1/events/" + std::to_string(event.id) + "/attendance.csv";
  req.target = req.path;
  req.headers["authorization"] = "Bearer " + a.token;
  const auto res = fuzz::call(a.router, req);
  fuzz::check_response(req, res);
  if (res.status != 200 || res.body.rfind("\xEF\xBB\xBF", 0) != 0) fuzz::fail("no CSV with a BOM", req, res);
  bool ok = false;
  const auto rows = read_csv(std::string_view(res.body).substr(3), ok);
  if (!ok || rows.size() != 2) fuzz::fail("the CSV does not read back as a header and one row", req, res);
  const auto& header = rows[0];
  if (rows[1].size() != header.size()) fuzz::fail("a row with another number of fields than the header", req, res);
  auto column = [&](const char* name) {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return rows[1][i];
    fuzz::fail(std::string("no column ") + name, req, res);
  };
  // The store keeps names trimmed.
  auto survived = [&](const char* name, const std::string& text) {
    if (!only_apostrophes_added(column(name), text)) fuzz::fail(std::string("the ") + name + " did not survive", req, res);
  };
  survived("name", domain::trim(p.name));
  survived("organisation", domain::trim(p.organisation));
  if (p.municipality) survived("municipality", *p.municipality);
  if (p.country) survived("country", *p.country);
  for (const auto& f : rows[1])
    if (!safe(f)) fuzz::fail("a field a spreadsheet would run as a formula (at its start or after a , or ;)", req, res);

  // The table writer itself (api/tables.hpp), with the raw parts (carriage returns and all).
  api::table t{"t", {"a", "b", "c", "d", "n"}, {{parts[0], parts[1], parts[2], parts[3], std::int64_t{-1}}}};
  bool table_ok = false;
  const auto table_rows = read_csv(api::to_csv(t), table_ok);
  if (!table_ok || table_rows.size() != 2 || table_rows[1].size() != 5) fuzz::fail("the table's CSV does not read back", req, res);
  for (std::size_t i = 0; i < 4; ++i) {
    if (!safe(table_rows[1][i])) fuzz::fail("a table field a spreadsheet would run as a formula", req, res);
    if (!only_apostrophes_added(table_rows[1][i], parts[i])) fuzz::fail("a table field did not survive", req, res);
  }
  if (table_rows[1][4] != "-1") fuzz::fail("a number cell was changed", req, res);
  return 0;
}
