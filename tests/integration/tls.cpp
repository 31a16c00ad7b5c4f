// TLS on the real binary: https publishing, wss delivery, keepalive and
// shutdown, history; plain text on the TLS port gets no answer; every
// untrusted-input case again inside TLS; stalled TLS handshakes cut at
// handshake_timeout; client certificates (mutual TLS); TLS 1.2 as the oldest
// protocol; the loopback plain listener next to TLS; certificate files that
// cannot be used.
#define CAF_SUITE integration_tls
#include <caf/test/unit_test.hpp>

#include <csignal>
#include <regex>
#include <thread>

#include "integration/bad_input_cases.hpp"
#include "support/api.hpp"
#include "support/raw_tcp.hpp"
#include "support/test_certs.hpp"

using namespace herald::test_support;
using namespace std::chrono_literals;
namespace bad_input_cases = herald::bad_input_cases;

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

long long ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now()
                                                               - start)
    .count();
}

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

// Certificates for one test; a test without them cannot say anything. The
// message says why (a failed requirement shows no values).
#define REQUIRE_CERTS(certs)                                                                  \
  test_certs certs;                                                                           \
  if (!certs.error().empty()) {                                                               \
    CAF_MESSAGE(certs.error());                                                               \
  }                                                                                           \
  CAF_REQUIRE(certs.error().empty())

/// `base` with the server certificate (and the CA for client certificates).
herald_options with_tls(const test_certs& certs, herald_options base = {},
                        bool require_client_cert = false,
                        const std::string& more_tls_lines = {}) {
  base.extra_toml += certs.server_toml(require_client_cert) + more_tls_lines;
  return base;
}

/// herald_process::start() for a server whose main port speaks only TLS:
/// ready once GET /healthz answers 200 over https with `client`.
bool start_tls(herald_process& server, const tls_options& client,
               std::chrono::milliseconds ready_timeout = 10s) {
  if (server.spawn()) {
    auto deadline = std::chrono::steady_clock::now() + ready_timeout;
    while (server.running() && std::chrono::steady_clock::now() < deadline) {
      http_client probe{server.port(), client, 1s};
      if (probe.connect(200ms) && probe.request("GET", "/healthz").status == 200)
        return true;
      std::this_thread::sleep_for(20ms);
    }
  }
  CAF_MESSAGE("herald did not serve TLS (" << to_string(server.wait_exit(0ms)) << ") on port "
                                           << server.port() << "\n--- config ---\n"
                                           << server.config_text() << "--- log ---\n"
                                           << server.log_text());
  return false;
}

// The first bytes of a TLS record carrying a ClientHello that announces 512
// bytes: a handshake that has started and will not finish.
std::string partial_client_hello() {
  std::string bytes("\x16\x03\x01\x02\x00" // record: handshake, 512 bytes
                    "\x01\x00\x01\xfc"     // ClientHello, 508 bytes
                    "\x03\x03",            // client_version TLS 1.2
                    11);
  return bytes + std::string(16, '\x5a'); // half of client_random
}

// A client the server must refuse gets no HTTP answer and no upgrade. In
// TLS 1.3 the server checks the client certificate after the client's side
// of the handshake is done, so the refusal may come with the first read; in
// TLS 1.2 the handshake itself fails.
void check_refused(uint16_t port, tls_options client) {
  {
    http_client http{port, client};
    auto res = http.request("GET", "/healthz");
    CAF_CHECK_EQUAL(res.status, 0);
    CAF_MESSAGE("TLS 1.3 client: " << res.error);
  }
  {
    ws_client ws{port, client};
    auto hs = ws.connect("/socket/system/message");
    CAF_CHECK(!hs.upgraded);
    CAF_MESSAGE("TLS 1.3 WebSocket client: " << hs.error);
  }
  client.max_version = tls_version::tls1_2;
  http_client http{port, client};
  CAF_CHECK(!http.connect());
  CAF_MESSAGE("TLS 1.2 client: " << http.last_error());
}

/// How a bad [tls] section must end herald, and what its error line names.
struct bad_tls_config {
  std::string what;
  std::string tls_lines;
  std::string exit;  // "exit 1": a file that cannot be used; "exit 2": a config error
  std::string named; // in the error line
};

exit_status run_expecting_failure(const std::string& tls_lines, std::string& log) {
  herald_options opts;
  opts.extra_toml = tls_lines;
  herald_process p{opts};
  CAF_REQUIRE(p.spawn());
  auto st = p.wait_exit(10s);
  log = p.log_text();
  return st;
}

} // namespace

// --- the API over TLS ----------------------------------------------------

CAF_TEST(publish over https reaches a wss subscriber and history over https) {
  REQUIRE_CERTS(certs);
  herald_process server{with_tls(certs)};
  CAF_REQUIRE(start_tls(server, certs.client()));
  ws_client wss{server.port(), certs.client()};
  auto hs = wss.connect("/socket/system/message?since=0");
  CAF_REQUIRE_EQUAL(hs.error, "");
  CAF_CHECK_EQUAL(hs.status, 101);
  http_client https{server.port(), certs.client()};
  auto pub = publish(https, "", "over tls \xe2\x98\x83");
  CAF_REQUIRE_EQUAL(pub.status, 200);
  CAF_CHECK_GREATER(pub.id, 0u);
  auto frame = wss.read_text(5s);
  CAF_REQUIRE(frame.has_value());
  std::string why;
  auto msg = parse_message(*frame, &why);
  CAF_REQUIRE_EQUAL(why, "");
  CAF_CHECK_EQUAL(msg->id, pub.id);
  CAF_CHECK_EQUAL(msg->text, "over tls \xe2\x98\x83");
  CAF_CHECK_EQUAL(msg->username, default_user);
  auto h = history(https, "system/message");
  CAF_REQUIRE_EQUAL(h.error, "");
  CAF_REQUIRE_EQUAL(h.messages.size(), 1u);
  CAF_CHECK_EQUAL(h.messages[0].id, pub.id);
  CAF_CHECK_EQUAL(h.messages[0].text, msg->text);
  // The same https connection carries request after request.
  CAF_CHECK(https.is_open());
  CAF_CHECK_EQUAL(https.request("GET", "/healthz").status, 200);
}

CAF_TEST(the server shows the configured certificate) {
  REQUIRE_CERTS(certs);
  herald_process server{with_tls(certs)};
  CAF_REQUIRE(start_tls(server, certs.client()));
  // Its names: IP 127.0.0.1 (every other test) and DNS localhost.
  auto localhost = certs.client();
  localhost.host = "localhost";
  http_client by_name{server.port(), localhost};
  CAF_CHECK_EQUAL(by_name.request("GET", "/healthz").status, 200);
  // What a client must refuse, so the checks above mean something: a name
  // the certificate lacks, and a CA that did not sign it.
  auto other_name = certs.client();
  other_name.host = "example.com";
  http_client wrong_name{server.port(), other_name};
  CAF_CHECK(!wrong_name.connect());
  CAF_CHECK(contains(wrong_name.last_error(), "certificate verify failed"));
  auto other_ca = certs.client();
  other_ca.ca_file = certs.other_ca();
  http_client wrong_ca{server.port(), other_ca};
  CAF_CHECK(!wrong_ca.connect());
  CAF_CHECK(contains(wrong_ca.last_error(), "certificate verify failed"));
}

CAF_TEST(many and large messages reach a wss subscriber whole and in order) {
  REQUIRE_CERTS(certs);
  herald_process server{with_tls(certs)};
  CAF_REQUIRE(start_tls(server, certs.client()));
  ws_client wss{server.port(), certs.client()};
  CAF_REQUIRE(wss.connect("/socket/bulk/x?since=0").upgraded);
  http_client https{server.port(), certs.client()};
  // Larger than a TLS record (16 KiB), so one frame spans several.
  const std::string large(60000, 'L');
  std::vector<uint64_t> sent;
  for (int i = 0; i < 200; ++i) {
    auto r = publish(https, "bulk/x", i % 50 == 49 ? large : "m" + std::to_string(i),
                     body_format::json);
    CAF_REQUIRE_EQUAL(r.status, 200);
    sent.push_back(r.id);
  }
  std::vector<uint64_t> got;
  std::size_t large_ones = 0;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    auto frame = wss.read_text(5s);
    if (!frame)
      break;
    auto m = parse_message(*frame);
    got.push_back(m ? m->id : 0);
    if (m && m->text == large)
      ++large_ones;
  }
  CAF_CHECK_EQUAL(got, sent);
  CAF_CHECK_EQUAL(large_ones, 4u);
}

CAF_TEST(wss keepalive keeps an answering client and drops a silent one) {
  REQUIRE_CERTS(certs);
  herald_options opts;
  opts.websocket_toml = "ping_interval = \"200ms\"\npong_timeout = \"300ms\"\n";
  herald_process server{with_tls(certs, opts)};
  CAF_REQUIRE(start_tls(server, certs.client()));
  ws_client answering{server.port(), certs.client()};
  ws_client silent{server.port(), certs.client()};
  CAF_REQUIRE(answering.connect("/socket/system/message").upgraded);
  CAF_REQUIRE(silent.connect("/socket/quiet/x").upgraded);
  // Reading answers pings (the client library pongs): the answering client
  // is always in a read while messages come every 250 ms, several ping
  // intervals in all.
  std::vector<uint64_t> sent;
  std::thread publisher{[&] {
    http_client https{server.port(), certs.client()};
    for (int i = 0; i < 6; ++i) {
      std::this_thread::sleep_for(250ms);
      sent.push_back(publish(https, "", "still here " + std::to_string(i)).id);
    }
  }};
  auto got = read_ids(answering, 6, 3s);
  publisher.join();
  CAF_CHECK_EQUAL(got, sent);
  CAF_CHECK(answering.is_open());
  // The silent one read nothing, so it answered no ping: it was dropped
  // (with a close frame, though pinging it back may fail first).
  auto ev = silent.read(2s);
  CAF_CHECK(ev.kind == ws_event::closed || ev.kind == ws_event::error);
  if (ev.kind == ws_event::closed)
    CAF_CHECK_EQUAL(ev.close_code, 1001);
  CAF_MESSAGE("silent client: " << to_string(ev));
  CAF_CHECK(contains(server.log_text(), "no answer to a ping"));
}

CAF_TEST(sigterm closes wss clients with 1001 and exits 0) {
  REQUIRE_CERTS(certs);
  herald_process server{with_tls(certs)};
  CAF_REQUIRE(start_tls(server, certs.client()));
  ws_client wss{server.port(), certs.client()};
  CAF_REQUIRE(wss.connect("/socket/system/message?since=0").upgraded);
  http_client https{server.port(), certs.client()};
  auto pub = publish(https, "", "before the end");
  CAF_REQUIRE_EQUAL(pub.status, 200);
  CAF_REQUIRE(server.kill(SIGTERM));
  std::vector<std::string> texts;
  auto end = wss.read_until_close(texts, 10s, 100);
  CAF_CHECK_EQUAL(texts.size(), 1u);
  CAF_CHECK_EQUAL(to_string(end).substr(0, 11), "closed 1001");
  CAF_CHECK_EQUAL(to_string(server.wait_exit(10s)), "exit 0");
}

CAF_TEST(plain http on the tls port gets no http answer and herald keeps serving) {
  REQUIRE_CERTS(certs);
  herald_process server{with_tls(certs, bad_input_cases::strict_options())};
  CAF_REQUIRE(start_tls(server, certs.client()));
  {
    raw_tcp plain{server.port()};
    CAF_REQUIRE(plain.connected());
    CAF_REQUIRE(plain.send("GET /healthz HTTP/1.1\r\nHost: " + server.host() + "\r\n\r\n"));
    CAF_CHECK(plain.wait_closed(3s));
    // A TLS alert may come back; an HTTP response must not.
    CAF_CHECK(!contains(plain.received(), "HTTP/"));
  }
  {
    http_client plain{server.port()};
    auto res = plain.request("GET", "/healthz");
    CAF_CHECK_EQUAL(res.status, 0);
  }
  {
    ws_client plain{server.port()};
    CAF_CHECK(!plain.connect("/socket/system/message").upgraded);
  }
  bad_input_cases::check_still_serving(server, certs.client());
}

// --- every untrusted-input case, inside TLS -------------------------------

// The bad_input suite's server, with TLS.
#define START_STRICT_TLS_SERVER(certs, server)                                                \
  REQUIRE_CERTS(certs);                                                                       \
  herald_process server{with_tls(certs, bad_input_cases::strict_options())};                  \
  CAF_REQUIRE(start_tls(server, certs.client()))

CAF_TEST(over tls malformed requests get 400 and the connection is closed) {
  START_STRICT_TLS_SERVER(certs, server);
  bad_input_cases::malformed_requests(server, certs.client());
}

CAF_TEST(over tls request headers over 16 KiB get 431) {
  START_STRICT_TLS_SERVER(certs, server);
  bad_input_cases::oversized_headers(server, certs.client());
}

CAF_TEST(over tls bodies over max_message_size get 413 and store nothing) {
  START_STRICT_TLS_SERVER(certs, server);
  bad_input_cases::oversized_bodies(server, certs.client());
}

CAF_TEST(over tls invalid publish bodies get 400 and store nothing) {
  START_STRICT_TLS_SERVER(certs, server);
  bad_input_cases::invalid_publish_bodies(server, certs.client());
}

CAF_TEST(over tls unknown paths get 404 and wrong methods 405 with Allow) {
  START_STRICT_TLS_SERVER(certs, server);
  bad_input_cases::unknown_paths_and_wrong_methods(server, certs.client());
}

CAF_TEST(over tls invalid channel names get 400 before any upgrade) {
  START_STRICT_TLS_SERVER(certs, server);
  bad_input_cases::invalid_channel_names(server, certs.client());
}

CAF_TEST(over tls bad since and limit get 400) {
  START_STRICT_TLS_SERVER(certs, server);
  bad_input_cases::bad_since_and_limit(server, certs.client());
}

CAF_TEST(over tls websocket protocol violations close with the contract codes) {
  START_STRICT_TLS_SERVER(certs, server);
  bad_input_cases::websocket_protocol_violations(server, certs.client());
}

CAF_TEST(over tls client text frames are ignored and the connection stays) {
  START_STRICT_TLS_SERVER(certs, server);
  bad_input_cases::client_text_frames_ignored(server, certs.client());
}

CAF_TEST(over tls stalled requests are cut off after handshake_timeout) {
  START_STRICT_TLS_SERVER(certs, server);
  bad_input_cases::stalled_handshakes(server, certs.client());
}

// --- stalled TLS handshakes ------------------------------------------------

CAF_TEST(a tls handshake that stalls is cut off after handshake_timeout) {
  START_STRICT_TLS_SERVER(certs, server);
  for (auto& partial : {std::string{}, partial_client_hello()}) {
    CAF_MESSAGE("sending " << partial.size() << " bytes of a ClientHello then nothing");
    raw_tcp tcp{server.port()};
    CAF_REQUIRE(tcp.connected());
    auto start = std::chrono::steady_clock::now();
    if (!partial.empty())
      CAF_REQUIRE(tcp.send(partial));
    CAF_CHECK(tcp.wait_closed(5s));
    auto elapsed_ms = ms_since(start);
    // handshake_timeout is 300 ms: not before, and not much after.
    CAF_CHECK_GREATER_OR_EQUAL(elapsed_ms, 250);
    CAF_CHECK_LESS(elapsed_ms, 3000);
  }
  bad_input_cases::check_still_serving(server, certs.client());
}

CAF_TEST(a tls handshake trickled byte by byte is cut off at handshake_timeout) {
  START_STRICT_TLS_SERVER(certs, server);
  // Each byte is progress for the TLS layer; the deadline must hold for the
  // whole handshake, not restart with every read.
  auto hello = partial_client_hello() + std::string(600, '\0');
  raw_tcp tcp{server.port()};
  CAF_REQUIRE(tcp.connected());
  auto start = std::chrono::steady_clock::now();
  bool closed = false;
  for (std::size_t i = 0; i < hello.size() && !closed && ms_since(start) < 5000; ++i)
    closed = !tcp.send(hello.substr(i, 1)) || tcp.wait_closed(50ms);
  auto elapsed_ms = ms_since(start);
  CAF_CHECK(closed);
  CAF_CHECK_GREATER_OR_EQUAL(elapsed_ms, 250);
  CAF_CHECK_LESS(elapsed_ms, 1500);
  bad_input_cases::check_still_serving(server, certs.client());
}

// --- mutual TLS ------------------------------------------------------------

CAF_TEST(with a ca a client certificate it signed gets in) {
  REQUIRE_CERTS(certs);
  herald_process server{with_tls(certs, {}, true)};
  CAF_REQUIRE(start_tls(server, certs.client_with_cert()));
  ws_client wss{server.port(), certs.client_with_cert()};
  auto hs = wss.connect("/socket/system/message?since=0");
  CAF_REQUIRE_EQUAL(hs.error, "");
  http_client https{server.port(), certs.client_with_cert()};
  auto pub = publish(https, "", "mutual");
  CAF_REQUIRE_EQUAL(pub.status, 200);
  CAF_CHECK_EQUAL(read_ids(wss, 1), std::vector<uint64_t>{pub.id});
  auto tls12 = certs.client_with_cert();
  tls12.max_version = tls_version::tls1_2;
  http_client old{server.port(), tls12};
  CAF_CHECK_EQUAL(old.request("GET", "/healthz").status, 200);
}

CAF_TEST(with a ca a client without a certificate is refused) {
  REQUIRE_CERTS(certs);
  herald_process server{with_tls(certs, {}, true)};
  CAF_REQUIRE(start_tls(server, certs.client_with_cert()));
  check_refused(server.port(), certs.client());
  CAF_CHECK(server.running());
  http_client https{server.port(), certs.client_with_cert()};
  CAF_CHECK_EQUAL(https.request("GET", "/healthz").status, 200);
}

CAF_TEST(with a ca a certificate signed by another ca is refused) {
  REQUIRE_CERTS(certs);
  herald_process server{with_tls(certs, {}, true)};
  CAF_REQUIRE(start_tls(server, certs.client_with_cert()));
  check_refused(server.port(), certs.client_with_other_cert());
  CAF_CHECK(server.running());
  http_client https{server.port(), certs.client_with_cert()};
  CAF_CHECK_EQUAL(https.request("GET", "/healthz").status, 200);
}

CAF_TEST(without a ca no client certificate is asked for) {
  REQUIRE_CERTS(certs);
  herald_process server{with_tls(certs)};
  CAF_REQUIRE(start_tls(server, certs.client()));
  // A certificate the server has no CA for does not matter when it asks none.
  http_client https{server.port(), certs.client_with_other_cert()};
  CAF_CHECK_EQUAL(https.request("GET", "/healthz").status, 200);
}

// --- protocol versions -----------------------------------------------------

CAF_TEST(tls 1.2 and 1.3 are spoken and older versions refused) {
  REQUIRE_CERTS(certs);
  herald_process server{with_tls(certs)};
  CAF_REQUIRE(start_tls(server, certs.client()));
  for (auto version : {tls_version::tls1_2, tls_version::tls1_3}) {
    auto client = certs.client();
    client.max_version = version;
    http_client https{server.port(), client};
    auto res = https.request("GET", "/healthz");
    CAF_CHECK_EQUAL(res.status, 200);
    CAF_CHECK_EQUAL(res.error, "");
  }
  auto tls11 = certs.client();
  tls11.max_version = tls_version::tls1_1;
  http_client old{server.port(), tls11};
  CAF_CHECK(!old.connect());
  // The server refused (an alert); a client that could not even offer TLS
  // 1.1 would fail with "no protocols available" and prove nothing.
  CAF_CHECK(!contains(old.last_error(), "no protocols available"));
  CAF_MESSAGE("TLS 1.1 client: " << old.last_error());
  CAF_CHECK(server.running());
}

// --- the plain listener next to TLS ----------------------------------------

CAF_TEST(plain_listen serves plain http next to tls and its publishes reach wss) {
  REQUIRE_CERTS(certs);
  auto plain_port = free_port();
  auto plain_listen = "plain_listen = \"127.0.0.1:" + std::to_string(plain_port) + "\"\n";
  herald_process server{with_tls(certs, {}, false, plain_listen)};
  CAF_REQUIRE(start_tls(server, certs.client()));
  http_client plain{plain_port};
  auto health = plain.request("GET", "/healthz");
  CAF_CHECK_EQUAL(health.status, 200);
  CAF_CHECK_EQUAL(health.error, "");
  ws_client wss{server.port(), certs.client()};
  CAF_REQUIRE(wss.connect("/socket/system/message?since=0").upgraded);
  auto pub = publish(plain, "", "from loopback");
  CAF_REQUIRE_EQUAL(pub.status, 200);
  CAF_CHECK_EQUAL(read_ids(wss, 1), std::vector<uint64_t>{pub.id});
  // Plain is plain: ws:// works there, TLS does not.
  ws_client ws{plain_port};
  CAF_CHECK(ws.connect("/socket/system/message").upgraded);
  http_client https_on_plain{plain_port, certs.client()};
  CAF_CHECK(!https_on_plain.connect());
  // And the TLS port is still TLS only.
  http_client plain_on_tls{server.port()};
  CAF_CHECK_EQUAL(plain_on_tls.request("GET", "/healthz").status, 0);
}

CAF_TEST(plain_listen on port 0 logs the port it took) {
  REQUIRE_CERTS(certs);
  herald_process server{with_tls(certs, {}, false, "plain_listen = \"127.0.0.1:0\"\n")};
  CAF_REQUIRE(start_tls(server, certs.client()));
  // The line comes right after the main listener's; allow for log buffering.
  std::smatch match;
  const std::regex line{"plain listener on (?:http://)?127\\.0\\.0\\.1:([0-9]+)"};
  std::string log;
  for (int i = 0; i < 100; ++i) {
    log = server.log_text();
    if (std::regex_search(log, match, line))
      break;
    std::this_thread::sleep_for(20ms);
  }
  CAF_REQUIRE(!match.empty());
  auto port = std::stoi(match[1].str());
  CAF_REQUIRE_GREATER(port, 0);
  CAF_REQUIRE_LESS(port, 65536);
  http_client plain{static_cast<uint16_t>(port)};
  CAF_CHECK_EQUAL(plain.request("GET", "/healthz").status, 200);
}

// --- configurations that cannot work -----------------------------------------

CAF_TEST(unusable certificate files stop herald with exit 1 naming the file) {
  REQUIRE_CERTS(certs);
  temp_dir dir;
  auto missing = dir.file("missing.pem");
  auto garbage = dir.write("garbage.pem", "this is not a certificate\n");
  auto tls = [](const std::string& cert, const std::string& key, const std::string& ca = {}) {
    return "[tls]\ncert = " + quoted(cert) + "\nkey = " + quoted(key) + "\n"
           + (ca.empty() ? "" : "ca = " + quoted(ca) + "\n");
  };
  for (auto& c : {
         bad_tls_config{"missing cert", tls(missing, certs.server_key()), "exit 1", missing},
         bad_tls_config{"missing key", tls(certs.server_cert(), missing), "exit 1", missing},
         bad_tls_config{"missing ca", tls(certs.server_cert(), certs.server_key(), missing),
                        "exit 1", missing},
         bad_tls_config{"cert not PEM", tls(garbage, certs.server_key()), "exit 1", garbage},
         bad_tls_config{"key not PEM", tls(certs.server_cert(), garbage), "exit 1", garbage},
         bad_tls_config{"key of another certificate", tls(certs.server_cert(), certs.client_key()),
                        "exit 1", certs.client_key()},
       }) {
    CAF_MESSAGE(c.what);
    std::string log;
    auto st = run_expecting_failure(c.tls_lines, log);
    CAF_CHECK_EQUAL(to_string(st), c.exit);
    CAF_CHECK(contains(log, c.named));
    if (to_string(st) != c.exit || !contains(log, c.named))
      CAF_MESSAGE("output: " << log);
  }
}

CAF_TEST(tls settings that do not go together are config errors with exit 2) {
  REQUIRE_CERTS(certs);
  for (auto& c : {
         bad_tls_config{"cert without key", "[tls]\ncert = " + quoted(certs.server_cert()) + "\n",
                        "exit 2", "tls.key"},
         bad_tls_config{"key without cert", "[tls]\nkey = " + quoted(certs.server_key()) + "\n",
                        "exit 2", "tls.cert"},
         bad_tls_config{"ca without cert", "[tls]\nca = " + quoted(certs.ca()) + "\n", "exit 2",
                        "tls.ca"},
         bad_tls_config{"plain_listen without tls", "[tls]\nplain_listen = \"127.0.0.1:0\"\n",
                        "exit 2", "plain_listen"},
         bad_tls_config{"plain_listen off loopback",
                        certs.server_toml() + "plain_listen = \"0.0.0.0:0\"\n", "exit 2",
                        "plain_listen"},
       }) {
    CAF_MESSAGE(c.what);
    std::string log;
    auto st = run_expecting_failure(c.tls_lines, log);
    CAF_CHECK_EQUAL(to_string(st), c.exit);
    CAF_CHECK(contains(log, c.named));
    if (to_string(st) != c.exit || !contains(log, c.named))
      CAF_MESSAGE("output: " << log);
  }
}
