// Untrusted input: malformed HTTP, oversized headers and bodies, invalid
// publishes, unknown paths, bad channel names and parameters, WebSocket
// protocol violations, stalled handshakes. Each answered as the contract
// says, and the server keeps serving everyone else. The cases themselves are
// in bad_input_cases.hpp (integration_tls runs them over TLS).
#define CAF_SUITE integration_bad_input
#include <caf/test/unit_test.hpp>

#include "integration/bad_input_cases.hpp"

using namespace herald::bad_input_cases;

CAF_TEST(malformed requests get 400 and the connection is closed) {
  herald_process server{strict_options()};
  CAF_REQUIRE(server.start());
  malformed_requests(server);
}

CAF_TEST(request headers over 16 KiB get 431) {
  herald_process server{strict_options()};
  CAF_REQUIRE(server.start());
  oversized_headers(server);
}

CAF_TEST(bodies over max_message_size get 413 and store nothing) {
  herald_process server{strict_options()};
  CAF_REQUIRE(server.start());
  oversized_bodies(server);
}

CAF_TEST(invalid publish bodies get 400 and store nothing) {
  herald_process server{strict_options()};
  CAF_REQUIRE(server.start());
  invalid_publish_bodies(server);
}

CAF_TEST(unknown paths get 404 and wrong methods 405 with Allow) {
  herald_process server{strict_options()};
  CAF_REQUIRE(server.start());
  unknown_paths_and_wrong_methods(server);
}

CAF_TEST(invalid channel names get 400 before any upgrade) {
  herald_process server{strict_options()};
  CAF_REQUIRE(server.start());
  invalid_channel_names(server);
}

CAF_TEST(bad since and limit get 400) {
  herald_process server{strict_options()};
  CAF_REQUIRE(server.start());
  bad_since_and_limit(server);
}

CAF_TEST(websocket protocol violations close with the contract codes) {
  herald_process server{strict_options()};
  CAF_REQUIRE(server.start());
  websocket_protocol_violations(server);
}

CAF_TEST(client text frames are ignored and the connection stays) {
  herald_process server{strict_options()};
  CAF_REQUIRE(server.start());
  client_text_frames_ignored(server);
}

CAF_TEST(stalled handshakes are cut off after handshake_timeout) {
  herald_process server{strict_options()};
  CAF_REQUIRE(server.start());
  stalled_handshakes(server);
}
