#pragma once

// The connection token of a WebSocket upgrade (config/herald.toml, [auth]):
// where it comes from, whether it lets the client in, and which subprotocol
// herald answers when the token rode in the protocol offer. Pure: the caller
// passes the request's pieces and the time, so the rules are unit-tested.
//
// Browsers cannot set headers on a WebSocket, so a token comes either as
// ?token=<jwt> in the URL or as a Sec-WebSocket-Protocol entry
// "bearer.<jwt>": `new WebSocket(url, ["herald", "bearer." + jwt])`. A
// browser fails a handshake whose answer names none of the protocols it
// offered, and answering the bearer entry would send the token back, so the
// client offers "herald" (or a configured subprotocol) next to it and herald
// answers that.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace herald {

/// The start of a Sec-WebSocket-Protocol entry that carries a token.
inline constexpr std::string_view bearer_protocol_prefix = "bearer.";
/// What herald answers next to a bearer entry when the client offered no
/// configured subprotocol.
inline constexpr std::string_view token_companion_protocol = "herald";

/// The subprotocol to answer a Sec-WebSocket-Protocol offer (comma-separated,
/// several header lines joined by commas) with: the first offered one that
/// `supported` lists; failing that, when the offer has a bearer entry,
/// "herald" if offered. Empty: none.
std::string answer_subprotocol(std::string_view offered,
                               const std::vector<std::string>& supported);

/// The verdict on one upgrade: 200 with the token's username (empty when no
/// token is required), or 400/401/403 and the error for the JSON body,
/// which never repeats the token. A 403 keeps the username of its valid
/// token, for the log.
struct upgrade_auth {
  int status = 200;
  std::string error;
  std::string username;
};

/// With cfg.require_connection_token: exactly one token (`query_token`, the
/// decoded ?token= value, or one bearer entry of `offered`; two are 400),
/// a bearer entry only with a protocol herald can answer (else 400), valid
/// at `now` (seconds since the epoch; else 401) and covering `channel`
/// (else 403; an empty channel, as on the echo path, is not checked against
/// the list). Without it, any token is ignored: clients that send one keep
/// working when the requirement is switched off.
upgrade_auth authorize_upgrade(const std::optional<std::string>& query_token,
                               std::string_view offered, std::string_view channel,
                               const config& cfg, int64_t now);

} // namespace herald
