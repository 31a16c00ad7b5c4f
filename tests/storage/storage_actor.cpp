// The storage actor on a real SQLite file: group commit, answers and the
// cache in id order, failed commits, flush, queries, and the channel limit
// (refusing only the drafts that would create a channel too many, and
// counting the channels already in the file after a reopen).
#define CAF_SUITE storage_actor

#include "storage/storage_actor.hpp"

#include <chrono>
#include <initializer_list>
#include <string>

#include <sqlite3.h>

#include <caf/test/dsl.hpp>

#include "actors/error_text.hpp"
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
    [=](caf::reset_atom) {},
    [=](prune_atom, const std::string&, uint64_t) {},
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
  std::shared_ptr<storage_metrics> metrics = std::make_shared<storage_metrics>();
  cache_actor cache;
  storage_actor storage;

  fixture() {
    CAF_REQUIRE(dir.ok());
    path = dir.file("actor.db");
    cache = sys.spawn(recording_cache);
    start_storage(0);
  }

  // Opens the database file (afresh, as herald does at start-up) and spawns
  // a storage actor on it with this channel limit.
  void start_storage(std::size_t max_channels) {
    std::string error;
    db = sqlite_db::open(path, "normal", error);
    CAF_REQUIRE(db != nullptr);
    storage = sys.spawn(storage_behavior, db, cache, max_channels, metrics, retention_policy{});
    run();
  }

  // Stops the storage actor and closes the database, then starts again on
  // the same file: a restart of herald.
  void restart_storage(std::size_t max_channels) {
    caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
    run();
    storage = storage_actor{};
    db.reset();
    start_storage(max_channels);
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

  template <class Handle>
  caf::error receive_error(Handle& h) {
    caf::error result;
    h.receive([&](frame&) { CAF_FAIL("append succeeded; an error was expected"); },
              [&](caf::error& e) { result = std::move(e); });
    CAF_REQUIRE(result);
    return result;
  }

  template <class Handle>
  append_results receive_results(Handle& h) {
    append_results result;
    h.receive([&](append_results& xs) { result = std::move(xs); },
              [&](caf::error& e) { CAF_FAIL("batch append failed: " << sys.render(e)); });
    return result;
  }

  // Appends one draft per channel, each as its own request, and waits for
  // them all to be stored.
  void store_all(std::initializer_list<const char*> channels) {
    for (auto channel : channels) {
      auto h = self->request(storage, caf::infinite, append_atom_v, make_draft(channel, "x"));
      run();
      receive_frame(h);
    }
  }
};

const std::string limit_of_two
  = "channel limit reached (max_channels = 2): publish to an existing channel";

} // namespace

CAF_TEST_FIXTURE_SCOPE(storage_actor_tests, fixture)

CAF_TEST(a batch append answers one frame per draft in order) {
  auto h = self->request(storage, caf::infinite, append_atom_v,
                         draft_list{make_draft("a", "one"), make_draft("b", "two")});
  auto single = self->request(storage, caf::infinite, append_atom_v, make_draft("a", "three"));
  run();
  CAF_CHECK_EQUAL(state().commits, 1u); // one transaction for both requests
  auto got = receive_results(h);
  CAF_REQUIRE_EQUAL(got.size(), 2u);
  CAF_REQUIRE(got[0] && got[1]);
  CAF_CHECK_EQUAL((*got[0])->id, 1u);
  CAF_CHECK_EQUAL((*got[0])->channel, "a");
  CAF_CHECK_EQUAL((*got[1])->id, 2u);
  CAF_CHECK_EQUAL((*got[1])->channel, "b");
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

CAF_TEST(at the channel limit only drafts for new channels are refused) {
  restart_storage(2);
  store_all({"a", "b"});
  CAF_CHECK_EQUAL(state().commits, 2u);
  // One commit: a batch mixing existing and new channels, and single drafts.
  auto batch = self->request(storage, caf::infinite, append_atom_v,
                             draft_list{make_draft("a", "one"), make_draft("c", "two"),
                                        make_draft("b", "three")});
  auto single_new = self->request(storage, caf::infinite, append_atom_v, make_draft("d", "four"));
  auto single_old = self->request(storage, caf::infinite, append_atom_v, make_draft("a", "five"));
  run();
  CAF_CHECK_EQUAL(state().commits, 3u);
  CAF_CHECK_EQUAL(state().last_batch_size, 3u); // a, b, a: the refused stay out
  CAF_CHECK_EQUAL(state().refused, 2u);
  auto got = receive_results(batch);
  CAF_REQUIRE_EQUAL(got.size(), 3u);
  CAF_REQUIRE(got[0]);
  CAF_CHECK_EQUAL((*got[0])->id, 3u);
  CAF_CHECK_EQUAL((*got[0])->prev_id, 1u);
  CAF_REQUIRE(!got[1]);
  CAF_CHECK(is_errc(got[1].error(), errc::channel_limit));
  CAF_CHECK_EQUAL(client_text(got[1].error()), limit_of_two);
  CAF_REQUIRE(got[2]);
  CAF_CHECK_EQUAL((*got[2])->id, 4u);
  CAF_CHECK_EQUAL((*got[2])->channel, "b");
  auto refused = receive_error(single_new);
  CAF_CHECK(is_errc(refused, errc::channel_limit));
  CAF_CHECK_EQUAL(client_text(refused), limit_of_two);
  CAF_CHECK_EQUAL(receive_frame(single_old)->id, 5u);
  // Nothing of the refused drafts reached the cache or the database.
  CAF_CHECK_EQUAL(cache_seen().size(), 5u);
  CAF_CHECK_EQUAL(db->channel_count(), 2u);
  CAF_CHECK(!db->has_channel("c"));
  CAF_CHECK(!db->has_channel("d"));
}

CAF_TEST(channels created earlier in the same commit count against the limit) {
  restart_storage(2);
  auto batch = self->request(storage, caf::infinite, append_atom_v,
                             draft_list{make_draft("a", "one"), make_draft("b", "two"),
                                        make_draft("c", "three"), make_draft("b", "four")});
  run();
  auto got = receive_results(batch);
  CAF_REQUIRE_EQUAL(got.size(), 4u);
  CAF_CHECK(got[0] && got[1] && got[3]);
  CAF_REQUIRE(!got[2]);
  CAF_CHECK(is_errc(got[2].error(), errc::channel_limit));
  CAF_CHECK_EQUAL(db->channel_count(), 2u);
}

CAF_TEST(the channel count survives reopening the database) {
  restart_storage(2);
  store_all({"a", "b"});
  restart_storage(2);
  CAF_CHECK_EQUAL(db->channel_count(), 2u);
  auto new_channel = self->request(storage, caf::infinite, append_atom_v, make_draft("c", "x"));
  auto old_channel = self->request(storage, caf::infinite, append_atom_v, make_draft("b", "y"));
  run();
  CAF_CHECK(is_errc(receive_error(new_channel), errc::channel_limit));
  auto f = receive_frame(old_channel);
  CAF_CHECK_EQUAL(f->id, 3u);
  CAF_CHECK_EQUAL(f->prev_id, 2u);
  // A higher limit after the restart makes room for exactly one more.
  restart_storage(3);
  auto c = self->request(storage, caf::infinite, append_atom_v, make_draft("c", "x"));
  auto d = self->request(storage, caf::infinite, append_atom_v, make_draft("d", "x"));
  run();
  CAF_CHECK_EQUAL(receive_frame(c)->channel, "c");
  CAF_CHECK(is_errc(receive_error(d), errc::channel_limit));
}

CAF_TEST(max_channels 0 means no limit) {
  restart_storage(0);
  draft_list drafts;
  for (int i = 0; i < 50; ++i)
    drafts.push_back(make_draft("ch" + std::to_string(i), "x"));
  auto batch = self->request(storage, caf::infinite, append_atom_v, drafts);
  run();
  auto got = receive_results(batch);
  CAF_REQUIRE_EQUAL(got.size(), 50u);
  for (auto& r : got)
    CAF_CHECK(r);
  CAF_CHECK_EQUAL(state().refused, 0u);
  CAF_CHECK_EQUAL(db->channel_count(), 50u);
}

CAF_TEST(a config reload changes the channel limit of the running actor) {
  restart_storage(2);
  store_all({"a", "b"});
  self->send(storage, configure_atom_v, uint64_t{3});
  run();
  CAF_CHECK_EQUAL(state().max_channels, 3u);
  auto c = self->request(storage, caf::infinite, append_atom_v, make_draft("c", "x"));
  auto d = self->request(storage, caf::infinite, append_atom_v, make_draft("d", "x"));
  run();
  CAF_CHECK_EQUAL(receive_frame(c)->channel, "c");
  CAF_CHECK(is_errc(receive_error(d), errc::channel_limit));
  // Lowered below what is stored: new channels wait, existing ones go on.
  self->send(storage, configure_atom_v, uint64_t{1});
  auto e = self->request(storage, caf::infinite, append_atom_v, make_draft("e", "x"));
  auto a = self->request(storage, caf::infinite, append_atom_v, make_draft("a", "y"));
  run();
  CAF_CHECK(is_errc(receive_error(e), errc::channel_limit));
  CAF_CHECK_EQUAL(receive_frame(a)->channel, "a");
  CAF_CHECK_EQUAL(db->channel_count(), 3u);
}

CAF_TEST(a failed commit still tells a refused draft it hit the channel limit) {
  restart_storage(1);
  store_all({"a"});
  sqlite3* other = nullptr;
  CAF_REQUIRE_EQUAL(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  CAF_REQUIRE_EQUAL(sqlite3_exec(other,
                                 "CREATE TRIGGER refuse BEFORE INSERT ON messages "
                                 "BEGIN SELECT RAISE(ABORT, 'disk says no'); END;",
                                 nullptr, nullptr, nullptr),
                    SQLITE_OK);
  sqlite3_close(other);
  auto batch = self->request(storage, caf::infinite, append_atom_v,
                             draft_list{make_draft("a", "one"), make_draft("b", "two")});
  run();
  CAF_CHECK_EQUAL(state().failed_commits, 1u);
  auto got = receive_results(batch);
  CAF_REQUIRE_EQUAL(got.size(), 2u);
  CAF_REQUIRE(!got[0] && !got[1]);
  CAF_CHECK(is_errc(got[0].error(), errc::storage_failure));
  CAF_CHECK(is_errc(got[1].error(), errc::channel_limit));
}

CAF_TEST(each commit is measured for metrics and failed ones too) {
  auto h1 = self->request(storage, caf::infinite, append_atom_v, make_draft("a", "one"));
  auto h2 = self->request(storage, caf::infinite, append_atom_v, make_draft("a", "two"));
  auto h3 = self->request(storage, caf::infinite, append_atom_v, make_draft("b", "three"));
  run();
  auto before = std::chrono::steady_clock::now();
  for (auto* h : {&h1, &h2, &h3}) {
    auto f = receive_frame(*h);
    // Stamped at the commit, for herald_publish_to_write_seconds.
    CAF_CHECK(f->committed_at != std::chrono::steady_clock::time_point{});
    CAF_CHECK(f->committed_at <= before);
  }
  metrics::histogram_snapshot latency{layouts::seconds};
  metrics::histogram_snapshot batches{layouts::batch_size};
  metrics->commit_seconds.add_to(latency);
  metrics->batch_size.add_to(batches);
  CAF_CHECK_EQUAL(latency.count(), 1u);
  CAF_CHECK_EQUAL(batches.count(), 1u);
  CAF_CHECK_EQUAL(batches.sum, 3u);       // one commit of three messages
  CAF_CHECK_EQUAL(batches.counts[2], 1u); // in the bucket le=4
  CAF_CHECK_EQUAL(metrics->commit_failures.value(), 0u);

  sqlite3* other = nullptr;
  CAF_REQUIRE_EQUAL(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  CAF_REQUIRE_EQUAL(sqlite3_exec(other,
                                 "CREATE TRIGGER refuse BEFORE INSERT ON messages "
                                 "BEGIN SELECT RAISE(ABORT, 'disk says no'); END;",
                                 nullptr, nullptr, nullptr),
                    SQLITE_OK);
  sqlite3_close(other);
  auto h4 = self->request(storage, caf::infinite, append_atom_v, make_draft("a", "four"));
  run();
  receive_error(h4);
  CAF_CHECK_EQUAL(metrics->commit_failures.value(), 1u);
  metrics::histogram_snapshot after{layouts::seconds};
  metrics->commit_seconds.add_to(after);
  CAF_CHECK_EQUAL(after.count(), 2u);
}

// The value of PRAGMA data_version seen from a second connection: it changes
// whenever another connection commits to the file.
int data_version(sqlite3* db) {
  sqlite3_stmt* stmt = nullptr;
  int version = -1;
  if (sqlite3_prepare_v2(db, "PRAGMA data_version", -1, &stmt, nullptr) == SQLITE_OK
      && sqlite3_step(stmt) == SQLITE_ROW)
    version = sqlite3_column_int(stmt, 0);
  sqlite3_finalize(stmt);
  return version;
}

CAF_TEST(ready commits a write to the file before it answers ok) {
  sqlite3* other = nullptr;
  CAF_REQUIRE_EQUAL(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  auto before = data_version(other);
  auto h = self->request(storage, caf::infinite, ready_atom_v);
  run();
  bool ready = false;
  h.receive([&](caf::ok_atom) { ready = true; },
            [&](caf::error& e) { CAF_FAIL("not ready: " << sys.render(e)); });
  CAF_CHECK(ready);
  // A transaction that was rolled back would leave the version as it was.
  CAF_CHECK_NOT_EQUAL(data_version(other), before);
  sqlite3_close(other);
}

CAF_TEST(ready reports why the last commit failed) {
  sqlite3* other = nullptr;
  CAF_REQUIRE_EQUAL(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  CAF_REQUIRE_EQUAL(sqlite3_exec(other,
                                 "CREATE TRIGGER refuse BEFORE INSERT ON messages "
                                 "BEGIN SELECT RAISE(ABORT, 'disk says no'); END;",
                                 nullptr, nullptr, nullptr),
                    SQLITE_OK);
  sqlite3_close(other);
  auto h1 = self->request(storage, caf::infinite, append_atom_v, make_draft("a", "one"));
  run();
  receive_error(h1);
  // Within a second of the failed commit its reason is the answer.
  auto h = self->request(storage, caf::infinite, ready_atom_v);
  run();
  caf::error err;
  h.receive([&](caf::ok_atom) { CAF_FAIL("ready despite the failed commit"); },
            [&](caf::error& e) { err = std::move(e); });
  CAF_CHECK(is_errc(err, errc::storage_failure));
  CAF_CHECK_EQUAL(client_text(err), "storage not writable: disk says no");
}

CAF_TEST_FIXTURE_SCOPE_END()
