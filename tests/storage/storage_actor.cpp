#define CAF_SUITE storage_actor

#include "storage/storage_actor.hpp"

#include <string>

#include <sqlite3.h>

#include <caf/test/dsl.hpp>

#include "common/temp_dir.hpp"

using namespace herald;

namespace {

// Stands in for the cache: remembers every committed frame it is told about.
struct recording_cache_state {
  frame_list seen;
  static const char* name;
};
const char* recording_cache_state::name = "recording_cache";

cache_actor::behavior_type
recording_cache(cache_actor::stateful_pointer<recording_cache_state> self) {
  return {
    [=](committed_atom, frame& f) { self->state.seen.push_back(std::move(f)); },
    [=](committed_atom, frame_list& fs) {
      for (auto& f : fs)
        self->state.seen.push_back(std::move(f));
    },
    [=](history_atom, const std::string&, uint64_t, uint32_t) -> caf::result<frame_list> {
      return caf::make_error(errc::cache_miss);
    },
  };
}

bool is_errc(const caf::error& e, errc x) {
  return e.category() == caf::atom("herald") && e.code() == static_cast<uint8_t>(x);
}

draft make_draft(std::string channel, std::string text) {
  return draft{std::move(channel), "bob", std::move(text), 1795630848123};
}

struct fixture : test_coordinator_fixture<> {
  test::temp_dir dir;
  std::string path;
  std::shared_ptr<sqlite_db> db;
  cache_actor cache;
  storage_actor storage;

  fixture() {
    CAF_REQUIRE(dir.ok());
    path = dir.file("actor.db");
    std::string error;
    db = sqlite_db::open(path, "normal", error);
    CAF_REQUIRE(db != nullptr);
    cache = sys.spawn(recording_cache);
    storage = sys.spawn(storage_behavior, db, cache);
    run();
  }

  ~fixture() {
    caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(cache, caf::exit_reason::user_shutdown);
    run();
  }

  storage_state& state() {
    return deref<storage_actor::stateful_base<storage_state>>(storage).state;
  }

  frame_list& cache_seen() {
    return deref<cache_actor::stateful_base<recording_cache_state>>(cache).state.seen;
  }

  template <class Handle>
  frame receive_frame(Handle& h) {
    frame result;
    h.receive([&](frame& f) { result = std::move(f); },
              [&](caf::error& e) { CAF_FAIL("unexpected error: " << sys.render(e)); });
    CAF_REQUIRE(result != nullptr);
    return result;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(storage_actor_tests, fixture)

CAF_TEST(a batch append answers one frame per draft in order) {
  auto h = self->request(storage, caf::infinite, append_atom_v,
                         draft_list{make_draft("a", "one"), make_draft("b", "two")});
  auto single = self->request(storage, caf::infinite, append_atom_v, make_draft("a", "three"));
  run();
  CAF_CHECK_EQUAL(state().commits, 1u); // one transaction for both requests
  frame_list got;
  h.receive([&](frame_list& fs) { got = std::move(fs); },
            [](caf::error& err) { CAF_FAIL("batch append failed: " << caf::to_string(err)); });
  CAF_REQUIRE_EQUAL(got.size(), 2u);
  CAF_CHECK_EQUAL(got[0]->id, 1u);
  CAF_CHECK_EQUAL(got[0]->channel, "a");
  CAF_CHECK_EQUAL(got[1]->id, 2u);
  CAF_CHECK_EQUAL(got[1]->channel, "b");
  CAF_CHECK_EQUAL(receive_frame(single)->id, 3u);
  CAF_CHECK_EQUAL(cache_seen().size(), 3u);
}

CAF_TEST(appends waiting together share one transaction) {
  auto h1 = self->request(storage, caf::infinite, append_atom_v, make_draft("a", "one"));
  auto h2 = self->request(storage, caf::infinite, append_atom_v, make_draft("b", "two"));
  auto h3 = self->request(storage, caf::infinite, append_atom_v, make_draft("a", "three"));
  expect((append_atom, draft), from(self).to(storage));
  expect((append_atom, draft), from(self).to(storage));
  expect((append_atom, draft), from(self).to(storage));
  CAF_CHECK_EQUAL(state().pending.size(), 3u);
  CAF_CHECK_EQUAL(state().commits, 0u);
  expect((commit_atom), from(storage).to(storage));
  CAF_CHECK_EQUAL(state().commits, 1u);
  CAF_CHECK_EQUAL(state().last_batch_size, 3u);
  CAF_CHECK(state().pending.empty());
  // The cache hears of the whole commit at once, in id order.
  expect((committed_atom, frame_list), from(storage).to(cache));
  auto& seen = cache_seen();
  CAF_REQUIRE_EQUAL(seen.size(), 3u);
  CAF_CHECK_EQUAL(seen[0]->id, 1u);
  CAF_CHECK_EQUAL(seen[1]->id, 2u);
  CAF_CHECK_EQUAL(seen[2]->id, 3u);
  // Each requester gets its own frame.
  auto f1 = receive_frame(h1);
  auto f2 = receive_frame(h2);
  auto f3 = receive_frame(h3);
  CAF_CHECK_EQUAL(f1->id, 1u);
  CAF_CHECK_EQUAL(f2->id, 2u);
  CAF_CHECK_EQUAL(f3->id, 3u);
  CAF_CHECK_EQUAL(f1->prev_id, 0u);
  CAF_CHECK_EQUAL(f2->prev_id, 0u);
  CAF_CHECK_EQUAL(f3->prev_id, 1u);
  CAF_CHECK_EQUAL(f3->channel, "a");
  CAF_CHECK_EQUAL(f3->json, R"({"id":3,"channel":"a","username":"bob","message":"three",)"
                            R"("time":"2026-11-25T18:20:48.123Z"})");
  // The requester and the cache share the one rendered frame.
  CAF_CHECK_EQUAL(f1.get(), seen[0].get());
}

CAF_TEST(a later append starts a new transaction) {
  auto h1 = self->request(storage, caf::infinite, append_atom_v, make_draft("a", "one"));
  run();
  auto h2 = self->request(storage, caf::infinite, append_atom_v, make_draft("a", "two"));
  run();
  CAF_CHECK_EQUAL(state().commits, 2u);
  CAF_CHECK_EQUAL(state().last_batch_size, 1u);
  CAF_CHECK_EQUAL(receive_frame(h1)->id, 1u);
  auto f2 = receive_frame(h2);
  CAF_CHECK_EQUAL(f2->id, 2u);
  CAF_CHECK_EQUAL(f2->prev_id, 1u);
}

CAF_TEST(a failed commit answers storage_failure to all and tells the cache nothing) {
  // A second connection makes every insert fail, as a full disk would.
  sqlite3* other = nullptr;
  CAF_REQUIRE_EQUAL(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  CAF_REQUIRE_EQUAL(sqlite3_exec(other,
                                 "CREATE TRIGGER refuse BEFORE INSERT ON messages "
                                 "BEGIN SELECT RAISE(ABORT, 'disk says no'); END;",
                                 nullptr, nullptr, nullptr),
                    SQLITE_OK);
  sqlite3_close(other);
  auto h1 = self->request(storage, caf::infinite, append_atom_v, make_draft("a", "one"));
  auto h2 = self->request(storage, caf::infinite, append_atom_v, make_draft("b", "two"));
  run();
  CAF_CHECK_EQUAL(state().commits, 0u);
  CAF_CHECK_EQUAL(state().failed_commits, 1u);
  CAF_CHECK(cache_seen().empty());
  int failures = 0;
  for (auto* h : {&h1, &h2})
    h->receive([&](frame&) { CAF_FAIL("append succeeded despite the failing commit"); },
               [&](caf::error& e) {
                 CAF_CHECK(is_errc(e, errc::storage_failure));
                 ++failures;
               });
  CAF_CHECK_EQUAL(failures, 2);
  CAF_CHECK_EQUAL(db->last_id(), 0u);
}

CAF_TEST(flush commits what is pending before answering) {
  auto h1 = self->request(storage, caf::infinite, append_atom_v, make_draft("a", "one"));
  auto h2 = self->request(storage, caf::infinite, append_atom_v, make_draft("a", "two"));
  auto hf = self->request(storage, caf::infinite, caf::flush_atom_v);
  expect((append_atom, draft), from(self).to(storage));
  expect((append_atom, draft), from(self).to(storage));
  // The flush is ahead of the commit tick in the mailbox.
  expect((caf::flush_atom), from(self).to(storage));
  CAF_CHECK_EQUAL(state().commits, 1u);
  CAF_CHECK_EQUAL(state().last_batch_size, 2u);
  CAF_CHECK(state().pending.empty());
  // The tick that follows finds nothing left to do.
  expect((commit_atom), from(storage).to(storage));
  CAF_CHECK_EQUAL(state().commits, 1u);
  run();
  CAF_CHECK_EQUAL(cache_seen().size(), 2u);
  bool flushed = false;
  hf.receive([&](caf::ok_atom) { flushed = true; },
             [&](caf::error& e) { CAF_FAIL("flush failed: " << sys.render(e)); });
  CAF_CHECK(flushed);
  CAF_CHECK_EQUAL(receive_frame(h1)->id, 1u);
  CAF_CHECK_EQUAL(receive_frame(h2)->id, 2u);
}

CAF_TEST(queries answer from the database) {
  auto h1 = self->request(storage, caf::infinite, append_atom_v, make_draft("news", "one"));
  auto h2 = self->request(storage, caf::infinite, append_atom_v, make_draft("news", "two"));
  auto h3 = self->request(storage, caf::infinite, append_atom_v, make_draft("news", "three"));
  auto h4 = self->request(storage, caf::infinite, append_atom_v, make_draft("misc", "four"));
  run();
  for (auto* h : {&h1, &h2, &h3, &h4})
    receive_frame(*h);
  frame_list hist;
  auto hh = self->request(storage, caf::infinite, history_atom_v, std::string{"news"},
                          uint64_t{1}, uint32_t{10});
  run();
  hh.receive([&](frame_list& xs) { hist = std::move(xs); },
             [&](caf::error& e) { CAF_FAIL(sys.render(e)); });
  CAF_REQUIRE_EQUAL(hist.size(), 2u);
  CAF_CHECK_EQUAL(hist[0]->id, 2u);
  CAF_CHECK_EQUAL(hist[0]->prev_id, 1u);
  CAF_CHECK_EQUAL(hist[1]->id, 3u);
  channel_infos infos;
  auto hc = self->request(storage, caf::infinite, channels_atom_v);
  run();
  hc.receive([&](channel_infos& xs) { infos = std::move(xs); },
             [&](caf::error& e) { CAF_FAIL(sys.render(e)); });
  CAF_REQUIRE_EQUAL(infos.size(), 2u);
  CAF_CHECK_EQUAL(infos[0].name, "misc");
  CAF_CHECK_EQUAL(infos[1].name, "news");
  CAF_CHECK_EQUAL(infos[1].stored, 3u);
  uint64_t last = 0;
  auto hl = self->request(storage, caf::infinite, last_id_atom_v);
  run();
  hl.receive([&](uint64_t x) { last = x; }, [&](caf::error& e) { CAF_FAIL(sys.render(e)); });
  CAF_CHECK_EQUAL(last, 4u);
}

CAF_TEST_FIXTURE_SCOPE_END()
