#include "net/query_redaction.hpp"

#include "net/form_decoding.hpp"

namespace herald {

std::string redact_query_secrets(std::string_view target) {
  auto q = target.find('?');
  if (q == std::string_view::npos)
    return std::string{target};
  std::string out{target.substr(0, q + 1)};
  auto query = target.substr(q + 1);
  // Split exactly as find_form_field does, so whatever it would read as a
  // token is what gets hidden.
  bool first = true;
  while (true) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    if (!first)
      out.push_back('&');
    first = false;
    auto eq = pair.find('=');
    auto name = pair.substr(0, eq);
    auto decoded = percent_decode(name, true);
    if (eq != std::string_view::npos && (!decoded || *decoded == "token")) {
      out.append(name);
      out.append("=REDACTED");
    } else {
      out.append(pair);
    }
    if (amp == std::string_view::npos)
      break;
    query = query.substr(amp + 1);
  }
  return out;
}

} // namespace herald
