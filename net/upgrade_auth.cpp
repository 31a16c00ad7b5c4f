#include "net/upgrade_auth.hpp"

#include "net/connection_token.hpp"
#include "net/ws_options.hpp"

namespace herald {

namespace {

bool is_bearer_entry(std::string_view entry) {
  return entry.substr(0, bearer_protocol_prefix.size()) == bearer_protocol_prefix;
}

upgrade_auth refuse(int status, std::string error) {
  upgrade_auth a;
  a.status = status;
  a.error = std::move(error);
  return a;
}

} // namespace

std::string answer_subprotocol(std::string_view offered,
                               const std::vector<std::string>& supported) {
  auto chosen = choose_subprotocol(offered, supported);
  if (!chosen.empty())
    return chosen;
  bool has_bearer = false;
  bool has_companion = false;
  for (auto entry : subprotocol_entries(offered)) {
    has_bearer = has_bearer || is_bearer_entry(entry);
    has_companion = has_companion || entry == token_companion_protocol;
  }
  return has_bearer && has_companion ? std::string{token_companion_protocol} : std::string{};
}

upgrade_auth authorize_upgrade(const std::optional<std::string>& query_token,
                               std::string_view offered, std::string_view channel,
                               const config& cfg, int64_t now) {
  if (!cfg.require_connection_token)
    return {};
  std::vector<std::string_view> tokens;
  if (query_token && !query_token->empty())
    tokens.emplace_back(*query_token);
  bool from_offer = false;
  for (auto entry : subprotocol_entries(offered))
    if (is_bearer_entry(entry)) {
      tokens.push_back(entry.substr(bearer_protocol_prefix.size()));
      from_offer = true;
    }
  if (tokens.empty())
    return refuse(401, "connection token required");
  // Which one would count is a guess either way; the client should know.
  if (tokens.size() > 1)
    return refuse(400, "more than one connection token");
  if (from_offer && answer_subprotocol(offered, cfg.subprotocols).empty())
    return refuse(400, "a bearer.<token> subprotocol must be offered with \"" +
                         std::string{token_companion_protocol} +
                         "\" or a configured subprotocol");

  auto check = verify_connection_token(tokens.front(), cfg.connection_token_secret, now);
  if (check.fault == token_fault::expired)
    return refuse(401, "connection token expired");
  if (!check.ok())
    return refuse(401, "invalid connection token: " + check.reason);
  upgrade_auth a;
  if (!channel.empty() && !token_allows_channel(check.claims, channel))
    a = refuse(403, "token does not allow channel " + std::string{channel});
  a.username = std::move(check.claims.sub);
  return a;
}

} // namespace herald
