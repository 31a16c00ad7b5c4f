#pragma once

// Connection tokens: compact JWTs (RFC 7519) signed with HMAC-SHA256 (HS256)
// that a backend hands to its logged-in users and that herald checks at the
// WebSocket upgrade (config/herald.toml, [auth]). Only HS256 is accepted, so
// a token's header cannot choose a weaker algorithm ("none") or another key.
// Pure: the caller passes the secret and the time, so every rule is
// unit-tested directly.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald {

/// Longer tokens are refused before anything is decoded. A token with a
/// username and a few dozen channel entries is a few hundred bytes; 4 KiB
/// leaves room while bounding the work an anonymous client can cause.
inline constexpr std::size_t max_connection_token_size = 4096;

/// How far exp and nbf may be off: the backend that issues tokens and herald
/// read different clocks, which drift seconds apart even under NTP. 30 s
/// hides that without noticeably lengthening a token's life (minutes).
inline constexpr int64_t connection_token_clock_skew = 30;

/// What a valid token says.
struct connection_claims {
  std::string sub; // the username (non-empty)
  int64_t exp = 0; // seconds since the epoch
  /// Channel names and prefixes ending in '*' it may subscribe to; none:
  /// every channel.
  std::optional<std::vector<std::string>> channels;
};

enum class token_fault {
  none,
  too_large,
  malformed,       // not three base64url parts, not JSON, a claim missing or mistyped
  unsupported_header, // alg other than HS256, a typ other than JWT, a crit header
  bad_signature,
  expired,
  not_yet_valid,
};

/// Either claims (fault == none) or why the token is refused: `reason` is
/// short, says nothing about the secret, and never repeats the token.
struct token_check {
  token_fault fault = token_fault::none;
  std::string reason;
  connection_claims claims;

  bool ok() const { return fault == token_fault::none; }
};

/// Checks signature, then claims, then time (`now`: seconds since the
/// epoch): expired when now >= exp + skew, not yet valid when now < nbf -
/// skew. A forged token is "bad signature" whatever its claims say. Of a
/// claim given twice the last counts (RFC 7519 7.2). iat, iss, aud and other
/// claims are ignored: the secret is herald's own.
token_check verify_connection_token(std::string_view token, std::string_view secret, int64_t now);

/// Whether the claims cover `channel`: no channel list covers every channel;
/// otherwise an entry equal to it, or an entry "prefix*" it starts with
/// ("*" alone covers every channel).
bool token_allows_channel(const connection_claims& claims, std::string_view channel);

/// Strict base64url (RFC 4648 5) without padding: nothing for '=' or any
/// other character outside the alphabet, for a length of 4n+1, or for unused
/// low bits that are not zero (so each byte string has one encoding).
std::optional<std::string> decode_base64url(std::string_view text);

} // namespace herald
