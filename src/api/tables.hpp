// Downloadable tables: a header and rows of text or number cells, written as CSV (RFC 4180, for machines) or as an
// .xlsx workbook (for Excel with any list separator). One place decides how a cell is made safe for a spreadsheet.
#pragma once

#include "api/http_types.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace eventd::api {

// Empty, text, or a number. Text is always written as text (never a formula); numbers as numbers.
using cell = std::variant<std::monostate, std::string, std::int64_t, double>;

struct table {
  std::string name;  // the sheet's name in a workbook (at most 31 characters, none of []:*?/\)
  std::vector<std::string> header;
  std::vector<std::vector<cell>> rows;
};

// Text as a spreadsheet may safely see it in a CSV: wherever a piece of it would start a cell (at the start, or
// after a `,` or `;`, the list separators of English and Swedish settings), optional spaces followed by `=`, `+`,
// `-`, `@`, a tab or a CR get an apostrophe before them, so that no piece is read as a formula.
std::string defuse_formulas(std::string_view text);
// One CSV row (fields separated by commas, CRLF at the end); text is defused and quoted when it holds `,` `;` `"`
// or a line break.
void append_csv_row(std::string& out, const std::vector<cell>& row);
void append_csv_row(std::string& out, const std::vector<std::string>& row);
// The header and every row, without a byte-order mark (csv_download adds it).
std::string to_csv(const table&);
// A workbook with one sheet per table (header in bold, frozen). Written by libxlsxwriter into a private temporary
// directory, read back and removed. Throws std::runtime_error when it cannot be written. Slow: run it off the I/O
// threads (run_heavy).
std::string to_xlsx(const std::vector<table>&);

// The download answers: UTF-8 CSV with a BOM (so spreadsheet programs read UTF-8), or an xlsx workbook.
response csv_download(std::string csv, const std::string& filename);
response xlsx_download(std::string bytes, const std::string& filename);

}  // namespace eventd::api
