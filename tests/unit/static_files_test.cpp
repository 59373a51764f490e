// The static-file fallback stays inside the web root: siblings whose names start with the root's name, absolute
// paths made by an empty segment, and folders outside are neither served nor confirmed (found by fuzz_router).
#include "api/services.hpp"
#include "auth/crypto.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <unistd.h>

using namespace eventd;

namespace {

class static_files_test : public ::testing::Test {
protected:
  void SetUp() override {
    auth::init_crypto();
    dir_ = std::filesystem::path(::testing::TempDir()) / ("eventd_static_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    write(dir_ / "web" / "index.html", "home");
    write(dir_ / "web" / "checkin" / "index.html", "door");
    write(dir_ / "web.bak" / "secret.txt", "secret");
    write(dir_ / "webx" / "secret.txt", "secret");
    cfg_.database = (dir_ / "eventd.db").string();
    cfg_.web = (dir_ / "web").string() + "/";
    cfg_.mail = "off";
    db_ = store::make_sqlite_store(cfg_);
    services_ = std::make_unique<api::services>(*db_, cfg_, stats_);
    api::add_static_files(router_, *services_);
  }
  void TearDown() override {
    services_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  static void write(const std::filesystem::path& p, const std::string& text) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  api::response get(const std::string& path) {
    api::request req;
    req.method = "GET";
    req.path = path;
    // Split as they come, without the HTTP layer's checks: the fallback must hold on its own.
    std::size_t start = 1;
    while (start <= path.size()) {
      const auto slash = path.find('/', start);
      req.segments.push_back(path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    std::promise<api::response> p;
    router_.dispatch(req, [&p](api::response r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  std::filesystem::path dir_;
  domain::config cfg_;
  std::unique_ptr<store::store> db_;
  api::metrics stats_;
  std::unique_ptr<api::services> services_;
  api::router router_;
};

TEST_F(static_files_test, serves_files_and_folders_inside_the_root) {
  EXPECT_EQ(get("/").body, "home");
  EXPECT_EQ(get("/checkin/").body, "door");
  EXPECT_EQ(get("/checkin").status, 301);
}

TEST_F(static_files_test, refuses_siblings_that_share_the_roots_name) {
  for (const char* sibling : {"webx", "web.bak"}) {
    const auto abs = (dir_ / sibling / "secret.txt").string();
    auto r = get("/" + abs);  // "//srv/x/web.bak/secret.txt": an empty segment, then an absolute path
    EXPECT_EQ(r.status, 404) << abs;
    EXPECT_EQ(r.body.find("secret"), std::string::npos);
  }
}

TEST_F(static_files_test, does_not_confirm_folders_outside_the_root) {
  EXPECT_EQ(get("/" + dir_.string()).status, 404);
  EXPECT_EQ(get("//tmp").status, 404);
  EXPECT_EQ(get("/checkin//index.html").status, 404);
}

}  // namespace
