#pragma once

// Decoding of untrusted request text: percent-escapes, form-urlencoded
// bodies and query strings, unsigned integers, UTF-8. Pure: no Beast; every
// function reports bad input as an empty optional, never by throwing.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace herald {

/// Decodes %XX escapes. With `plus_as_space` (form encoding), '+' becomes ' '.
/// Nothing for a '%' not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view in, bool plus_as_space = false);

/// The decoded value of the first field named `name` (decoded names are
/// compared) in an application/x-www-form-urlencoded text; query strings use
/// the same form. Nothing when the field is absent or the text is malformed
/// (a bad escape anywhere).
struct form_lookup {
  bool malformed = false;           // a bad percent-escape in the text
  std::optional<std::string> value; // the field's decoded value when present
};
form_lookup find_form_field(std::string_view form, std::string_view name);

/// Splits "path?query" into its two parts; the query excludes the '?'.
struct split_target {
  std::string_view path;
  std::string_view query;
};
split_target split_request_target(std::string_view target);

/// Decimal digits only (no sign, no spaces), at least one, fitting in 64 bits.
std::optional<uint64_t> parse_uint64(std::string_view text);

/// Well-formed UTF-8 per RFC 3629: no overlong forms, no surrogates, nothing
/// above U+10FFFF, no truncated sequences.
bool valid_utf8(std::string_view text);

} // namespace herald
