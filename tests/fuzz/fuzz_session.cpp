// Sign-in and the session's credentials: the JSON body of POST /api/v1/session through the real handler, and the
// Authorization and Cookie headers that every signed-in route reads. Input: byte 0 picks what the rest is.
// The store has no users, so a well-formed sign-in fails without argon2 (which would make each input cost 50 ms);
// the handler's reading, validation, normalisation and throttling all run.
#include "harness.hpp"

#include <cstddef>
#include <cstdint>

using namespace eventd;

namespace {

fuzz::app& state() {
  static fuzz::app a(fuzz::scratch_dir("session"));
  return a;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  auto& a = state();
  std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  api::request req;
  req.path = "/api/v1/session";
  switch (data[0] % 4) {
    case 0:
      req.method = "POST";
      req.headers["content-type"] = "application/json";
      req.body = std::move(rest);
      break;
    case 1:
      req.method = "GET";
      req.headers["cookie"] = std::move(rest);
      break;
    case 2:
      req.method = "GET";
      req.headers["authorization"] = std::move(rest);
      break;
    case 3:
      req.method = "DELETE";
      req.headers["cookie"] = std::move(rest);
      req.headers["x-csrf-token"] = "fuzz";
      break;
  }
  req.target = req.path;
  const auto res = fuzz::call(a.router, req);
  fuzz::check_response(req, res);
  if (res.status < 400) fuzz::fail("signed in or answered without a user", req, res);
  return 0;
}
