#define CAF_SUITE net_routes
#include <caf/test/unit_test.hpp>

#include <string>
#include <utility>
#include <vector>

#include "config/load.hpp"
#include "net/routes.hpp"

using namespace herald;

namespace {

const std::vector<web_asset> assets{
  {"/index.html", "text/html; charset=utf-8", "<html></html>"},
  {"/app.js", "text/javascript; charset=utf-8", "1;"},
};

route get(std::string_view target) {
  return resolve_route("GET", target, false, assets);
}

route post(std::string_view target) {
  return resolve_route("POST", target, false, assets);
}

route upgrade(std::string_view target) {
  return resolve_route("GET", target, true, assets);
}

} // namespace

CAF_TEST(fixed endpoints) {
  CAF_CHECK(get("/healthz").status == 200 && get("/healthz").kind == endpoint::healthz);
  CAF_CHECK(get("/api/channels").kind == endpoint::channels);
  auto r = post("/api/tool/send_message");
  CAF_CHECK_EQUAL(r.status, 200);
  CAF_CHECK(r.kind == endpoint::send_message);
  CAF_CHECK_EQUAL(r.channel, "system/message");
}

CAF_TEST(static assets) {
  auto r = get("/");
  CAF_CHECK_EQUAL(r.status, 200);
  CAF_CHECK(r.kind == endpoint::asset);
  CAF_REQUIRE(r.asset != nullptr);
  CAF_CHECK_EQUAL(r.asset->path, "/index.html");
  CAF_REQUIRE(get("/app.js").asset != nullptr);
  CAF_CHECK_EQUAL(get("/app.js").asset->body, "1;");
  CAF_CHECK_EQUAL(get("/index.html").status, 200);
  CAF_CHECK_EQUAL(get("/missing.js").status, 404);
  CAF_CHECK_EQUAL(get("/../index.html").status, 404);
  CAF_CHECK_EQUAL(get("/app.js%00").status, 404);
  CAF_CHECK_EQUAL(post("/").status, 405);
  CAF_CHECK_EQUAL(post("/").allow, "GET");
  // Without web/ files there is no page.
  CAF_CHECK_EQUAL(resolve_route("GET", "/", false, {}).status, 404);
}

CAF_TEST(channel messages) {
  auto r = post("/api/channels/news/messages");
  CAF_CHECK_EQUAL(r.status, 200);
  CAF_CHECK(r.kind == endpoint::publish);
  CAF_CHECK_EQUAL(r.channel, "news");
  r = get("/api/channels/a/b/c/messages?since=3&limit=2");
  CAF_CHECK_EQUAL(r.status, 200);
  CAF_CHECK(r.kind == endpoint::history);
  CAF_CHECK_EQUAL(r.channel, "a/b/c");
  CAF_CHECK_EQUAL(r.query, "since=3&limit=2");
  // %2F and / are the same.
  CAF_CHECK_EQUAL(get("/api/channels/a%2Fb/messages").channel, "a/b");
  CAF_CHECK_EQUAL(get("/api/channels/a%2fb/messages").channel, "a/b");
  // A channel may itself end in "messages".
  CAF_CHECK_EQUAL(get("/api/channels/x/messages/messages").channel, "x/messages");
  CAF_CHECK_EQUAL(get("/api/channels/messages/messages").channel, "messages");
}

CAF_TEST(invalid channels are 400) {
  CAF_CHECK_EQUAL(get("/api/channels//messages").status, 400);
  CAF_CHECK_EQUAL(get("/api/channels/a//b/messages").status, 400);
  CAF_CHECK_EQUAL(get("/api/channels/a%2F%2Fb/messages").status, 400);
  CAF_CHECK_EQUAL(get("/api/channels/a//messages").status, 400);  // trailing '/'
  CAF_CHECK_EQUAL(get("/api/channels///a/messages").status, 400); // leading '/'
  CAF_CHECK_EQUAL(get("/api/channels/a%00b/messages").status, 400);
  CAF_CHECK_EQUAL(get("/api/channels/a%20b/messages").status, 400);
  CAF_CHECK_EQUAL(get("/api/channels/caf%C3%A9/messages").status, 400);
  CAF_CHECK_EQUAL(get("/api/channels/" + std::string(129, 'x') + "/messages").status, 400);
  CAF_CHECK_EQUAL(get("/api/channels/" + std::string(128, 'x') + "/messages").status, 200);
  CAF_CHECK_EQUAL(post("/api/channels/bad!/messages").status, 400);
  CAF_CHECK_EQUAL(get("/api/channels/a%zz/messages").status, 400);
  CAF_CHECK_EQUAL(get("/api/channels/a%2/messages").status, 400);
}

CAF_TEST(an invalid channel still names the endpoint it was for) {
  // So that a refused publish is counted as one.
  CAF_CHECK(post("/api/channels/bad!/messages").kind == endpoint::publish);
  CAF_CHECK(get("/api/channels/bad!/messages").kind == endpoint::history);
  CAF_CHECK(upgrade("/socket/bad!").kind == endpoint::socket);
  CAF_CHECK_EQUAL(upgrade("/socket/bad!").status, 400);
}

CAF_TEST(metrics and readyz answer GET only) {
  for (auto [path, kind] : {std::pair{"/metrics", endpoint::metrics},
                            std::pair{"/readyz", endpoint::readyz}}) {
    auto r = get(path);
    CAF_CHECK_EQUAL(r.status, 200);
    CAF_CHECK(r.kind == kind);
    CAF_CHECK(get(std::string{path} + "?name[]=x").kind == kind); // a scraper's query
    r = post(path);
    CAF_CHECK_EQUAL(r.status, 405);
    CAF_CHECK_EQUAL(r.allow, "GET");
    CAF_CHECK_EQUAL(resolve_route("DELETE", path, false, assets).status, 405);
    CAF_CHECK_EQUAL(upgrade(path).status, 404);
    CAF_CHECK_EQUAL(get(std::string{path} + "/").status, 404);
  }
}

CAF_TEST(unknown paths are 404) {
  CAF_CHECK_EQUAL(get("/nope").status, 404);
  CAF_CHECK_EQUAL(get("/healthz/").status, 404);
  CAF_CHECK_EQUAL(get("/HEALTHZ").status, 404);
  CAF_CHECK_EQUAL(get("/api").status, 404);
  CAF_CHECK_EQUAL(get("/api/channels/").status, 404);
  CAF_CHECK_EQUAL(get("/api/channels/news").status, 404);
  CAF_CHECK_EQUAL(get("/api/channels/messages").status, 404);
  CAF_CHECK_EQUAL(get("/api/tool/send_message/x").status, 404);
  CAF_CHECK_EQUAL(get("/socket").status, 404);
  CAF_CHECK_EQUAL(get("/api/channels/news/messages/").status, 404);
}

CAF_TEST(wrong methods are 405 with Allow) {
  auto r = get("/api/tool/send_message");
  CAF_CHECK_EQUAL(r.status, 405);
  CAF_CHECK_EQUAL(r.allow, "POST");
  r = post("/healthz");
  CAF_CHECK_EQUAL(r.status, 405);
  CAF_CHECK_EQUAL(r.allow, "GET");
  r = post("/api/channels");
  CAF_CHECK_EQUAL(r.status, 405);
  CAF_CHECK_EQUAL(r.allow, "GET");
  r = resolve_route("DELETE", "/api/channels/a/messages", false, assets);
  CAF_CHECK_EQUAL(r.status, 405);
  CAF_CHECK_EQUAL(r.allow, "GET, POST");
  r = resolve_route("PUT", "/socket/a", false, assets);
  CAF_CHECK_EQUAL(r.status, 405);
  CAF_CHECK_EQUAL(r.allow, "GET");
  // Methods are case-sensitive.
  CAF_CHECK_EQUAL(resolve_route("get", "/healthz", false, assets).status, 405);
  CAF_CHECK_EQUAL(resolve_route("GE", "/healthz", false, assets).status, 405);
}

CAF_TEST(websocket upgrades) {
  auto r = upgrade("/socket/system/message");
  CAF_CHECK_EQUAL(r.status, 200);
  CAF_CHECK(r.kind == endpoint::socket);
  CAF_CHECK_EQUAL(r.channel, "system/message");
  r = upgrade("/socket/a%2Fb?since=7");
  CAF_CHECK_EQUAL(r.channel, "a/b");
  CAF_CHECK_EQUAL(r.query, "since=7");
  CAF_CHECK_EQUAL(upgrade("/socket/").status, 400);
  CAF_CHECK_EQUAL(upgrade("/socket/a/").status, 400);
  CAF_CHECK_EQUAL(upgrade("/socket//a").status, 400);
  CAF_CHECK_EQUAL(upgrade("/socket/a b").status, 400);
  // Only /socket/... upgrades.
  CAF_CHECK_EQUAL(upgrade("/healthz").status, 404);
  CAF_CHECK_EQUAL(upgrade("/api/channels").status, 404);
  CAF_CHECK_EQUAL(upgrade("/").status, 404);
  CAF_CHECK_EQUAL(upgrade("/socket").status, 404);
  // A plain GET on a socket path is not an upgrade.
  CAF_CHECK_EQUAL(get("/socket/a").status, 400);
}

CAF_TEST(hostile targets) {
  CAF_CHECK_EQUAL(get("").status, 400);
  CAF_CHECK_EQUAL(get("*").status, 400);
  CAF_CHECK_EQUAL(get("http://host/healthz").status, 400);
  CAF_CHECK_EQUAL(get("%2Fhealthz").status, 400);
  CAF_CHECK_EQUAL(get("/%").status, 400);
  CAF_CHECK_EQUAL(get("/healthz%").status, 400);
  CAF_CHECK_EQUAL(get("/" + std::string(100000, 'a')).status, 404);
  CAF_CHECK_EQUAL(get("/" + std::string(50000, '/')).status, 404);
  CAF_CHECK_EQUAL(get("/socket/" + std::string(100000, 'a')).status, 400);
  // The query is not part of the path and is not decoded here.
  auto r = get("/healthz?x=%zz");
  CAF_CHECK_EQUAL(r.status, 200);
  CAF_CHECK_EQUAL(r.query, "x=%zz");
  // A decoded '?' stays in the path.
  CAF_CHECK_EQUAL(get("/healthz%3F").status, 404);
}

CAF_TEST(the echo path upgrades to the echo endpoint only when configured) {
  auto with_echo = [](std::string_view method, std::string_view target, bool upgrade,
                      std::string_view echo_path = "/echo") {
    return resolve_route(method, target, upgrade, assets, echo_path);
  };
  auto r = with_echo("GET", "/echo", true);
  CAF_CHECK_EQUAL(r.status, 200);
  CAF_CHECK(r.kind == endpoint::echo);
  CAF_CHECK_EQUAL(r.channel, "");
  // Decoded like any path; the query is ignored by the endpoint.
  CAF_CHECK(with_echo("GET", "/%65cho?since=3", true).kind == endpoint::echo);
  // Without an upgrade: what a plain GET on a socket path gets.
  r = with_echo("GET", "/echo", false);
  CAF_CHECK_EQUAL(r.status, 400);
  CAF_CHECK_EQUAL(r.error, get("/socket/a").error);
  r = with_echo("POST", "/echo", false);
  CAF_CHECK_EQUAL(r.status, 405);
  CAF_CHECK_EQUAL(r.allow, "GET");
  // Only that exact path.
  CAF_CHECK_EQUAL(with_echo("GET", "/echo/", true).status, 404);
  CAF_CHECK_EQUAL(with_echo("GET", "/ech", true).status, 404);
  // Off: the path is nothing.
  CAF_CHECK_EQUAL(upgrade("/echo").status, 404);
  CAF_CHECK_EQUAL(get("/echo").status, 404);
  CAF_CHECK_EQUAL(with_echo("GET", "/echo", true, "").status, 404);
}

CAF_TEST(an echo path under socket takes the upgrade from the channel of that name) {
  auto r = resolve_route("GET", "/socket/echo", true, assets, "/socket/echo");
  CAF_CHECK_EQUAL(r.status, 200);
  CAF_CHECK(r.kind == endpoint::echo);
  // Other channels are untouched.
  r = resolve_route("GET", "/socket/echo/x", true, assets, "/socket/echo");
  CAF_CHECK(r.kind == endpoint::socket);
  CAF_CHECK_EQUAL(r.channel, "echo/x");
  CAF_CHECK_EQUAL(resolve_route("GET", "/socket/echo", false, assets, "/socket/echo").status,
                  400);
}

CAF_TEST(a request without an upgrade still reaches a file at the echo path) {
  auto r = resolve_route("GET", "/app.js", false, assets, "/app.js");
  CAF_CHECK(r.kind == endpoint::asset);
  CAF_CHECK(r.asset != nullptr);
  CAF_CHECK(resolve_route("GET", "/app.js", true, assets, "/app.js").kind == endpoint::echo);
}

CAF_TEST(the config refuses an echo path at any endpoint of the table) {
  // The loader keeps its own list of these paths; this ties it to the table.
  const std::vector<std::string> paths{"/socket/" + std::string(tool_channel), "/healthz",
                                       "/readyz", "/metrics",
                                       "/api/channels", "/api/channels/a/messages",
                                       "/api/tool/send_message"};
  for (const auto& path : paths) {
    config c;
    auto err = load_config_string("[diagnostics]\necho_path = \"" + path + "\"\n", c);
    CAF_CHECK_EQUAL(path + ": " + (err ? err->key : "accepted"), path + ": diagnostics.echo_path");
    CAF_CHECK_NOT_EQUAL(get(path).status, 404); // a path of the table indeed
  }
}
