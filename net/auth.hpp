#pragma once

// Who is publishing: the token of a request mapped to its username through
// the config's [auth.tokens]. Pure: the caller passes the header values.

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace herald {

/// The token of `Authorization: Bearer <t>` (scheme case-insensitive), or
/// nothing when the header is absent, empty or of another scheme.
std::optional<std::string_view> bearer_token(std::string_view authorization);

/// A known token and the username it maps to.
struct identity {
  std::string token;
  std::string username;
};

/// The identity of the request's token: `Authorization: Bearer <t>` first,
/// then `Token: <t>`. Pass empty views for absent headers. Nothing when
/// neither carries a known token (the request gets 401).
std::optional<identity> identify(std::string_view authorization, std::string_view token_header,
                                 const std::map<std::string, std::string>& tokens);

/// Just the username of identify().
std::optional<std::string> authenticate(std::string_view authorization,
                                        std::string_view token_header,
                                        const std::map<std::string, std::string>& tokens);

} // namespace herald
