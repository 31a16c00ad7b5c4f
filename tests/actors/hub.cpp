#define CAF_SUITE actors_hub
#include <caf/test/dsl.hpp>

#include "actors/broadcaster.hpp"
#include "actors/hub.hpp"
#include "actors/hub_actors.hpp"
#include "actors/ingest.hpp"
#include "actors/query.hpp"
#include "fakes.hpp"

using namespace herald;
using namespace herald::testing;

namespace {

using ids = std::vector<uint64_t>;
using close_list = std::vector<std::pair<uint16_t, std::string>>;

// The hub over the real broadcaster, ingest and query, with a fake storage
// whose commits flow through a relay cache to the broadcaster.
struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<hub_actors> actors = std::make_shared<hub_actors>();
  std::unique_ptr<herald::hub> hub;
  std::vector<publish_result> published;

  fixture() {
    actors->broadcaster = sys.spawn(broadcaster_behavior);
    actors->cache = sys.spawn(relay_cache, actors->broadcaster);
    actors->storage = sys.spawn(fake_storage);
    actors->ingest = sys.spawn(ingest_behavior, actors->storage);
    actors->query = sys.spawn(query_behavior, actors->broadcaster, actors->cache,
                              actors->storage);
    run();
    storage_state().downstream = actors->cache;
    hub = std::make_unique<herald::hub>(sys, actors);
  }

  ~fixture() override {
    hub.reset();
    for (auto a : {caf::actor_cast<caf::actor>(actors->broadcaster),
                   caf::actor_cast<caf::actor>(actors->cache),
                   caf::actor_cast<caf::actor>(actors->storage),
                   caf::actor_cast<caf::actor>(actors->ingest),
                   caf::actor_cast<caf::actor>(actors->query)})
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    run();
  }

  fake_storage_state& storage_state() {
    return deref<storage_actor::stateful_base<fake_storage_state>>(actors->storage).state;
  }
  broadcaster_state& bc_state() {
    return deref<broadcaster_actor::stateful_base<broadcaster_state>>(actors->broadcaster).state;
  }

  void publish(const std::string& channel) {
    hub->publish(draft{channel, "alice", "hi", 0},
                 [this](publish_result r) { published.push_back(std::move(r)); });
  }

  int64_t in_flight() const {
    return hub->stats().publishes_in_flight.load();
  }
  int64_t open_sessions() const {
    return hub->stats().open_sessions.load();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(hub_tests, fixture)

CAF_TEST(publish counts in flight until the answer) {
  publish("a");
  publish("a");
  CAF_CHECK_EQUAL(in_flight(), 2);
  run();
  CAF_CHECK_EQUAL(in_flight(), 0);
  CAF_REQUIRE_EQUAL(published.size(), 2u);
  CAF_CHECK_EQUAL(published[0].status, 200);
  CAF_CHECK_EQUAL(published[0].id, 1u);
  CAF_CHECK_EQUAL(published[1].id, 2u);
}

CAF_TEST(a failed publish answers 503 and is no longer in flight) {
  storage_state().fail = true;
  publish("a");
  run();
  CAF_CHECK_EQUAL(in_flight(), 0);
  CAF_REQUIRE_EQUAL(published.size(), 1u);
  CAF_CHECK_EQUAL(published[0].status, 503);
}

CAF_TEST(a publish that no actor takes still gets an answer) {
  caf::anon_send_exit(actors->ingest, caf::exit_reason::user_shutdown);
  run();
  publish("a");
  run();
  CAF_CHECK_EQUAL(in_flight(), 0);
  CAF_REQUIRE_EQUAL(published.size(), 1u);
  CAF_CHECK_EQUAL(published[0].status, 503);
  CAF_CHECK_EQUAL(published[0].error, "server shutting down");
}

CAF_TEST(publishes reach an attached fan-out target in order) {
  auto target = std::make_shared<recording_fanout>();
  hub->attach_fanout(target);
  run();
  publish("a");
  publish("b");
  publish("a");
  run();
  CAF_CHECK_EQUAL(target->ids(), ids({1, 2, 3}));
}

CAF_TEST(an open session is counted on its channel) {
  auto sink = std::make_shared<test_sink>();
  auto other = std::make_shared<test_sink>();
  auto h = hub->open_session(sink, "a", std::nullopt);
  auto h2 = hub->open_session(other, "b", std::nullopt);
  CAF_CHECK(static_cast<bool>(h));
  CAF_CHECK_EQUAL(open_sessions(), 2);
  run();
  CAF_CHECK_EQUAL(bc_state().count("a"), 1u);
  CAF_CHECK_EQUAL(bc_state().count("b"), 1u);
  h.close();
  h2.close();
  run();
}

CAF_TEST(close ends the session once) {
  auto sink = std::make_shared<test_sink>();
  auto h = hub->open_session(sink, "a", std::nullopt);
  run();
  h.close();
  h.close(); // idempotent
  CAF_CHECK_EQUAL(open_sessions(), 0);
  run();
  CAF_CHECK_EQUAL(bc_state().count("a"), 0u);
  CAF_CHECK_EQUAL(sink.use_count(), 1);
}

CAF_TEST(dropping the last handle ends the session) {
  auto sink = std::make_shared<test_sink>();
  {
    auto h = hub->open_session(sink, "a", std::nullopt);
    auto copy = h;
    run();
    CAF_CHECK_EQUAL(bc_state().count("a"), 1u);
  }
  CAF_CHECK_EQUAL(open_sessions(), 0);
  run();
  CAF_CHECK_EQUAL(bc_state().count("a"), 0u);
  CAF_CHECK_EQUAL(sink.use_count(), 1);
}

CAF_TEST(a session with since replays stored messages first) {
  publish("a");
  publish("a");
  publish("a");
  run();
  auto sink = std::make_shared<test_sink>();
  auto h = hub->open_session(sink, "a", uint64_t{1});
  run();
  CAF_CHECK_EQUAL(sink->ids(), ids({2, 3}));
  CAF_CHECK_EQUAL(sink->replay_done_calls, 1);
  h.close();
  run();
}

CAF_TEST(close_all reaches every session) {
  auto s1 = std::make_shared<test_sink>();
  auto s2 = std::make_shared<test_sink>();
  auto h1 = hub->open_session(s1, "a", std::nullopt);
  auto h2 = hub->open_session(s2, "b", std::nullopt);
  run();
  hub->close_all(1001, "server shutting down");
  run();
  CAF_CHECK_EQUAL(s1->closes, close_list({{1001, "server shutting down"}}));
  CAF_CHECK_EQUAL(s2->closes, close_list({{1001, "server shutting down"}}));
  h1.close();
  h2.close();
  run();
}

CAF_TEST(history and channels go through the query actor) {
  publish("a");
  publish("b");
  publish("a");
  run();
  std::vector<history_result> histories;
  std::vector<channels_result> listings;
  hub->history("a", 0, 10, [&](history_result r) { histories.push_back(std::move(r)); });
  hub->channels([&](channels_result r) { listings.push_back(std::move(r)); });
  run();
  CAF_REQUIRE_EQUAL(histories.size(), 1u);
  CAF_CHECK_EQUAL(ids_of(histories[0].frames), ids({1, 3}));
  CAF_REQUIRE_EQUAL(listings.size(), 1u);
  CAF_REQUIRE_EQUAL(listings[0].channels.size(), 2u);
  CAF_CHECK_EQUAL(listings[0].channels[0].name, "a");
  CAF_CHECK_EQUAL(listings[0].channels[0].stored, 2u);
}

CAF_TEST(ready asks storage and answers with its reason) {
  std::vector<ready_result> answers;
  auto ask = [&] { hub->ready([&](ready_result r) { answers.push_back(std::move(r)); }); };
  ask();
  run();
  CAF_REQUIRE_EQUAL(answers.size(), 1u);
  CAF_CHECK_EQUAL(answers[0].status, 200);
  storage_state().fail = true;
  ask();
  run();
  CAF_REQUIRE_EQUAL(answers.size(), 2u);
  CAF_CHECK_EQUAL(answers[1].status, 503);
  CAF_CHECK_EQUAL(answers[1].error, "storage not writable: fake");
}

CAF_TEST(ready answers 503 once when storage is gone) {
  caf::anon_send_exit(actors->storage, caf::exit_reason::user_shutdown);
  run();
  std::vector<ready_result> answers;
  hub->ready([&](ready_result r) { answers.push_back(std::move(r)); });
  run();
  CAF_REQUIRE_EQUAL(answers.size(), 1u);
  CAF_CHECK_EQUAL(answers[0].status, 503);
  CAF_CHECK_NOT_EQUAL(answers[0].error, "");
}

CAF_TEST_FIXTURE_SCOPE_END()
