// Publishing over HTTP and delivery to WebSocket subscribers, history and the
// channel list, against the real binary.
#define CAF_SUITE integration_publish
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "support/api.hpp"

using namespace herald::test_support;
using namespace std::chrono_literals;

CAF_TEST(publish answers 200 with strictly increasing ids) {
  herald_process server;
  CAF_REQUIRE(server.start());
  http_client http{server.port()};
  auto form = publish(http, "", "first", body_format::form);
  CAF_CHECK_EQUAL(form.status, 200);
  CAF_CHECK_EQUAL(form.response.header("content-type").find("application/json"), 0u);
  CAF_CHECK_GREATER(form.id, 0u); // also checks the body is exactly {"status":"OK","id":N}
  auto json = publish(http, "", "second", body_format::json);
  CAF_CHECK_EQUAL(json.status, 200);
  CAF_CHECK_GREATER(json.id, form.id);
  auto token = publish(http, "", "third", body_format::form, other_token, token_header::token);
  CAF_CHECK_EQUAL(token.status, 200);
  CAF_CHECK_GREATER(token.id, json.id);
  auto h = history(http, "system/message");
  CAF_REQUIRE_EQUAL(h.error, "");
  CAF_REQUIRE_EQUAL(h.messages.size(), 3u);
  CAF_CHECK_EQUAL(h.messages[0].text, "first");
  CAF_CHECK_EQUAL(h.messages[1].text, "second");
  CAF_CHECK_EQUAL(h.messages[2].username, other_user); // Token: header maps to its user
}

CAF_TEST(a subscriber receives exactly the message object) {
  herald_process server;
  CAF_REQUIRE(server.start());
  // ?since=0 on an empty database: every message, with no race against the
  // subscription (that race has its own test below).
  ws_client ws{server.port()};
  auto hs = ws.connect("/socket/system/message?since=0");
  CAF_REQUIRE_EQUAL(hs.error, "");
  CAF_CHECK_EQUAL(hs.status, 101);
  http_client http{server.port()};
  const std::string text = "h\xc3\xa9llo \"world\" & <b>1+1=2</b> \xe2\x98\x83 \\ / %";
  for (auto format : {body_format::form, body_format::json}) {
    auto before = now_ms();
    auto pub = publish(http, "", text, format);
    auto after = now_ms();
    CAF_REQUIRE_EQUAL(pub.status, 200);
    auto frame = ws.read_text(std::chrono::seconds(5));
    CAF_REQUIRE(frame.has_value());
    std::string why;
    auto msg = parse_message(*frame, &why);
    CAF_REQUIRE_EQUAL(why, "");
    CAF_CHECK_EQUAL(msg->id, pub.id);
    CAF_CHECK_EQUAL(msg->channel, "system/message");
    CAF_CHECK_EQUAL(msg->username, default_user);
    CAF_CHECK_EQUAL(msg->text, text);
    auto t = parse_time_ms(msg->time);
    CAF_REQUIRE(t.has_value());
    // Taken when the publish arrived: UTC, between our two clock readings.
    CAF_CHECK_GREATER_OR_EQUAL(*t, before - 50);
    CAF_CHECK_LESS_OR_EQUAL(*t, after + 50);
    // History holds the same object.
    auto h = history(http, "system/message", "?since=" + std::to_string(pub.id - 1));
    CAF_REQUIRE_EQUAL(h.messages.size(), 1u);
    CAF_CHECK_EQUAL(h.messages[0].id, msg->id);
    CAF_CHECK_EQUAL(h.messages[0].text, msg->text);
    CAF_CHECK_EQUAL(h.messages[0].time, msg->time);
    CAF_CHECK_EQUAL(h.messages[0].username, msg->username);
  }
}

CAF_TEST(any channel via api channels messages) {
  herald_process server;
  CAF_REQUIRE(server.start());
  const std::string channel = "news/sports-1.a:b_c";
  ws_client ws{server.port()};
  CAF_REQUIRE(ws.connect("/socket/" + channel + "?since=0").upgraded);
  ws_client sys{server.port()};
  CAF_REQUIRE(sys.connect("/socket/system/message?since=0").upgraded);
  http_client http{server.port()};
  auto plain = publish(http, channel, "one", body_format::json, other_token);
  CAF_REQUIRE_EQUAL(plain.status, 200);
  // Percent-decoding comes first: %2F is the same channel.
  auto encoded = publish(http, "news%2Fsports-1.a:b_c", "two", body_format::form);
  CAF_REQUIRE_EQUAL(encoded.status, 200);
  for (auto [id, text, user] : {std::tuple{plain.id, "one", other_user},
                                std::tuple{encoded.id, "two", default_user}}) {
    auto frame = ws.read_text(std::chrono::seconds(5));
    CAF_REQUIRE(frame.has_value());
    auto msg = parse_message(*frame);
    CAF_REQUIRE(msg.has_value());
    CAF_CHECK_EQUAL(msg->id, id);
    CAF_CHECK_EQUAL(msg->channel, channel);
    CAF_CHECK_EQUAL(msg->text, text);
    CAF_CHECK_EQUAL(msg->username, user);
  }
  // system/message saw none of it: its first frame is the next system message.
  auto marker = publish(http, "", "marker");
  CAF_REQUIRE_EQUAL(marker.status, 200);
  CAF_CHECK_EQUAL(read_ids(sys, 1), std::vector<uint64_t>{marker.id});
}

CAF_TEST(every subscriber gets every message once in order and no other channel) {
  herald_process server;
  CAF_REQUIRE(server.start());
  ws_client a1{server.port()}, a2{server.port()}, b{server.port()};
  CAF_REQUIRE(a1.connect("/socket/room/a?since=0").upgraded);
  CAF_REQUIRE(a2.connect("/socket/room/a?since=0").upgraded);
  CAF_REQUIRE(b.connect("/socket/room/b?since=0").upgraded);
  http_client http{server.port()};
  std::vector<uint64_t> ids;
  for (int i = 0; i < 30; ++i) {
    auto r = publish(http, "room/a", "msg " + std::to_string(i),
                     i % 2 ? body_format::json : body_format::form);
    CAF_REQUIRE_EQUAL(r.status, 200);
    ids.push_back(r.id);
  }
  CAF_CHECK(std::is_sorted(ids.begin(), ids.end()));
  auto marker_b = publish(http, "room/b", "for b");
  auto marker_a = publish(http, "room/a", "last for a");
  CAF_REQUIRE_EQUAL(marker_b.status, 200);
  CAF_REQUIRE_EQUAL(marker_a.status, 200);
  auto expected = ids;
  expected.push_back(marker_a.id);
  // Nothing in between and nothing twice: the marker follows the 30 directly.
  CAF_CHECK_EQUAL(read_ids(a1, expected.size()), expected);
  CAF_CHECK_EQUAL(read_ids(a2, expected.size()), expected);
  CAF_CHECK_EQUAL(read_ids(b, 1), std::vector<uint64_t>{marker_b.id});
}

// The contract subscribes the connection with the upgrade: a message
// published after the handshake completed must reach it. Repeated, because
// a late subscription only loses the race some of the time.
CAF_TEST(a subscription is live once the upgrade completes) {
  herald_process server;
  CAF_REQUIRE(server.start());
  http_client http{server.port()};
  int missed = 0;
  for (int i = 0; i < 40 && missed == 0; ++i) {
    ws_client ws{server.port()};
    CAF_REQUIRE(ws.connect("/socket/race/x").upgraded);
    auto r = publish(http, "race/x", "right after the upgrade");
    CAF_REQUIRE_EQUAL(r.status, 200);
    auto got = read_ids(ws, 1, 2s);
    // The previous attempt's message, acknowledged before this upgrade, may
    // still be on its way to the I/O thread and arrive first: harmless. The
    // one published after the upgrade must follow it.
    for (int earlier = 0; earlier < 3 && got.size() == 1 && got.front() < r.id; ++earlier)
      got = read_ids(ws, 1, 2s);
    if (got != std::vector<uint64_t>{r.id}) {
      CAF_MESSAGE("attempt " << i << ": published " << r.id << ", received " << got.size());
      ++missed;
    }
  }
  CAF_CHECK_EQUAL(missed, 0);
}

CAF_TEST(history honours since and limit) {
  herald_process server;
  CAF_REQUIRE(server.start());
  http_client http{server.port()};
  std::vector<uint64_t> ids;
  for (int i = 0; i < 5; ++i) {
    auto r = publish(http, "hist/x", "h" + std::to_string(i));
    CAF_REQUIRE_EQUAL(r.status, 200);
    ids.push_back(r.id);
    CAF_REQUIRE_EQUAL(publish(http, "hist/other", "noise").status, 200);
  }
  auto id_list = [](const history_result& h) {
    std::vector<uint64_t> out;
    for (auto& m : h.messages)
      out.push_back(m.id);
    return out;
  };
  auto all = history(http, "hist/x");
  CAF_CHECK_EQUAL(all.error, "");
  CAF_CHECK_EQUAL(id_list(all), ids);
  for (std::size_t i = 0; i < all.messages.size(); ++i) {
    CAF_CHECK_EQUAL(all.messages[i].text, "h" + std::to_string(i));
    CAF_CHECK_EQUAL(all.messages[i].channel, "hist/x");
  }
  auto since = history(http, "hist/x", "?since=" + std::to_string(ids[1]));
  CAF_CHECK_EQUAL(id_list(since), std::vector<uint64_t>(ids.begin() + 2, ids.end()));
  auto limited = history(http, "hist/x", "?limit=2");
  CAF_CHECK_EQUAL(id_list(limited), std::vector<uint64_t>(ids.begin(), ids.begin() + 2));
  auto both = history(http, "hist/x", "?since=" + std::to_string(ids[0]) + "&limit=3");
  CAF_CHECK_EQUAL(id_list(both), std::vector<uint64_t>(ids.begin() + 1, ids.begin() + 4));
  auto none = history(http, "hist/x", "?since=" + std::to_string(ids.back()));
  CAF_CHECK_EQUAL(none.status, 200);
  CAF_CHECK_EQUAL(none.messages.size(), 0u);
  auto empty = history(http, "hist/never-used");
  CAF_CHECK_EQUAL(empty.status, 200);
  CAF_CHECK_EQUAL(empty.messages.size(), 0u);
}

CAF_TEST(history limit defaults to 100 and is clamped to 1000) {
  herald_process server;
  CAF_REQUIRE(server.start());
  auto ids = publish_many(server.port(), "bulk/x", 1005, 4);
  CAF_REQUIRE_EQUAL(ids.size(), 1005u);
  http_client http{server.port()};
  auto first_ids = [&](const history_result& h) {
    std::vector<uint64_t> out;
    for (auto& m : h.messages)
      out.push_back(m.id);
    return out;
  };
  auto dflt = history(http, "bulk/x");
  CAF_CHECK_EQUAL(first_ids(dflt), std::vector<uint64_t>(ids.begin(), ids.begin() + 100));
  auto clamped = history(http, "bulk/x", "?limit=5000");
  CAF_CHECK_EQUAL(clamped.messages.size(), 1000u);
  CAF_CHECK_EQUAL(first_ids(clamped), std::vector<uint64_t>(ids.begin(), ids.begin() + 1000));
  auto rest = history(http, "bulk/x", "?since=" + std::to_string(ids[999]) + "&limit=1000");
  CAF_CHECK_EQUAL(first_ids(rest), std::vector<uint64_t>(ids.begin() + 1000, ids.end()));
}

CAF_TEST(channel list shows subscribers and stored messages) {
  herald_process server;
  CAF_REQUIRE(server.start());
  http_client http{server.port()};
  auto ws1 = std::make_unique<ws_client>(server.port());
  ws_client ws2{server.port()};
  CAF_REQUIRE(ws1->connect("/socket/list/live").upgraded);
  CAF_REQUIRE(ws2.connect("/socket/list/live").upgraded);
  std::vector<uint64_t> ids;
  for (int i = 0; i < 3; ++i)
    ids.push_back(publish(http, "list/stored", "s").id);
  // Subscriptions register asynchronously: poll the list, bounded.
  auto wait_subscribers = [&](uint64_t n) {
    for (int i = 0; i < 150; ++i) {
      auto info = channel_stats(http, "list/live");
      if (info && info->subscribers == n)
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  };
  CAF_CHECK(wait_subscribers(2));
  auto stored = channel_stats(http, "list/stored");
  CAF_REQUIRE(stored.has_value());
  CAF_CHECK_EQUAL(stored->stored, 3u);
  CAF_CHECK_EQUAL(stored->subscribers, 0u);
  CAF_CHECK_EQUAL(stored->last_id, ids.back());
  auto live = channel_stats(http, "list/live");
  CAF_REQUIRE(live.has_value());
  CAF_CHECK_EQUAL(live->stored, 0u);
  // Sorted by name, each entry with the four fields.
  auto res = http.request("GET", "/api/channels");
  CAF_CHECK_EQUAL(res.status, 200);
  CAF_CHECK_EQUAL(res.header("content-type").find("application/json"), 0u);
  auto obj = parse_object(res.body);
  CAF_REQUIRE(obj.has_value());
  std::vector<std::string> names;
  for (auto& v : obj->at("channels").as_array()) {
    auto& e = v.as_object();
    CAF_CHECK(e.contains("name") && e.contains("subscribers") && e.contains("stored")
              && e.contains("last_id"));
    names.push_back(std::string{e.at("name").as_string()});
  }
  CAF_CHECK(std::is_sorted(names.begin(), names.end()));
  CAF_CHECK_EQUAL(names, (std::vector<std::string>{"list/live", "list/stored"}));
  // A closed connection is no longer counted.
  ws1->close();
  ws1.reset();
  CAF_CHECK(wait_subscribers(1));
}

CAF_TEST(healthz and the tool page) {
  herald_process server;
  CAF_REQUIRE(server.start());
  http_client http{server.port()};
  auto health = http.request("GET", "/healthz");
  CAF_CHECK_EQUAL(health.status, 200);
  CAF_CHECK_EQUAL(health.header("content-type").find("application/json"), 0u);
  auto obj = parse_object(health.body);
  CAF_CHECK(obj && *obj == boost::json::object{{"status", "OK"}});
  auto page = http.request("GET", "/");
  CAF_CHECK_EQUAL(page.status, 200);
  CAF_CHECK_EQUAL(page.header("content-type").find("text/html"), 0u);
  CAF_CHECK_EQUAL(page.body, read_file(HERALD_SOURCE_DIR "/web/index.html"));
  // Every other file of web/ is served under its name.
  for (auto& entry : std::filesystem::directory_iterator(HERALD_SOURCE_DIR "/web")) {
    auto name = entry.path().filename().string();
    if (!entry.is_regular_file() || name == "index.html")
      continue;
    auto res = http.request("GET", "/" + name);
    CAF_CHECK_EQUAL(res.status, 200);
    CAF_CHECK_EQUAL(res.body, read_file(entry.path().string()));
  }
}
