#define CAF_SUITE actors_session
#include <caf/test/dsl.hpp>

#include <optional>

#include "actors/broadcaster.hpp"
#include "actors/session.hpp"
#include "fakes.hpp"

using namespace herald;
using namespace herald::testing;

namespace {

using ids = std::vector<uint64_t>;

struct fixture : test_coordinator_fixture<> {
  broadcaster_actor bc = sys.spawn(broadcaster_behavior);
  cache_actor cache = sys.spawn(fake_cache);
  storage_actor storage = sys.spawn(fake_storage);
  std::shared_ptr<test_sink> sink = std::make_shared<test_sink>();
  std::vector<session_actor> sessions;

  fixture() {
    run(); // let the long-lived actors start
  }

  // The broadcaster and its sessions hold each other's handles: like the
  // server at shutdown, end them explicitly or the actor system waits forever.
  ~fixture() override {
    for (auto& s : sessions)
      caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(bc, caf::exit_reason::user_shutdown);
    run();
  }

  fake_cache_state& cache_state() {
    return deref<cache_actor::stateful_base<fake_cache_state>>(cache).state;
  }
  fake_storage_state& storage_state() {
    return deref<storage_actor::stateful_base<fake_storage_state>>(storage).state;
  }
  broadcaster_state& bc_state() {
    return deref<broadcaster_actor::stateful_base<broadcaster_state>>(bc).state;
  }
  session_state& state(const session_actor& s) {
    return deref<session_actor::stateful_base<session_state>>(s).state;
  }

  // A committed message: in storage, and (unless told otherwise) in the
  // cache, which has always seen a message before the broadcaster routes it.
  frame store(uint64_t id, const std::string& channel = "c", bool cached = true) {
    auto f = make_frame(id, channel);
    storage_state().frames.push_back(f);
    if (cached)
      cache_state().frames.push_back(f);
    return f;
  }

  void route(const frame& f) {
    caf::anon_send(bc, committed_atom_v, f);
  }

  session_actor open(std::optional<uint64_t> since, const std::string& channel = "c",
                     std::size_t replay_budget = std::size_t{1} << 30) {
    auto s = sys.spawn(session_behavior, sink, channel, since, bc, cache, storage,
                       replay_budget);
    sessions.push_back(s);
    return s;
  }

  // Runs the session's start only (it asks the broadcaster to join), so a
  // test can interleave every later step.
  void start(const session_actor& s) {
    CAF_REQUIRE(sched.prioritize(s));
    sched.run_once();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(session_tests, fixture)

CAF_TEST(without since the session goes live after the join) {
  auto s = open(std::nullopt);
  run();
  CAF_CHECK_EQUAL(bc_state().count("c"), 1u);
  route(store(1));
  route(store(2, "other"));
  route(store(3));
  run();
  CAF_CHECK_EQUAL(sink->ids(), ids({1, 3}));
  CAF_CHECK(cache_state().asked_since.empty());
  CAF_CHECK(storage_state().asked_since.empty());
}

CAF_TEST(the connection hears it is subscribed only after the join reply) {
  auto s = open(std::nullopt);
  start(s);
  expect((caf::join_atom, std::string, session_actor), from(s).to(bc));
  CAF_CHECK_EQUAL(sink->subscribed_calls, 0);
  expect((caf::ok_atom), from(bc).to(s));
  CAF_CHECK_EQUAL(sink->subscribed_calls, 1);
  // From here on every routed message reaches the session.
  route(store(1));
  run();
  CAF_CHECK_EQUAL(sink->ids(), ids({1}));
  CAF_CHECK_EQUAL(sink->subscribed_calls, 1);
}

CAF_TEST(a replay larger than the budget waits for the connection to drain) {
  for (uint64_t id = 1; id <= 10; ++id)
    store(id);
  auto frame_size = make_frame(1, "c")->json.size();
  auto s = open(0, "c", 3 * frame_size); // three frames per burst
  run();
  CAF_CHECK_EQUAL(sink->ids(), ids({1, 2, 3}));
  CAF_CHECK_EQUAL(sink->drain_requests, 1);
  // Live messages arriving meanwhile wait behind the replay.
  route(store(11));
  route(store(12));
  run();
  CAF_CHECK_EQUAL(sink->ids(), ids({1, 2, 3}));
  caf::anon_send(s, drained_atom_v);
  run();
  CAF_CHECK_EQUAL(sink->ids(), ids({1, 2, 3, 4, 5, 6}));
  CAF_CHECK_EQUAL(sink->drain_requests, 2);
  // Each notice lets one more burst out, the buffered live ones last.
  CAF_CHECK(state(s).waiting_drain_);
  for (int i = 0; i < 3; ++i) {
    caf::anon_send(s, drained_atom_v);
    run();
  }
  CAF_CHECK_EQUAL(sink->ids(), ids({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  CAF_CHECK(state(s).phase_ == session_state::phase::live);
  caf::anon_send(s, drained_atom_v); // ignored when live
  route(store(13));
  run();
  CAF_CHECK_EQUAL(sink->ids(), ids({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}));
}

CAF_TEST(live messages go out once and in order) {
  auto s = open(std::nullopt);
  run();
  for (uint64_t id : {5, 5, 3, 6, 6, 7})
    caf::anon_send(s, deliver_atom_v, make_frame(id, "c"));
  caf::anon_send(s, deliver_atom_v, frame{});
  run();
  CAF_CHECK_EQUAL(sink->ids(), ids({5, 6, 7}));
  CAF_CHECK_EQUAL(state(s).last_sent_, 7u);
}

CAF_TEST(publishes racing the replay reach the sink exactly once in id order) {
  store(1);
  store(2);
  store(3, "other");
  store(4);
  store(5);
  auto s = open(2);
  start(s);
  // History is asked only after the join reply: nothing waits at the cache.
  CAF_CHECK(!sched.prioritize(cache));
  expect((caf::join_atom, std::string, session_actor), from(s).to(bc));
  // Routed before the session sees its join reply.
  route(store(6));
  expect((committed_atom, frame), to(bc));
  expect((caf::ok_atom), from(bc).to(s));
  CAF_CHECK(state(s).phase_ == session_state::phase::replaying);
  expect((deliver_atom, frame), from(bc).to(s));
  CAF_CHECK(sink->frames.empty());
  // Routed while the history request waits at the cache: 7 is in the reply
  // too (overlap); 8 is newer than what the cache answers.
  route(store(7));
  expect((committed_atom, frame), to(bc));
  route(store(8, "c", false));
  expect((committed_atom, frame), to(bc));
  expect((history_atom, std::string, uint64_t, uint32_t), from(s).to(cache));
  CAF_CHECK_EQUAL(cache_state().asked_since, ids({2}));
  expect((deliver_atom, frame), from(bc).to(s));
  expect((deliver_atom, frame), from(bc).to(s));
  CAF_CHECK(sink->frames.empty());
  CAF_CHECK_EQUAL(ids_of(state(s).buffered_), ids({6, 7, 8}));
  // Routed after the cache answered: queued behind the reply.
  route(store(9));
  expect((committed_atom, frame), to(bc));
  expect((frame_list), from(cache).to(s));
  CAF_CHECK_EQUAL(sink->ids(), ids({4, 5, 6, 7, 8}));
  CAF_CHECK(state(s).phase_ == session_state::phase::live);
  CAF_CHECK(state(s).buffered_.empty());
  expect((deliver_atom, frame), from(bc).to(s));
  route(store(10));
  run();
  CAF_CHECK_EQUAL(sink->ids(), ids({4, 5, 6, 7, 8, 9, 10}));
  CAF_CHECK(storage_state().asked_since.empty());
}

CAF_TEST(a cache miss falls back to storage) {
  for (uint64_t id = 1; id <= 5; ++id)
    store(id);
  cache_state().covers_from = 50;
  auto s = open(1);
  run();
  CAF_CHECK_EQUAL(sink->ids(), ids({2, 3, 4, 5}));
  CAF_CHECK_EQUAL(cache_state().asked_since, ids({1}));
  CAF_CHECK_EQUAL(storage_state().asked_since, ids({1}));
  route(store(6));
  run();
  CAF_CHECK_EQUAL(sink->ids(), ids({2, 3, 4, 5, 6}));
}

CAF_TEST(a long replay comes in pages and each page asks the cache first) {
  for (uint64_t id = 1; id <= 2500; ++id)
    store(id);
  cache_state().covers_from = 2000; // the cache holds the recent tail only
  auto s = open(0);
  run();
  CAF_CHECK_EQUAL(sink->ids(), id_range(1, 2500));
  CAF_CHECK_EQUAL(cache_state().asked_since, ids({0, 1000, 2000}));
  CAF_CHECK_EQUAL(storage_state().asked_since, ids({0, 1000}));
  CAF_CHECK(state(s).phase_ == session_state::phase::live);
}

CAF_TEST(a replay of exactly one full page asks once more and goes live) {
  for (uint64_t id = 1; id <= replay_page_size; ++id)
    store(id);
  auto s = open(0);
  run();
  CAF_CHECK_EQUAL(sink->ids().size(), size_t{replay_page_size});
  CAF_CHECK_EQUAL(cache_state().asked_since, ids({0, replay_page_size}));
  CAF_CHECK(state(s).phase_ == session_state::phase::live);
}

CAF_TEST(a storage failure during the replay closes with 1011 and quits) {
  for (uint64_t id = 1; id <= 1500; ++id)
    store(id);
  cache_state().miss_all = true;
  auto s = open(0);
  start(s);
  expect((caf::join_atom, std::string, session_actor), from(s).to(bc));
  expect((caf::ok_atom), from(bc).to(s));
  expect((history_atom, std::string, uint64_t, uint32_t), from(s).to(cache));
  expect((caf::error), from(cache).to(s));
  expect((history_atom, std::string, uint64_t, uint32_t), from(s).to(storage));
  expect((frame_list), from(storage).to(s));
  CAF_CHECK_EQUAL(sink->ids(), id_range(1, 1000));
  storage_state().fail = true;
  run();
  CAF_CHECK_EQUAL(sink->ids().size(), 1000u); // nothing after the failure
  using close_list = std::vector<std::pair<uint16_t, std::string>>;
  CAF_CHECK_EQUAL(sink->closes, close_list({{1011, "history unavailable"}}));
  CAF_CHECK_EQUAL(bc_state().count("c"), 0u);
  CAF_CHECK(bc_state().joined_.empty());
  CAF_CHECK_EQUAL(sink.use_count(), 1); // the dead session let go of it
}

CAF_TEST(close asks the connection to close) {
  auto s = open(std::nullopt);
  run();
  caf::anon_send(s, caf::close_atom_v, uint16_t{1001}, std::string{"server shutting down"});
  run();
  using close_list = std::vector<std::pair<uint16_t, std::string>>;
  CAF_CHECK_EQUAL(sink->closes, close_list({{1001, "server shutting down"}}));
  // The session stays until its connection reports the end.
  CAF_CHECK_EQUAL(bc_state().count("c"), 1u);
}

CAF_TEST(leave ends the subscription and releases the sink) {
  auto s = open(std::nullopt);
  run();
  CAF_CHECK_EQUAL(sink.use_count(), 2);
  caf::anon_send(s, caf::leave_atom_v);
  run();
  CAF_CHECK_EQUAL(bc_state().count("c"), 0u);
  CAF_CHECK_EQUAL(sink.use_count(), 1);
  route(store(1));
  run();
  CAF_CHECK(sink->frames.empty());
}

CAF_TEST(a failed join closes with 1011) {
  caf::anon_send_exit(bc, caf::exit_reason::kill);
  run();
  auto s = open(std::nullopt);
  run();
  using close_list = std::vector<std::pair<uint16_t, std::string>>;
  CAF_CHECK_EQUAL(sink->closes, close_list({{1011, "subscription failed"}}));
  CAF_CHECK_EQUAL(sink.use_count(), 1);
}

CAF_TEST_FIXTURE_SCOPE_END()
