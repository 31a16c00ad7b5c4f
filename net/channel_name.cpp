#include "net/channel_name.hpp"

namespace herald {

namespace {

bool allowed_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
         || c == '.' || c == ':' || c == '/' || c == '-';
}

} // namespace

bool valid_channel_name(std::string_view name) {
  if (name.empty() || name.size() > max_channel_name_length)
    return false;
  if (name.front() == '/' || name.back() == '/')
    return false;
  char prev = '\0';
  for (char c : name) {
    if (!allowed_char(c))
      return false;
    // An empty segment would make "a//b" and "a/b" look alike in paths.
    if (c == '/' && prev == '/')
      return false;
    prev = c;
  }
  return true;
}

} // namespace herald
