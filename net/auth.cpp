#include "net/auth.hpp"

#include <cctype>
#include <utility>

namespace herald {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

/// Compares every byte regardless of where the first difference is, so the
/// time taken does not tell an attacker how much of a token was right.
bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::optional<identity> lookup(std::string_view token,
                               const std::map<std::string, std::string>& tokens) {
  if (token.empty())
    return std::nullopt;
  std::optional<identity> found;
  for (const auto& [known, name] : tokens)
    if (!known.empty() && constant_time_equal(known, token) && !found)
      found = identity{known, name};
  return found;
}

} // namespace

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  authorization = trim(authorization);
  constexpr std::string_view scheme = "bearer";
  if (authorization.size() <= scheme.size())
    return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != scheme[i])
      return std::nullopt;
  char sep = authorization[scheme.size()];
  if (sep != ' ' && sep != '\t')
    return std::nullopt;
  auto token = trim(authorization.substr(scheme.size()));
  if (token.empty())
    return std::nullopt;
  return token;
}

std::optional<identity> identify(std::string_view authorization, std::string_view token_header,
                                 const std::map<std::string, std::string>& tokens) {
  if (auto bearer = bearer_token(authorization))
    if (auto found = lookup(*bearer, tokens))
      return found;
  return lookup(trim(token_header), tokens);
}

std::optional<std::string> authenticate(std::string_view authorization,
                                        std::string_view token_header,
                                        const std::map<std::string, std::string>& tokens) {
  if (auto found = identify(authorization, token_header, tokens))
    return std::move(found->username);
  return std::nullopt;
}

} // namespace herald
