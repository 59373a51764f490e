// The erasure journal (issue 12): a restore from a backup must not bring back what people had erased since. Each
// erasure a person asks for is appended, once committed, to a small file beside the database that holds no personal
// data: the registration's id, its event and its creation time, which together name the row and no other (ids of
// rows a restore lost may be taken again by new registrations; their creation time differs). At start, before the
// server listens, every entry is applied again (store::erase_again) and the file is rewritten with the entries that
// still name a row. The retention rule needs no journal: it erases old events again at its next sweep.
#pragma once

#include "store/store.hpp"

#include <mutex>
#include <string>
#include <vector>

namespace eventd::app {

class erasure_journal {
public:
  explicit erasure_journal(std::string path);
  ~erasure_journal();
  erasure_journal(const erasure_journal&) = delete;
  erasure_journal& operator=(const erasure_journal&) = delete;

  // The entries in the file (none when it is missing). Lines that are not entries are skipped and counted.
  static std::vector<store::erasure_entry> read(const std::string& path, int* skipped = nullptr);
  // Replaces the file with these entries, whole or not at all (a temporary file, synced, renamed over it).
  static void rewrite(const std::string& path, const std::vector<store::erasure_entry>&);
  // Appends the erasures people asked for among a commit's changes and syncs the file (from the commit hook).
  void note(const std::vector<store::change>&);
  const std::string& path() const { return path_; }

private:
  std::string path_;
  std::mutex mutex_;
  int fd_ = -1;
};

}  // namespace eventd::app
