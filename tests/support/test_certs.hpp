#pragma once

// Throw-away certificates for TLS tests, made with the openssl command line
// tool in a temp dir: a CA, a server certificate for 127.0.0.1 and localhost
// and a client certificate it signed, and an unrelated second CA with a
// client certificate of its own (one the server must not accept).

#include <string>
#include <vector>

#include "support/temp_dir.hpp"
#include "support/tls_options.hpp"

namespace herald::test_support {

class test_certs {
public:
  /// Generates everything (EC P-256 keys, a few milliseconds each). On
  /// failure error() says which openssl call failed and what it printed.
  test_certs();

  /// Empty when every file was made.
  const std::string& error() const { return error_; }

  std::string ca() const { return dir_.file("ca.pem"); }
  std::string server_cert() const { return dir_.file("server.pem"); }
  std::string server_key() const { return dir_.file("server.key"); }
  std::string client_cert() const { return dir_.file("client.pem"); }
  std::string client_key() const { return dir_.file("client.key"); }
  std::string other_ca() const { return dir_.file("other-ca.pem"); }
  std::string other_client_cert() const { return dir_.file("other-client.pem"); }
  std::string other_client_key() const { return dir_.file("other-client.key"); }

  /// A client that trusts the CA and shows no certificate.
  tls_options client() const;
  /// ... and shows the client certificate the CA signed.
  tls_options client_with_cert() const;
  /// ... and shows the certificate of the other CA instead.
  tls_options client_with_other_cert() const;

  /// The [tls] lines for the server certificate (and `ca` if requested).
  std::string server_toml(bool require_client_cert = false) const;

private:
  bool openssl(const std::string& what, const std::vector<std::string>& args);
  bool make_ca(const std::string& name, const std::string& subject);
  bool make_leaf(const std::string& name, const std::string& subject, const std::string& ca,
                 const std::string& extensions, int serial);

  temp_dir dir_;
  std::string error_;
};

} // namespace herald::test_support
