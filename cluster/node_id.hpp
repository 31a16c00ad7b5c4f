#pragma once

// The name a node reports its subscriber counts under in Redis. Two nodes
// with the same name would overwrite each other's counts, so the default
// must tell the nodes of a cluster apart.

#include <cstdint>
#include <string>

namespace herald {

/// `configured` when it is set; else "<listen address>:<port>" with the port
/// the listener got, except that an address listening on every interface
/// (0.0.0.0, ::) says nothing about the machine: the host name stands in.
std::string node_id_for(const std::string& configured, const std::string& listen_address,
                        uint16_t bound_port);

} // namespace herald
