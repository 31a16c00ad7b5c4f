#pragma once

// An append request waiting for its group commit, and how a commit's results
// go back to the requests: shared by the SQLite storage and the Redis storage
// of cluster mode, which group appends the same way.

#include <vector>

#include <caf/typed_response_promise.hpp>

#include "actors/messages.hpp"

namespace herald {

/// One request: a single draft (answered with its frame) or a batch
/// (answered with one result per draft).
struct pending_append {
  draft_list drafts;
  bool batch = false;
  caf::typed_response_promise<frame> one;
  caf::typed_response_promise<append_results> many;
};

/// Hands each request its share of `results`, which hold one entry per
/// draft of every request, in request order. Needs only the drafts' count,
/// so they may have been moved from.
void answer_appends(std::vector<pending_append>& requests, append_results& results);

} // namespace herald
