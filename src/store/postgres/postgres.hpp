// The PostgreSQL store's entry points (issue 11; under construction: the connection and the schema so far).
#pragma once

#include <string>

namespace eventd::store {

// Whether a --db value names a PostgreSQL database (a postgresql:// or postgres:// URL) rather than a SQLite file.
inline bool is_postgres_url(const std::string& db) {
  return db.rfind("postgresql://", 0) == 0 || db.rfind("postgres://", 0) == 0;
}

// Applies the missing migrations of schema/postgresql/ in one transaction (see migrate.cpp). Throws
// std::runtime_error when the server cannot be reached or the database is newer than this binary.
void migrate_postgres(const std::string& url);

}  // namespace eventd::store
