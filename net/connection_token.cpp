#include "net/connection_token.hpp"

#include <array>
#include <limits>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace herald {

namespace {

constexpr std::size_t sha256_size = 32;

token_check refuse(token_fault fault, std::string reason) {
  token_check c;
  c.fault = fault;
  c.reason = std::move(reason);
  return c;
}

token_check malformed(std::string_view detail) {
  return refuse(token_fault::malformed, "malformed token: " + std::string{detail});
}

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '-')
    return 62;
  if (c == '_')
    return 63;
  return -1;
}

bool ascii_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i]))
      return false;
  }
  return true;
}

std::optional<boost::json::object> json_object(std::string_view text) {
  boost::system::error_code ec;
  // The parser rejects invalid UTF-8 and nests at most 32 deep (its defaults).
  auto v = boost::json::parse(boost::json::string_view(text.data(), text.size()), ec);
  if (ec || !v.is_object())
    return std::nullopt;
  return std::move(v.as_object());
}

/// An integer claim: nothing for a missing one, false for one of another
/// type (a fraction or a string). Past int64 it is as good as never.
bool read_integer(const boost::json::object& obj, std::string_view name,
                  std::optional<int64_t>& out) {
  const auto* v = obj.if_contains(boost::json::string_view(name.data(), name.size()));
  if (!v)
    return true;
  if (const auto* i = v->if_int64()) {
    out = *i;
    return true;
  }
  if (v->is_uint64()) { // Boost.JSON makes a uint64 only past INT64_MAX
    out = std::numeric_limits<int64_t>::max();
    return true;
  }
  return false;
}

/// A list entry is a channel name or a prefix with one '*' at its end; a
/// '*' elsewhere could never match (channel names have none) and is a
/// mistake of the issuer better reported than ignored.
bool valid_channel_entry(std::string_view entry) {
  if (entry.empty())
    return false;
  auto star = entry.find('*');
  return star == std::string_view::npos || star == entry.size() - 1;
}

token_check check_header(std::string_view json) {
  auto header = json_object(json);
  if (!header)
    return malformed("header is not a JSON object");
  const auto* alg = header->if_contains("alg");
  if (!alg)
    return malformed("missing alg");
  // "none" above all: a token that picks no signature must not pass.
  if (!alg->is_string() || alg->get_string() != "HS256")
    return refuse(token_fault::unsupported_header, "unsupported alg");
  if (const auto* typ = header->if_contains("typ")) {
    // A media type name: compared without case (RFC 7515 4.1.9).
    if (!typ->is_string()
        || !ascii_iequals({typ->get_string().data(), typ->get_string().size()}, "JWT"))
      return refuse(token_fault::unsupported_header, "unsupported typ");
  }
  // Extensions the token says must be understood; herald knows none (RFC 7515 4.1.11).
  if (header->contains("crit"))
    return refuse(token_fault::unsupported_header, "unsupported crit");
  return {};
}

bool signature_matches(std::string_view signed_part, std::string_view signature,
                       std::string_view secret) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_size = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(),
            mac.data(), &mac_size)
      || mac_size != sha256_size)
    return false;
  // The length is public (every HS256 signature has 32 bytes); the bytes
  // are compared in constant time so timing tells nothing of the right MAC.
  return signature.size() == sha256_size
         && CRYPTO_memcmp(mac.data(), signature.data(), sha256_size) == 0;
}

/// The claims, and nbf for the time check (not a claim the caller needs).
token_check read_claims(std::string_view json, std::optional<int64_t>& nbf) {
  auto payload = json_object(json);
  if (!payload)
    return malformed("payload is not a JSON object");
  token_check c;
  const auto* sub = payload->if_contains("sub");
  if (!sub)
    return malformed("missing sub");
  if (!sub->is_string() || sub->get_string().empty())
    return malformed("sub must be a non-empty string");
  c.claims.sub.assign(sub->get_string().data(), sub->get_string().size());

  std::optional<int64_t> exp;
  if (!read_integer(*payload, "exp", exp))
    return malformed("exp must be an integer");
  if (!exp)
    return malformed("missing exp");
  c.claims.exp = *exp;
  if (!read_integer(*payload, "nbf", nbf))
    return malformed("nbf must be an integer");

  if (const auto* list = payload->if_contains("channels")) {
    const auto* entries = list->if_array();
    if (!entries)
      return malformed("channels must be an array of strings");
    std::vector<std::string> channels;
    for (const auto& entry : *entries) {
      const auto* name = entry.if_string();
      if (!name)
        return malformed("channels must be an array of strings");
      std::string_view text{name->data(), name->size()};
      if (!valid_channel_entry(text))
        return malformed("channels entries are channel names or prefixes ending in '*'");
      channels.emplace_back(text);
    }
    c.claims.channels = std::move(channels);
  }
  return c;
}

} // namespace

std::optional<std::string> decode_base64url(std::string_view text) {
  if (text.size() % 4 == 1)
    return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  uint32_t bits = 0;
  int held = 0;
  for (char ch : text) {
    int v = base64url_value(ch);
    if (v < 0)
      return std::nullopt;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    held += 6;
    if (held >= 8) {
      held -= 8;
      out.push_back(static_cast<char>((bits >> held) & 0xFF));
    }
  }
  // 2 or 4 bits are left over after a partial group; an encoder writes zeros.
  if ((bits & ((1u << held) - 1)) != 0)
    return std::nullopt;
  return out;
}

token_check verify_connection_token(std::string_view token, std::string_view secret,
                                    int64_t now) {
  if (token.size() > max_connection_token_size)
    return refuse(token_fault::too_large, "token too large");
  auto first_dot = token.find('.');
  auto second_dot = first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos)
    return malformed("expected three dot-separated parts");
  auto header_b64 = token.substr(0, first_dot);
  auto payload_b64 = token.substr(first_dot + 1, second_dot - first_dot - 1);
  auto signature_b64 = token.substr(second_dot + 1);
  auto header = decode_base64url(header_b64);
  auto payload = decode_base64url(payload_b64);
  auto signature = decode_base64url(signature_b64);
  if (!header || !payload || !signature)
    return malformed("invalid base64url");

  auto verdict = check_header(*header);
  if (!verdict.ok())
    return verdict;
  // Over the parts as sent, not as re-encoded (RFC 7515 5.2).
  if (!signature_matches(token.substr(0, second_dot), *signature, secret))
    return refuse(token_fault::bad_signature, "bad signature");

  std::optional<int64_t> nbf;
  verdict = read_claims(*payload, nbf);
  if (!verdict.ok())
    return verdict;
  // now is a real clock reading, far from int64's ends; exp and nbf may be anything.
  if (now - connection_token_clock_skew >= verdict.claims.exp)
    return refuse(token_fault::expired, "token expired");
  if (nbf && now + connection_token_clock_skew < *nbf)
    return refuse(token_fault::not_yet_valid, "token not yet valid");
  return verdict;
}

bool token_allows_channel(const connection_claims& claims, std::string_view channel) {
  if (!claims.channels)
    return true;
  for (const auto& entry : *claims.channels) {
    std::string_view e{entry};
    if (!e.empty() && e.back() == '*') {
      auto prefix = e.substr(0, e.size() - 1);
      if (channel.substr(0, prefix.size()) == prefix)
        return true;
    } else if (e == channel) {
      return true;
    }
  }
  return false;
}

} // namespace herald
