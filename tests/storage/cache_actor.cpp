#define CAF_SUITE storage_cache

#include "storage/cache_actor.hpp"

#include <string>
#include <vector>

#include <caf/test/dsl.hpp>

using namespace herald;

namespace {

// Stands in for the broadcaster: remembers every frame forwarded to it.
struct recording_broadcaster_state {
  frame_list seen;
  static const char* name;
};
const char* recording_broadcaster_state::name = "recording_broadcaster";

broadcaster_actor::behavior_type
recording_broadcaster(broadcaster_actor::stateful_pointer<recording_broadcaster_state> self) {
  return {
    [=](committed_atom, frame& f) { self->state.seen.push_back(std::move(f)); },
    [=](committed_atom, frame_list& fs) {
      for (auto& f : fs)
        self->state.seen.push_back(std::move(f));
    },
    [=](caf::flush_atom) {},
    [=](attach_atom, const fanout_ptr&) {},
    [=](caf::join_atom, const std::string&, const session_actor&) { return caf::ok_atom_v; },
    [=](caf::leave_atom, const std::string&, const session_actor&) {},
    [=](channels_atom) { return subscriber_counts{}; },
    [=](caf::close_atom, uint16_t, const std::string&) {},
  };
}

frame make_frame(uint64_t id, uint64_t prev_id, std::string channel) {
  auto f = std::make_shared<frame_data>();
  f->id = id;
  f->prev_id = prev_id;
  f->channel = std::move(channel);
  f->json = "{\"id\":" + std::to_string(id) + "}";
  return f;
}

std::vector<uint64_t> ids_of(const frame_list& xs) {
  std::vector<uint64_t> result;
  for (auto& x : xs)
    result.push_back(x->id);
  return result;
}

using ids = std::vector<uint64_t>;

struct fixture : test_coordinator_fixture<> {
  broadcaster_actor downstream;
  cache_actor cache;
  std::shared_ptr<cache_metrics> metrics = std::make_shared<cache_metrics>();

  fixture() {
    downstream = sys.spawn(recording_broadcaster);
    run();
  }

  ~fixture() {
    caf::anon_send_exit(cache, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(downstream, caf::exit_reason::user_shutdown);
    run();
  }

  void start(std::size_t per_channel) {
    cache = sys.spawn(cache_behavior, downstream, per_channel, metrics);
    run();
  }

  void commit(uint64_t id, uint64_t prev_id, const std::string& channel) {
    caf::anon_send(cache, committed_atom_v, make_frame(id, prev_id, channel));
    run();
  }

  // The cache's answer: the ids on a hit, nothing on a miss (after checking
  // that the miss is reported as errc::cache_miss).
  caf::optional<ids> query(const std::string& channel, uint64_t since, uint32_t limit) {
    auto h = self->request(cache, caf::infinite, history_atom_v, channel, since, limit);
    run();
    caf::optional<ids> result;
    h.receive([&](frame_list& xs) { result = ids_of(xs); },
              [&](caf::error& e) {
                CAF_CHECK_EQUAL(e.category(), caf::atom("herald"));
                CAF_CHECK_EQUAL(e.code(), static_cast<uint8_t>(errc::cache_miss));
              });
    return result;
  }

  frame_list& forwarded() {
    return deref<broadcaster_actor::stateful_base<recording_broadcaster_state>>(downstream)
      .state.seen;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(cache_tests, fixture)

CAF_TEST(keeps the last n frames per channel) {
  start(3);
  for (uint64_t id = 1; id <= 5; ++id)
    commit(id, id - 1, "a");
  auto& q = deref<cache_actor::stateful_base<cache_state>>(cache).state.channels.at("a");
  CAF_CHECK_EQUAL(ids_of(frame_list(q.begin(), q.end())), (ids{3, 4, 5}));
}

CAF_TEST(answers when since reaches the predecessor of the oldest frame) {
  start(3);
  for (uint64_t id = 1; id <= 5; ++id)
    commit(id, id - 1, "a");
  // Cached: 3, 4, 5; the oldest's predecessor is 2.
  CAF_CHECK_EQUAL(query("a", 2, 10), ids({3, 4, 5}));
  CAF_CHECK_EQUAL(query("a", 3, 10), ids({4, 5}));
  CAF_CHECK_EQUAL(query("a", 5, 10), ids{});
  CAF_CHECK_EQUAL(query("a", 99, 10), ids{});
  // Message 2 is no longer cached: the cache cannot answer.
  CAF_CHECK(!query("a", 1, 10));
  CAF_CHECK(!query("a", 0, 10));
}

CAF_TEST(channels interleave through the prev_id chain) {
  start(2);
  commit(1, 0, "a");
  commit(2, 0, "b");
  commit(3, 1, "a");
  commit(4, 2, "b");
  commit(5, 3, "a");
  // "a" keeps 3 and 5; 4 belongs to "b", so since = 4 still covers "a".
  CAF_CHECK_EQUAL(query("a", 1, 10), ids({3, 5}));
  CAF_CHECK_EQUAL(query("a", 4, 10), ids({5}));
  CAF_CHECK(!query("a", 0, 10));
  // "b" still holds its whole history, back to its first message.
  CAF_CHECK_EQUAL(query("b", 0, 10), ids({2, 4}));
}

CAF_TEST(limit is respected) {
  start(10);
  for (uint64_t id = 1; id <= 6; ++id)
    commit(id, id - 1, "a");
  CAF_CHECK_EQUAL(query("a", 0, 2), ids({1, 2}));
  CAF_CHECK_EQUAL(query("a", 3, 1), ids({4}));
  CAF_CHECK_EQUAL(query("a", 0, 0), ids{});
}

CAF_TEST(unknown channels miss) {
  start(10);
  commit(1, 0, "a");
  CAF_CHECK(!query("nobody", 0, 10));
  CAF_CHECK(!query("", 0, 10));
}

CAF_TEST(zero capacity caches nothing but still forwards) {
  start(0);
  commit(1, 0, "a");
  CAF_CHECK(!query("a", 0, 10));
  CAF_CHECK_EQUAL(ids_of(forwarded()), ids({1}));
}

CAF_TEST(forwards every frame downstream in order) {
  start(1);
  auto f1 = make_frame(1, 0, "a");
  auto f2 = make_frame(2, 0, "b");
  auto f3 = make_frame(3, 1, "a");
  for (auto& f : {f1, f2, f3})
    caf::anon_send(cache, committed_atom_v, f);
  expect((committed_atom, frame), to(cache));
  expect((committed_atom, frame), from(cache).to(downstream).with(_, f1));
  expect((committed_atom, frame), to(cache));
  expect((committed_atom, frame), from(cache).to(downstream).with(_, f2));
  expect((committed_atom, frame), to(cache));
  expect((committed_atom, frame), from(cache).to(downstream).with(_, f3));
  // The very same shared frames, not copies: fan-out never copies the text.
  CAF_REQUIRE_EQUAL(forwarded().size(), 3u);
  CAF_CHECK_EQUAL(forwarded()[0].get(), f1.get());
  CAF_CHECK_EQUAL(forwarded()[2].get(), f3.get());
}

CAF_TEST(reset forgets every channel so that queries go to storage) {
  start(5);
  commit(1, 0, "a");
  commit(2, 0, "b");
  commit(3, 1, "a");
  CAF_CHECK_EQUAL(query("a", 1, 10), ids({3}));
  caf::anon_send(cache, caf::reset_atom_v);
  run();
  // Messages 4 (a) and 5 (b) were never seen: the cache must not claim
  // that nothing follows 3 or 2.
  CAF_CHECK(!query("a", 1, 10));
  CAF_CHECK(!query("a", 3, 10));
  CAF_CHECK(!query("b", 2, 10));
  // What arrives after the reset is cached as usual.
  commit(6, 4, "a");
  CAF_CHECK_EQUAL(query("a", 4, 10), ids({6}));
  CAF_CHECK(!query("a", 3, 10));
}

CAF_TEST(what retention removed is no longer served) {
  start(5);
  for (uint64_t id = 1; id <= 4; ++id)
    commit(id, id - 1, "a");
  commit(5, 0, "b");
  caf::anon_send(cache, prune_atom_v, std::string{"a"}, uint64_t{2});
  run();
  // 1 and 2 are gone: from before them storage answers (and tells of the gap).
  CAF_CHECK(!query("a", 0, 10));
  CAF_CHECK(!query("a", 1, 10));
  CAF_CHECK_EQUAL(query("a", 2, 10), ids({3, 4}));
  CAF_CHECK_EQUAL(query("b", 0, 10), ids({5}));
  // Once all of a channel is gone, the cache vouches for nothing of it.
  caf::anon_send(cache, prune_atom_v, std::string{"a"}, uint64_t{4});
  run();
  CAF_CHECK(!query("a", 4, 10));
  commit(6, 4, "a");
  CAF_CHECK_EQUAL(query("a", 4, 10), ids({6}));
}

CAF_TEST(a null frame is ignored) {
  start(5);
  caf::anon_send(cache, committed_atom_v, frame{});
  run();
  CAF_CHECK(forwarded().empty());
  CAF_CHECK(!query("a", 0, 10));
}

CAF_TEST(history answers and misses are counted for metrics) {
  start(5);
  commit(1, 0, "a");
  commit(2, 1, "a");
  CAF_CHECK_EQUAL(query("a", 0, 10), ids({1, 2}));
  CAF_CHECK_EQUAL(query("a", 1, 10), ids({2}));
  CAF_CHECK(!query("b", 0, 10));
  CAF_CHECK_EQUAL(metrics->hits.value(), 2u);
  CAF_CHECK_EQUAL(metrics->misses.value(), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
