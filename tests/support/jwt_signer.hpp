#pragma once

// Mints connection tokens for the suites: HS256 JWTs signed with OpenSSL's
// HMAC directly, sharing no code with the server's verifier, so a bug there
// cannot hide behind the same bug here. The unit suite checks this signer
// against a token computed with the openssl command line.

#include <cstdint>
#include <string>
#include <string_view>

namespace herald::test_support {

/// base64url without padding (RFC 4648 5), as JWTs use it.
std::string base64url(std::string_view bytes);

/// base64url(header) "." base64url(payload) "." base64url(HMAC-SHA256 of
/// the first two parts under `secret`): any header and payload text, so the
/// suites can sign exactly the wrong things they want to test.
std::string sign_jwt(std::string_view header_json, std::string_view payload_json,
                     std::string_view secret);

/// sign_jwt with the header {"alg":"HS256","typ":"JWT"}.
std::string sign_hs256(std::string_view payload_json, std::string_view secret);

/// {"sub":"<sub>","exp":<exp>} plus `extra` members (",\"channels\":[...]").
std::string claims_json(std::string_view sub, int64_t exp, std::string_view extra = {});

/// Seconds since the epoch, now.
int64_t unix_now();

} // namespace herald::test_support
