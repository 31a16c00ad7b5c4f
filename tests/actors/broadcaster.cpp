// The broadcaster: batches of committed messages to its fan-out targets, and
// the sessions it counts per channel.

#define CAF_SUITE actors_broadcaster
#include <caf/test/dsl.hpp>

#include "actors/broadcaster.hpp"
#include "fakes.hpp"

using namespace herald;
using namespace herald::testing;

namespace {

using recorder_actor = session_actor;

struct fixture : test_coordinator_fixture<> {
  broadcaster_actor bc = sys.spawn(broadcaster_behavior);
  std::shared_ptr<recording_fanout> target = std::make_shared<recording_fanout>();

  fixture() {
    caf::anon_send(bc, attach_atom_v, fanout_ptr{target});
    run();
  }

  recorder_actor join(const std::string& channel) {
    auto r = sys.spawn(recorder);
    caf::anon_send(bc, caf::join_atom_v, channel, r);
    run();
    return r;
  }

  broadcaster_state& state() {
    return deref<broadcaster_actor::stateful_base<broadcaster_state>>(bc).state;
  }

  recorder_state& rec(const recorder_actor& r) {
    return deref<session_actor::stateful_base<recorder_state>>(r).state;
  }

  subscriber_counts counts() {
    subscriber_counts out;
    auto pending = self->request(bc, caf::infinite, channels_atom_v);
    run();
    pending.receive(
      [&](subscriber_counts& xs) { out = std::move(xs); },
      [](caf::error& err) { CAF_FAIL("channels failed: " << caf::to_string(err)); });
    return out;
  }

  void commit(uint64_t id, const std::string& channel) {
    caf::anon_send(bc, committed_atom_v, make_frame(id, channel));
    run();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(broadcaster_tests, fixture)

CAF_TEST(join answers ok once the session is subscribed) {
  auto r = sys.spawn(recorder);
  auto answered = false;
  auto pending = self->request(bc, caf::infinite, caf::join_atom_v, std::string{"a"}, r);
  run();
  pending.receive([&](caf::ok_atom) { answered = true; },
                  [](caf::error& err) { CAF_FAIL("join failed: " << caf::to_string(err)); });
  CAF_CHECK(answered);
  CAF_CHECK_EQUAL(state().count("a"), 1u);
}

CAF_TEST(committed messages reach the target in id order) {
  commit(1, "a");
  commit(2, "b");
  commit(3, "c"); // nobody listens here: the I/O threads decide, not the broadcaster
  CAF_CHECK_EQUAL(target->ids(), std::vector<uint64_t>({1, 2, 3}));
}

CAF_TEST(messages waiting together leave as one batch) {
  for (uint64_t id = 1; id <= 5; ++id)
    caf::anon_send(bc, committed_atom_v, make_frame(id, "a"));
  run();
  CAF_REQUIRE_EQUAL(target->batches.size(), 1u);
  CAF_CHECK_EQUAL(ids_of(*target->batches[0]), id_range(1, 5));
  commit(6, "a"); // a later message starts a new batch
  CAF_REQUIRE_EQUAL(target->batches.size(), 2u);
  CAF_CHECK_EQUAL(ids_of(*target->batches[1]), std::vector<uint64_t>({6}));
}

CAF_TEST(every target gets the same batch shared instead of copied) {
  auto second = std::make_shared<recording_fanout>();
  caf::anon_send(bc, attach_atom_v, fanout_ptr{second});
  run();
  auto f = make_frame(7, "a");
  caf::anon_send(bc, committed_atom_v, f);
  run();
  CAF_REQUIRE_EQUAL(target->batches.size(), 1u);
  CAF_REQUIRE_EQUAL(second->batches.size(), 1u);
  CAF_CHECK(target->batches[0].get() == second->batches[0].get());
  CAF_CHECK(target->batches[0]->at(0).get() == f.get());
}

CAF_TEST(nothing is delivered before a target is attached) {
  auto bare = sys.spawn(broadcaster_behavior);
  caf::anon_send(bare, committed_atom_v, make_frame(1, "a"));
  run();
  auto late = std::make_shared<recording_fanout>();
  caf::anon_send(bare, attach_atom_v, fanout_ptr{late});
  caf::anon_send(bare, committed_atom_v, make_frame(2, "a"));
  run();
  CAF_CHECK_EQUAL(late->ids(), std::vector<uint64_t>({2}));
  caf::anon_send_exit(bare, caf::exit_reason::user_shutdown);
  run();
}

CAF_TEST(subscriber counts are per channel and sorted by name) {
  join("zeta");
  join("alpha");
  join("zeta");
  CAF_CHECK_EQUAL(counts(), subscriber_counts({{"alpha", 1}, {"zeta", 2}}));
}

CAF_TEST(a session that leaves is not counted) {
  auto stay = join("a");
  auto gone = join("a");
  caf::anon_send(bc, caf::leave_atom_v, std::string{"a"}, gone);
  run();
  CAF_CHECK_EQUAL(counts(), subscriber_counts({{"a", 1}}));
  caf::anon_send(bc, caf::leave_atom_v, std::string{"a"}, stay);
  run();
  CAF_CHECK(counts().empty());
  CAF_CHECK(state().joined_.empty());
}

CAF_TEST(a session that dies is forgotten through its down message) {
  auto alive = join("a");
  auto dying = join("a");
  join("b");
  CAF_CHECK_EQUAL(counts(), subscriber_counts({{"a", 2}, {"b", 1}}));
  caf::anon_send_exit(dying, caf::exit_reason::kill);
  run();
  CAF_CHECK_EQUAL(counts(), subscriber_counts({{"a", 1}, {"b", 1}}));
  CAF_CHECK_EQUAL(state().joined_.size(), 2u);
  caf::anon_send_exit(alive, caf::exit_reason::user_shutdown);
  run();
}

CAF_TEST(sessions end with the broadcaster) {
  auto a = join("a");
  auto b = join("b");
  caf::anon_send_exit(bc, caf::exit_reason::user_shutdown);
  run();
  int downs = 0;
  for (auto& r : {a, b}) {
    self->monitor(r); // a dead actor answers with a down message at once
    run();
    self->receive(
      [&](caf::down_msg& dm) {
        CAF_CHECK_EQUAL(dm.reason, caf::make_error(caf::exit_reason::user_shutdown));
        ++downs;
      },
      caf::after(std::chrono::seconds(0)) >> [] { CAF_FAIL("the session is still alive"); });
  }
  CAF_CHECK_EQUAL(downs, 2);
}

CAF_TEST(joining again moves a session instead of doubling it) {
  auto r = join("a");
  caf::anon_send(bc, caf::join_atom_v, std::string{"a"}, r);
  caf::anon_send(bc, caf::join_atom_v, std::string{"b"}, r);
  run();
  CAF_CHECK_EQUAL(counts(), subscriber_counts({{"b", 1}}));
  CAF_CHECK_EQUAL(state().count("a"), 0u);
}

CAF_TEST(close reaches every session of every channel) {
  auto a = join("a");
  auto b = join("b");
  caf::anon_send(bc, caf::close_atom_v, uint16_t{1001}, std::string{"server shutting down"});
  run();
  using close_list = std::vector<std::pair<uint16_t, std::string>>;
  CAF_CHECK_EQUAL(rec(a).closes, close_list({{1001, "server shutting down"}}));
  CAF_CHECK_EQUAL(rec(b).closes, close_list({{1001, "server shutting down"}}));
}

CAF_TEST(a null frame or session or target does not crash the broadcaster) {
  caf::anon_send(bc, committed_atom_v, frame{});
  caf::anon_send(bc, caf::join_atom_v, std::string{"a"}, session_actor{});
  caf::anon_send(bc, attach_atom_v, fanout_ptr{});
  run();
  CAF_CHECK(counts().empty());
  CAF_CHECK(target->batches.empty());
  commit(1, "a");
  CAF_CHECK_EQUAL(target->ids(), std::vector<uint64_t>({1}));
}

CAF_TEST_FIXTURE_SCOPE_END()
