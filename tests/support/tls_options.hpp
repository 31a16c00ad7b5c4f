#pragma once

// What a test client needs to speak TLS to herald: the CA it trusts, the
// certificate it shows (mutual TLS), the name it checks, and how new a
// protocol it may use.

#include <string>

namespace herald::test_support {

enum class tls_version { tls1_1, tls1_2, tls1_3 };

struct tls_options {
  std::string ca_file;   // PEM CA the server's certificate must chain to
  std::string cert_file; // client certificate (PEM); empty: present none
  std::string key_file;  // its private key (PEM)
  /// The name the server's certificate must carry; also sent as SNI unless
  /// it is an IP address (RFC 6066 allows host names only there).
  std::string host = "127.0.0.1";
  /// Newest protocol offered. tls1_1 also lowers the client's own security
  /// level so it really offers TLS 1.1: the server is what must refuse it.
  tls_version max_version = tls_version::tls1_3;
};

} // namespace herald::test_support
