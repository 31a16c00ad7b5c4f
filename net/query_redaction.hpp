#pragma once

// Request targets as the log may show them: a connection token in the query
// string is a credential, and logs are read by more people than the secret.

#include <string>
#include <string_view>

namespace herald {

/// `target` with the value of every `token` query field replaced by
/// "REDACTED". Names are compared percent-decoded, as the query parser
/// reads them (so "%74oken" is redacted too); a field whose name does not
/// decode is redacted as well, since nobody can tell what it is.
std::string redact_query_secrets(std::string_view target);

} // namespace herald
