#include "actors/error_text.hpp"

#include <caf/atom.hpp>
#include <caf/sec.hpp>

#include "actors/messages.hpp"

namespace herald {

std::string describe(const caf::error& err) {
  if (!err)
    return "none";
  if (err.category() == caf::atom("herald"))
    return to_string(static_cast<errc>(err.code()));
  if (err.category() == caf::atom("system"))
    return caf::to_string(static_cast<caf::sec>(err.code()));
  return caf::to_string(err);
}

std::string client_text(const caf::error& err) {
  const auto& ctx = err.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return {};
}

} // namespace herald
