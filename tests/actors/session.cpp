// The session actor: its place in the subscriber counts, and the paced,
// paged replay that ends with replay_done.

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

  // A committed message: in storage, and (unless told otherwise) in the cache.
  frame store(uint64_t id, const std::string& channel = "c", bool cached = true) {
    auto f = make_frame(id, channel);
    storage_state().frames.push_back(f);
    if (cached)
      cache_state().frames.push_back(f);
    return f;
  }

  session_actor open(std::optional<uint64_t> since, const std::string& channel = "c",
                     std::size_t replay_budget = std::size_t{1} << 30) {
    auto s = sys.spawn(session_behavior, sink, channel, since, bc, cache, storage,
                       replay_budget);
    sessions.push_back(s);
    return s;
  }

  // Runs the session's start only (it sends its join and, with since, its
  // first history request), so a test can interleave every later step.
  void start(const session_actor& s) {
    CAF_REQUIRE(sched.prioritize(s));
    sched.run_once();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(session_tests, fixture)

CAF_TEST(without since the session joins and replays nothing) {
  auto s = open(std::nullopt);
  run();
  CAF_CHECK_EQUAL(bc_state().count("c"), 1u);
  CAF_CHECK(cache_state().asked_since.empty());
  CAF_CHECK(storage_state().asked_since.empty());
  CAF_CHECK(sink->frames.empty());
  CAF_CHECK_EQUAL(sink->replay_done_calls, 0);
  CAF_CHECK(state(s).phase_ == session_state::phase::live);
}

CAF_TEST(the connection hears it is subscribed once the join is answered) {
  auto s = open(std::nullopt);
  start(s);
  expect((caf::join_atom, std::string, session_actor), from(s).to(bc));
  CAF_CHECK_EQUAL(sink->subscribed_calls, 0);
  expect((caf::ok_atom), from(bc).to(s));
  CAF_CHECK_EQUAL(sink->subscribed_calls, 1);
}

CAF_TEST(the replay does not wait for the join reply) {
  store(1);
  auto s = open(0);
  start(s);
  // Both requests leave at once: the connection already receives live
  // messages, so the join only matters for the counts.
  CAF_CHECK(sched.prioritize(cache));
  expect((history_atom, std::string, uint64_t, uint32_t), from(s).to(cache));
  expect((frame_list), from(cache).to(s));
  CAF_CHECK_EQUAL(sink->ids(), ids({1}));
  CAF_CHECK_EQUAL(sink->replay_done_calls, 1);
  run();
  CAF_CHECK_EQUAL(bc_state().count("c"), 1u);
}

CAF_TEST(a replay larger than the budget waits for the connection to drain) {
  for (uint64_t id = 1; id <= 10; ++id)
    store(id);
  auto frame_size = make_frame(1, "c")->json.size();
  auto s = open(0, "c", 3 * frame_size); // three frames per burst
  run();
  CAF_CHECK_EQUAL(sink->ids(), ids({1, 2, 3}));
  CAF_CHECK_EQUAL(sink->sends, 1); // one burst, one call
  CAF_CHECK_EQUAL(sink->drain_requests, 1);
  CAF_CHECK_EQUAL(sink->replay_done_calls, 0);
  caf::anon_send(s, drained_atom_v);
  run();
  CAF_CHECK_EQUAL(sink->ids(), ids({1, 2, 3, 4, 5, 6}));
  CAF_CHECK_EQUAL(sink->drain_requests, 2);
  // Each notice lets one more burst out.
  CAF_CHECK(state(s).waiting_drain_);
  for (int i = 0; i < 2; ++i) {
    caf::anon_send(s, drained_atom_v);
    run();
  }
  CAF_CHECK_EQUAL(sink->ids(), id_range(1, 10));
  CAF_CHECK_EQUAL(sink->replay_done_calls, 1);
  CAF_CHECK(state(s).phase_ == session_state::phase::live);
  caf::anon_send(s, drained_atom_v); // ignored when live
  run();
  CAF_CHECK_EQUAL(sink->ids(), id_range(1, 10));
  CAF_CHECK_EQUAL(sink->replay_done_calls, 1);
}

CAF_TEST(the replay skips other channels and ends with replay_done) {
  store(1);
  store(2);
  store(3, "other");
  store(4);
  auto s = open(1);
  run();
  CAF_CHECK_EQUAL(sink->ids(), ids({2, 4}));
  CAF_CHECK_EQUAL(sink->replay_done_calls, 1);
  CAF_CHECK_EQUAL(state(s).last_sent_, 4u);
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
  CAF_CHECK_EQUAL(sink->replay_done_calls, 1);
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
  CAF_CHECK_EQUAL(sink->replay_done_calls, 0);
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

// A message as storage hands it out after retention: with its channel's
// previous id, which may be that of a removed message.
void keep(fixture& fx, uint64_t id, uint64_t prev_id) {
  auto f = std::make_shared<frame_data>(*make_frame(id, "c"));
  f->prev_id = prev_id;
  fx.storage_state().frames.push_back(std::move(f));
}

CAF_TEST(a replay from before what retention kept starts with a gap notice) {
  for (uint64_t id = 16; id <= 25; ++id)
    keep(*this, id, id - 1); // 1 to 15 were removed
  cache_state().miss_all = true;
  auto s = open(1);
  run();
  CAF_REQUIRE_EQUAL(sink->frames.size(), 11u);
  CAF_CHECK_EQUAL(sink->frames[0]->json, R"({"type":"gap","resume_from":15})");
  ids expected{15};
  for (uint64_t id = 16; id <= 25; ++id)
    expected.push_back(id);
  CAF_CHECK_EQUAL(sink->ids(), expected);
  CAF_CHECK_EQUAL(state(s).gaps_sent_, 1u);
  CAF_CHECK_EQUAL(sink->sends, 1); // the notice goes out with the messages
  CAF_CHECK_EQUAL(sink->replay_done_calls, 1);
}

CAF_TEST(a replay that follows on from since gets no gap notice) {
  for (uint64_t id = 16; id <= 25; ++id)
    keep(*this, id, id - 1);
  cache_state().miss_all = true;
  auto s = open(15);
  run();
  CAF_CHECK_EQUAL(sink->ids(), id_range(16, 25));
  CAF_CHECK_EQUAL(state(s).gaps_sent_, 0u);
}

CAF_TEST(a replay after which everything was removed gets the gap and goes live) {
  storage_state().removed_through = 25; // and nothing is kept
  cache_state().miss_all = true;
  auto s = open(10);
  run();
  CAF_REQUIRE_EQUAL(sink->frames.size(), 1u);
  CAF_CHECK_EQUAL(sink->frames[0]->json, R"({"type":"gap","resume_from":25})");
  CAF_CHECK_EQUAL(state(s).last_sent_, 25u);
  CAF_CHECK_EQUAL(sink->replay_done_calls, 1);
  CAF_CHECK(sink->closes.empty()); // not a storage failure
  CAF_CHECK(state(s).phase_ == session_state::phase::live);
}

CAF_TEST(a gap that opens in the middle of a long replay is announced there) {
  for (uint64_t id = 1; id <= replay_page_size; ++id)
    keep(*this, id, id - 1);
  // Removed while the first page went out: 1001 to 1500.
  for (uint64_t id = 1501; id <= 1600; ++id)
    keep(*this, id, id - 1);
  cache_state().miss_all = true;
  auto s = open(0);
  run();
  auto expected = id_range(1, replay_page_size);
  expected.push_back(1500);
  for (uint64_t id = 1501; id <= 1600; ++id)
    expected.push_back(id);
  CAF_CHECK_EQUAL(sink->ids(), expected);
  CAF_REQUIRE_EQUAL(sink->frames.size(), expected.size());
  CAF_CHECK_EQUAL(sink->frames[replay_page_size]->json, R"({"type":"gap","resume_from":1500})");
  CAF_CHECK_EQUAL(state(s).gaps_sent_, 1u);
  CAF_CHECK_EQUAL(storage_state().asked_since, ids({0, replay_page_size}));
}

CAF_TEST_FIXTURE_SCOPE_END()
