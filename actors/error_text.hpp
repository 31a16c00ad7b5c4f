#pragma once

// Readable text for the errors actors hand to the network layer. Debian's
// CAF renders errors of unknown categories as numbers; ours and CAF's own
// get their names here without a registered renderer.

#include <string>

#include <caf/error.hpp>

namespace herald {

/// "storage_failure", "request_receiver_down", ...; "none" for no error.
std::string describe(const caf::error& err);

/// The text an error carries for the client (its context, when that is one
/// string, as errc::channel_limit's is); empty when it carries none.
std::string client_text(const caf::error& err);

} // namespace herald
