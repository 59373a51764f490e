#include "api/tables.hpp"

#include <xlsxwriter.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <stdexcept>
#include <unistd.h>

namespace eventd::api {
namespace {

bool starts_formula(char c) { return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r'; }
bool separator(char c) { return c == ',' || c == ';'; }

std::string number_text(double v) {
  std::array<char, 32> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return ec == std::errc() ? std::string(buf.data(), end) : std::string();
}

void append_field(std::string& out, std::string_view raw) {
  const std::string value = defuse_formulas(raw);
  if (value.find_first_of(",;\"\r\n") == std::string::npos) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_cell(std::string& out, const cell& c) {
  if (const auto* s = std::get_if<std::string>(&c)) append_field(out, *s);
  else if (const auto* i = std::get_if<std::int64_t>(&c)) out += std::to_string(*i);
  else if (const auto* d = std::get_if<double>(&c)) out += number_text(*d);
}

// Excel's rules for a sheet name: 1-31 characters, none of []:*?/\, unique regardless of case.
std::string sheet_name(const std::string& wanted, std::set<std::string>& taken) {
  std::string name;
  for (char c : wanted) name += std::string_view("[]:*?/\\").find(c) == std::string_view::npos ? c : '_';
  if (name.empty()) name = "sheet";
  name.resize(std::min<std::size_t>(name.size(), 31));
  auto folded = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
  };
  std::string candidate = name;
  for (int n = 2; taken.count(folded(candidate)); ++n) {
    const std::string suffix = " (" + std::to_string(n) + ")";
    candidate = name.substr(0, 31 - suffix.size()) + suffix;
  }
  taken.insert(folded(candidate));
  return candidate;
}

void check(lxw_error e, const char* what) {
  if (e != LXW_NO_ERROR) throw std::runtime_error(std::string(what) + ": " + lxw_strerror(e));
}

// A private directory (mkdtemp makes it 0700) removed with what is left in it, whatever happens.
class private_dir {
public:
  private_dir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/eventd-xlsx-XXXXXX";
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("no temporary directory for the workbook");
    path_ = pattern;
  }
  ~private_dir() {
    ::unlink(file().c_str());
    ::rmdir(path_.c_str());
  }
  private_dir(const private_dir&) = delete;
  private_dir& operator=(const private_dir&) = delete;
  const std::string& path() const { return path_; }
  std::string file() const { return path_ + "/book.xlsx"; }

private:
  std::string path_;
};

void write_sheet(lxw_workbook* book, lxw_format* bold, const table& t, const std::string& name) {
  lxw_worksheet* ws = workbook_add_worksheet(book, name.c_str());
  if (!ws) throw std::runtime_error("the sheet could not be added");
  std::vector<std::size_t> widths(t.header.size(), 8);
  auto widen = [&](std::size_t col, std::size_t n) {
    if (col >= widths.size()) widths.resize(col + 1, 8);
    widths[col] = std::max(widths[col], std::min<std::size_t>(n, 60));
  };
  // libxlsxwriter refuses text over Excel's cell limit; cut it there rather than lose the file.
  auto text = [](const std::string& s) {
    constexpr std::size_t max_bytes = 32767;  // Excel's limit is in characters; this many bytes is never more
    if (s.size() <= max_bytes) return s;
    std::size_t n = max_bytes;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // not inside a UTF-8 sequence
    return s.substr(0, n);
  };
  for (std::size_t c = 0; c < t.header.size(); ++c) {
    check(worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), text(t.header[c]).c_str(), bold), "header");
    widen(c, t.header[c].size());
  }
  if (t.rows.size() + 1 > LXW_ROW_MAX) throw std::runtime_error("too many rows for one sheet");
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const auto row = static_cast<lxw_row_t>(r + 1);
    for (std::size_t c = 0; c < t.rows[r].size(); ++c) {
      const auto col = static_cast<lxw_col_t>(c);
      const auto& v = t.rows[r][c];
      if (const auto* s = std::get_if<std::string>(&v)) {
        if (s->empty()) continue;
        // Always as a string: text that looks like a formula stays text.
        check(worksheet_write_string(ws, row, col, text(*s).c_str(), nullptr), "text cell");
        widen(c, s->size());
      } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
        check(worksheet_write_number(ws, row, col, static_cast<double>(*i), nullptr), "number cell");
        widen(c, std::to_string(*i).size());
      } else if (const auto* d = std::get_if<double>(&v)) {
        check(worksheet_write_number(ws, row, col, *d, nullptr), "number cell");
        widen(c, 10);
      }
    }
  }
  for (std::size_t c = 0; c < widths.size(); ++c)
    worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), static_cast<double>(widths[c]) + 2, nullptr);
  worksheet_freeze_panes(ws, 1, 0);
}

}  // namespace

std::string defuse_formulas(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  bool piece_start = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (piece_start) {
      std::size_t j = i;
      while (j < text.size() && text[j] == ' ') ++j;
      if (j < text.size() && starts_formula(text[j])) out += '\'';
    }
    out += text[i];
    piece_start = separator(text[i]);
  }
  return out;
}

void append_csv_row(std::string& out, const std::vector<cell>& row) {
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (i) out += ',';
    append_cell(out, row[i]);
  }
  out += "\r\n";
}

void append_csv_row(std::string& out, const std::vector<std::string>& row) {
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (i) out += ',';
    append_field(out, row[i]);
  }
  out += "\r\n";
}

std::string to_csv(const table& t) {
  std::string out;
  append_csv_row(out, t.header);
  for (const auto& r : t.rows) append_csv_row(out, r);
  return out;
}

std::string to_xlsx(const std::vector<table>& tables) {
  private_dir dir;
  const std::string file = dir.file();
  lxw_workbook_options options{};
  options.constant_memory = LXW_FALSE;
  options.tmpdir = const_cast<char*>(dir.path().c_str());  // libxlsxwriter's own temporary files stay private too
  lxw_workbook* book = workbook_new_opt(file.c_str(), &options);
  if (!book) throw std::runtime_error("the workbook could not be created");
  try {
    lxw_format* bold = workbook_add_format(book);
    format_set_bold(bold);
    std::set<std::string> taken;
    for (const auto& t : tables) write_sheet(book, bold, t, sheet_name(t.name, taken));
  } catch (...) {
    workbook_close(book);
    throw;
  }
  check(workbook_close(book), "the workbook could not be written");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("the workbook could not be read back");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

response csv_download(std::string csv, const std::string& filename) {
  response res;
  res.content_type = "text/csv; charset=utf-8; header=present";
  res.body = "\xEF\xBB\xBF" + csv;  // the BOM makes spreadsheet programs read UTF-8
  res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

response xlsx_download(std::string bytes, const std::string& filename) {
  response res;
  res.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  res.body = std::move(bytes);
  res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

}  // namespace eventd::api
