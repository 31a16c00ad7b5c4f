#include "cluster/node_id.hpp"

#include <unistd.h>

namespace herald {

namespace {

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0')
    return "localhost";
  return buf;
}

} // namespace

std::string node_id_for(const std::string& configured, const std::string& listen_address,
                        uint16_t bound_port) {
  if (!configured.empty())
    return configured;
  bool every_interface = listen_address == "0.0.0.0" || listen_address == "::";
  auto host = every_interface ? host_name() : listen_address;
  if (host.find(':') != std::string::npos)
    host = "[" + host + "]";
  return host + ":" + std::to_string(bound_port);
}

} // namespace herald
