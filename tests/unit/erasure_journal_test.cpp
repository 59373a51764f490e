// The erasure journal's file: what it reads back, what it skips, and that a rewrite replaces it whole.
#include "app/erasure_journal.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using eventd::app::erasure_journal;
using eventd::store::change;
using eventd::store::erasure_entry;

namespace {

struct journal_file : ::testing::Test {
  std::filesystem::path dir;
  std::string path;
  void SetUp() override {
    char tmpl[] = "/tmp/eventd-journal-XXXXXX";
    dir = ::mkdtemp(tmpl);
    path = (dir / "eventd.db.erasures").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  void write(const std::string& text) { std::ofstream(path, std::ios::binary) << text; }
};

TEST_F(journal_file, a_missing_file_is_an_empty_journal) {
  int skipped = -1;
  EXPECT_TRUE(erasure_journal::read(path, &skipped).empty());
  EXPECT_EQ(skipped, 0);
}

TEST_F(journal_file, notes_only_erasures_people_asked_for_and_reads_them_back) {
  {
    erasure_journal j(path);
    change asked{change::kind::erased, 7, nullptr, 3};
    asked.erased_created_at = 1700000000;
    change by_retention{change::kind::erased, 8, nullptr, 3};  // no creation time: the retention rule's
    change other{change::kind::cancelled, 9, nullptr, 3};
    other.erased_created_at = 1700000001;
    j.note({asked, by_retention, other});
  }
  const auto entries = erasure_journal::read(path);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0], (erasure_entry{7, 3, 1700000000}));
}

TEST_F(journal_file, skips_lines_that_are_not_entries) {
  write("e 1 2 3\n"
        "e 4 5\n"            // cut short
        "e 6 7 8 9\n"        // trailing field
        "x 1 2 3\n"          // unknown kind
        "e -1 2 3\n"         // no such id
        "e 1 0 3\n"          // no such event
        "e 99999999999999999999 1 1\n"  // out of range
        "\n"
        "e 10 11 12");       // the last line without its newline is whole
  int skipped = 0;
  const auto entries = erasure_journal::read(path, &skipped);
  EXPECT_EQ(entries, (std::vector<erasure_entry>{{1, 2, 3}, {10, 11, 12}}));
  EXPECT_EQ(skipped, 6);
}

TEST_F(journal_file, a_rewrite_replaces_the_file_and_later_notes_append_to_it) {
  write("e 1 2 3\ne 4 5 6\n");
  erasure_journal::rewrite(path, {{4, 5, 6}});
  EXPECT_EQ(erasure_journal::read(path), (std::vector<erasure_entry>{{4, 5, 6}}));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  erasure_journal j(path);
  change asked{change::kind::erased, 20, nullptr, 21};
  asked.erased_created_at = 22;
  j.note({asked});
  EXPECT_EQ(erasure_journal::read(path), (std::vector<erasure_entry>{{4, 5, 6}, {20, 21, 22}}));
}

}  // namespace
