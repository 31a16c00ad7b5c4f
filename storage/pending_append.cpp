#include "storage/pending_append.hpp"

#include <iterator>

namespace herald {

void answer_appends(std::vector<pending_append>& requests, append_results& results) {
  auto next = results.begin();
  for (auto& r : requests) {
    auto end = next + static_cast<std::ptrdiff_t>(r.drafts.size());
    if (r.batch)
      r.many.deliver(append_results(std::make_move_iterator(next), std::make_move_iterator(end)));
    else if (*next)
      r.one.deliver(std::move(**next));
    else
      r.one.deliver(next->error());
    next = end;
  }
}

} // namespace herald
