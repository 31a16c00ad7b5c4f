#include "support/test_certs.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace herald::test_support {

namespace {

// Written to the temp dir and passed with -config, so the system's
// openssl.cnf (which distributions change) plays no part.
constexpr const char* openssl_config = R"(
[req]
distinguished_name = dn
prompt = no

[dn]
CN = herald test

[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
authorityKeyIdentifier = keyid

[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
)";

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

} // namespace

test_certs::test_certs() {
  if (!dir_.ok()) {
    error_ = "test_certs: no temp dir";
    return;
  }
  dir_.write("openssl.cnf", openssl_config);
  // Stops at the first failure; error_ then names it.
  make_ca("ca", "/CN=herald test CA") && make_ca("other-ca", "/CN=herald other CA")
    && make_leaf("server", "/CN=127.0.0.1", "ca", "server", 2)
    && make_leaf("client", "/CN=herald test client", "ca", "client", 3)
    && make_leaf("other-client", "/CN=herald other client", "other-ca", "client", 4);
}

bool test_certs::openssl(const std::string& what, const std::vector<std::string>& args) {
  auto log = dir_.file("openssl.log");
  std::vector<char*> argv{const_cast<char*>("openssl")};
  for (auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  // posix_spawn, not fork: the test process may run other threads.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, "openssl", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc == ENOENT) {
    error_ = "test_certs: the openssl command line tool is not installed (it is in "
             "scripts/install-deps.sh --test)";
    return false;
  }
  if (rc != 0) {
    error_ = "test_certs: cannot run openssl: " + std::string{std::strerror(rc)};
    return false;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return true;
  std::string command = "openssl";
  for (auto& a : args)
    command += " " + a;
  error_ = "test_certs: " + what + " failed (" + command + "), status "
           + std::to_string(status) + "; openssl said:\n" + read_file(log);
  return false;
}

bool test_certs::make_ca(const std::string& name, const std::string& subject) {
  return openssl("making " + name,
                 {"req", "-x509", "-config", dir_.file("openssl.cnf"), "-extensions", "ca",
                  "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                  dir_.file(name + ".key"), "-out", dir_.file(name + ".pem"), "-days", "2",
                  "-subj", subject});
}

bool test_certs::make_leaf(const std::string& name, const std::string& subject,
                           const std::string& ca, const std::string& extensions, int serial) {
  auto csr = dir_.file(name + ".csr");
  return openssl("request for " + name,
                 {"req", "-new", "-config", dir_.file("openssl.cnf"), "-newkey", "ec", "-pkeyopt",
                  "ec_paramgen_curve:P-256", "-nodes", "-keyout", dir_.file(name + ".key"),
                  "-out", csr, "-subj", subject})
         && openssl("signing " + name,
                    {"x509", "-req", "-in", csr, "-CA", dir_.file(ca + ".pem"), "-CAkey",
                     dir_.file(ca + ".key"), "-set_serial", std::to_string(serial), "-days",
                     "2", "-extfile", dir_.file("openssl.cnf"), "-extensions", extensions,
                     "-out", dir_.file(name + ".pem")});
}

tls_options test_certs::client() const {
  tls_options opts;
  opts.ca_file = ca();
  return opts;
}

tls_options test_certs::client_with_cert() const {
  auto opts = client();
  opts.cert_file = client_cert();
  opts.key_file = client_key();
  return opts;
}

tls_options test_certs::client_with_other_cert() const {
  auto opts = client();
  opts.cert_file = other_client_cert();
  opts.key_file = other_client_key();
  return opts;
}

std::string test_certs::server_toml(bool require_client_cert) const {
  std::string out = "[tls]\ncert = " + quoted(server_cert()) + "\nkey = " + quoted(server_key())
                    + "\n";
  if (require_client_cert)
    out += "ca = " + quoted(ca()) + "\n";
  return out;
}

} // namespace herald::test_support
