// Fuzzes the connection-token (JWT HS256) verifier. A forged token cannot
// get past the signature, so half the inputs are signed here first: that
// lets the fuzzer reach the claims parser with any header and payload. What
// is checked besides crashes: base64url has exactly one encoding per byte
// string, a correctly signed token is never "bad signature", an accepted
// token has a subject, is not expired at `now` and lists only well-formed
// channel entries, and a token signed with another secret never passes.
//
// Input: 1 byte whose low bit chooses the mode, then
//   even: the token text as a client sends it;
//   odd:  newline-separated header JSON, payload JSON, then a channel name
//         (the rest), signed with the server's secret.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "net/connection_token.hpp"
#include "support/jwt_signer.hpp"

using namespace herald;

namespace {

constexpr std::string_view secret = "fuzz-secret";
constexpr int64_t now = 1'700'000'000;

void check_base64url(std::string_view text) {
  auto decoded = decode_base64url(text);
  if (decoded)
    FUZZ_CHECK(test_support::base64url(*decoded) == text);
  auto again = decode_base64url(test_support::base64url(text));
  FUZZ_CHECK(again && *again == text);
}

void check_verdict(const token_check& c, std::string_view channel) {
  if (!c.ok()) {
    FUZZ_CHECK(!c.reason.empty());
    return;
  }
  FUZZ_CHECK(!c.claims.sub.empty());
  FUZZ_CHECK(now - connection_token_clock_skew < c.claims.exp);
  if (!c.claims.channels) {
    FUZZ_CHECK(token_allows_channel(c.claims, channel));
    return;
  }
  for (const auto& entry : *c.claims.channels) {
    FUZZ_CHECK(!entry.empty());
    auto star = entry.find('*');
    FUZZ_CHECK(star == std::string::npos || star + 1 == entry.size());
    if (entry == channel)
      FUZZ_CHECK(token_allows_channel(c.claims, channel));
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1)
    return 0;
  const bool sign = data[0] & 1;
  std::string_view rest{reinterpret_cast<const char*>(data) + 1, size - 1};
  check_base64url(rest);
  if (!sign) {
    auto c = verify_connection_token(rest, secret, now);
    check_verdict(c, "news");
    if (c.ok())
      FUZZ_CHECK(rest.size() <= max_connection_token_size);
    return 0;
  }
  auto header = fuzz::next_line(rest);
  auto payload = fuzz::next_line(rest);
  auto channel = rest;
  const auto token = test_support::sign_jwt(header, payload, secret);
  auto c = verify_connection_token(token, secret, now);
  check_verdict(c, channel);
  if (token.size() <= max_connection_token_size)
    FUZZ_CHECK(c.fault != token_fault::bad_signature);
  // The same token under another secret never passes.
  auto other = verify_connection_token(token, "another-secret", now);
  FUZZ_CHECK(!other.ok());
  return 0;
}
