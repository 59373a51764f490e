#include "http/url.hpp"

#include <gtest/gtest.h>

namespace eventd::http {
namespace {

std::optional<decoded_target> decode(std::string_view t) {
  std::string why;
  return decode_target(t, why);
}

TEST(Url, DecodesSegmentsAndQuery) {
  auto t = decode("/api/v1/events/42?kind=seminar&q=a+b%20c&empty=&flag");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/api/v1/events/42");
  EXPECT_EQ(t->segments, (std::vector<std::string>{"api", "v1", "events", "42"}));
  EXPECT_EQ(t->query.at("kind"), "seminar");
  EXPECT_EQ(t->query.at("q"), "a b c");
  EXPECT_EQ(t->query.at("empty"), "");
  EXPECT_EQ(t->query.at("flag"), "");
}

TEST(Url, RootAndTrailingSlash) {
  EXPECT_EQ(decode("/")->path, "/");
  EXPECT_TRUE(decode("/")->segments.empty());
  auto t = decode("/checkin/");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/checkin/");
  EXPECT_EQ(t->segments, (std::vector<std::string>{"checkin", ""}));
  EXPECT_EQ(decode("/a%20b.txt")->segments.back(), "a b.txt");
}

TEST(Url, AbsoluteFormKeepsOnlyPathAndQuery) {
  auto t = decode("http://example.org:8080/healthz?x=1");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/healthz");
  EXPECT_EQ(t->query.at("x"), "1");
  EXPECT_EQ(decode("https://example.org")->path, "/");
  EXPECT_FALSE(decode("ftp://example.org/healthz"));
  EXPECT_FALSE(decode("example.org/healthz"));
  EXPECT_FALSE(decode("*"));
}

TEST(Url, RefusesEverythingThatCouldNameAnotherPath) {
  for (const char* bad : {"//etc/passwd", "/%2Fetc%2Fpasswd", "/a//b", "/..", "/a/../b", "/%2e%2e/x", "/%2E%2e", "/.", "/a/./b",
                          "/a%2fb", "/a%00b", "/%", "/%zz", "/a%2", "/a b", "/\x01", "", "?x=1"}) {
    std::string why;
    EXPECT_FALSE(decode_target(bad, why)) << bad;
  }
}

TEST(Url, SaysWhy) {
  std::string why;
  EXPECT_FALSE(decode_target("/a//b", why));
  EXPECT_NE(why.find("empty"), std::string::npos);
  EXPECT_FALSE(decode_target("/%2e%2e/x", why));
  EXPECT_NE(why.find("dot"), std::string::npos);
}

}  // namespace
}  // namespace eventd::http
