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

CAF_TEST(committed messages reach only the sessions of their channel) {
  auto a1 = join("a");
  auto a2 = join("a");
  auto b = join("b");
  commit(1, "a");
  commit(2, "b");
  commit(3, "c"); // nobody listens: dropped
  commit(4, "a");
  CAF_CHECK_EQUAL(ids_of(rec(a1).frames), std::vector<uint64_t>({1, 4}));
  CAF_CHECK_EQUAL(ids_of(rec(a2).frames), std::vector<uint64_t>({1, 4}));
  CAF_CHECK_EQUAL(ids_of(rec(b).frames), std::vector<uint64_t>({2}));
}

CAF_TEST(fan-out shares the frame instead of copying it) {
  auto a1 = join("a");
  auto a2 = join("a");
  auto f = make_frame(7, "a");
  caf::anon_send(bc, committed_atom_v, f);
  run();
  CAF_REQUIRE_EQUAL(rec(a1).frames.size(), 1u);
  CAF_REQUIRE_EQUAL(rec(a2).frames.size(), 1u);
  CAF_CHECK(rec(a1).frames[0].get() == f.get());
  CAF_CHECK(rec(a2).frames[0].get() == f.get());
}

CAF_TEST(subscriber counts are per channel and sorted by name) {
  join("zeta");
  join("alpha");
  join("zeta");
  CAF_CHECK_EQUAL(counts(), subscriber_counts({{"alpha", 1}, {"zeta", 2}}));
}

CAF_TEST(a session that leaves gets nothing more and is not counted) {
  auto stay = join("a");
  auto gone = join("a");
  commit(1, "a");
  caf::anon_send(bc, caf::leave_atom_v, std::string{"a"}, gone);
  run();
  commit(2, "a");
  CAF_CHECK_EQUAL(ids_of(rec(stay).frames), std::vector<uint64_t>({1, 2}));
  CAF_CHECK_EQUAL(ids_of(rec(gone).frames), std::vector<uint64_t>({1}));
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
  commit(1, "a");
  CAF_CHECK_EQUAL(ids_of(rec(alive).frames), std::vector<uint64_t>({1}));
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
  commit(1, "a");
  commit(2, "b");
  CAF_CHECK_EQUAL(ids_of(rec(r).frames), std::vector<uint64_t>({2}));
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

CAF_TEST(a null frame or session does not crash the broadcaster) {
  caf::anon_send(bc, committed_atom_v, frame{});
  caf::anon_send(bc, caf::join_atom_v, std::string{"a"}, session_actor{});
  run();
  CAF_CHECK(counts().empty());
}

CAF_TEST_FIXTURE_SCOPE_END()
