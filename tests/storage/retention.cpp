// Retention in the storage actor on a real SQLite file: removing by count and
// by age in steps of at most batch_rows, appends handled between the steps of
// a long run, stored counts and history's prev_id right after each step, the
// cache told what went, the gap answer when nothing after `since` is left,
// and the schema step that brought removed_through.
#define CAF_SUITE storage_retention

#include "storage/storage_actor.hpp"

#include <string>
#include <utility>
#include <vector>

#include <sqlite3.h>

#include <caf/test/dsl.hpp>

#include "actors/history_gap.hpp"
#include "common/temp_dir.hpp"

using namespace herald;
using namespace std::chrono_literals;

namespace {

using ids = std::vector<uint64_t>;
using removal = std::pair<std::string, uint64_t>;
using removals = std::vector<removal>;

// Stands in for the cache: remembers the removals storage tells it of.
struct removal_cache_state {
  removals told;
  static inline const char* name = "removal_cache";
};

cache_actor::behavior_type removal_cache(cache_actor::stateful_pointer<removal_cache_state> self) {
  return {
    [](committed_atom, const frame&) {},
    [](committed_atom, const frame_list&) {},
    [](history_atom, const std::string&, uint64_t, uint32_t) -> caf::result<frame_list> {
      return caf::make_error(errc::cache_miss);
    },
    [](caf::reset_atom) {},
    [=](prune_atom, const std::string& channel, uint64_t through) {
      self->state.told.emplace_back(channel, through);
    },
  };
}

int64_t count_rows(const std::string& path, const std::string& channel) {
  sqlite3* db = nullptr;
  CAF_REQUIRE_EQUAL(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  CAF_REQUIRE_EQUAL(sqlite3_prepare_v2(db, "SELECT count(*) FROM messages WHERE channel = ?1", -1,
                                       &s, nullptr),
                    SQLITE_OK);
  sqlite3_bind_text(s, 1, channel.c_str(), -1, SQLITE_TRANSIENT);
  CAF_REQUIRE_EQUAL(sqlite3_step(s), SQLITE_ROW);
  auto n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return n;
}

struct fixture : test_coordinator_fixture<> {
  test::temp_dir dir;
  std::string path;
  std::shared_ptr<sqlite_db> db;
  cache_actor cache;
  storage_actor storage;
  int64_t clock_ms = 1'000'000; // the wall clock retention sees
  bool started = false;          // the storage actor ran its start

  fixture() {
    CAF_REQUIRE(dir.ok());
    path = dir.file("retention.db");
    cache = sys.spawn(removal_cache);
    open();
  }

  // The storage actor sends itself a delayed prune after every step, and
  // the fixture's run() would keep firing it: only sched.run() is used here,
  // which runs messages but fires no timer.
  ~fixture() override {
    if (storage)
      caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(cache, caf::exit_reason::user_shutdown);
    sched.run();
  }

  void open() {
    std::string error;
    db = sqlite_db::open(path, "normal", error);
    CAF_REQUIRE(db != nullptr);
  }

  retention_policy policy(std::chrono::milliseconds max_age, std::size_t max_per_channel) {
    retention_policy p;
    p.max_age = max_age;
    p.max_per_channel = max_per_channel;
    p.batch_rows = 500;
    p.now_ms = [this] { return clock_ms; };
    return p;
  }

  // Spawns the storage actor; nothing of it runs yet.
  void start(retention_policy p) {
    storage = sys.spawn(storage_behavior, db, cache, std::size_t{0},
                        std::shared_ptr<storage_metrics>{}, std::move(p));
    started = false;
  }

  // Stores `n` messages of `channel` stamped `time_ms`, straight into the
  // database, as if published before this start of herald.
  void fill(const std::string& channel, int n, int64_t time_ms) {
    std::vector<draft> batch;
    for (int i = 0; i < n; ++i)
      batch.push_back(draft{channel, "bob", "m" + std::to_string(i), time_ms});
    CAF_REQUIRE(db->append(batch).ok);
  }

  // Runs the next retention step, which must be next in the mailbox. The
  // first one the actor sends itself as it starts, and runs in the same go.
  void step() {
    if (started) {
      expect((prune_atom), from(storage).to(storage));
      return;
    }
    started = true;
    CAF_REQUIRE(sched.prioritize(storage));
    sched.run_once();
    CAF_REQUIRE_EQUAL(state().prune_steps, 1u);
  }

  storage_state& state() {
    return deref<storage_actor::stateful_base<storage_state>>(storage).state;
  }

  removals& told() {
    return deref<cache_actor::stateful_base<removal_cache_state>>(cache).state.told;
  }

  // Storage's history answer: the frames, or the error it gave.
  std::pair<frame_list, caf::error> history(const std::string& channel, uint64_t since) {
    auto h = self->request(storage, caf::infinite, history_atom_v, channel, since, uint32_t{100});
    sched.run();
    std::pair<frame_list, caf::error> result;
    h.receive([&](frame_list& xs) { result.first = std::move(xs); },
              [&](caf::error& e) { result.second = std::move(e); });
    return result;
  }

  channel_infos channels() {
    auto h = self->request(storage, caf::infinite, channels_atom_v);
    sched.run();
    channel_infos result;
    h.receive([&](channel_infos& xs) { result = std::move(xs); },
              [&](caf::error& e) { CAF_FAIL(sys.render(e)); });
    return result;
  }
};

ids ids_of(const frame_list& frames) {
  ids out;
  for (auto& f : frames)
    out.push_back(f->id);
  return out;
}

ids id_range(uint64_t first, uint64_t last) {
  ids out;
  for (auto i = first; i <= last; ++i)
    out.push_back(i);
  return out;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(retention_tests, fixture)

CAF_TEST(nothing is removed and no step runs when retention is off) {
  fill("a", 20, 1);
  start(policy(0ms, 0));
  sched.run();
  CAF_CHECK_EQUAL(state().prune_steps, 0u);
  CAF_CHECK(!sched.clock().has_pending_timeout());
  CAF_CHECK_EQUAL(db->stored("a"), 20u);
}

CAF_TEST(the count limit removes the oldest in batches of at most batch_rows) {
  fill("a", 1200, clock_ms);
  fill("b", 5, clock_ms);
  start(policy(0ms, 10));
  step();
  CAF_CHECK_EQUAL(state().removed, 500u);
  CAF_CHECK_EQUAL(db->stored("a"), 700u);
  CAF_CHECK_EQUAL(count_rows(path, "a"), 700);
  step();
  CAF_CHECK_EQUAL(state().removed, 1000u);
  step();
  CAF_CHECK_EQUAL(state().removed, 1190u);
  // The last step was not full: the next one waits for the timer.
  sched.run();
  CAF_CHECK_EQUAL(state().prune_steps, 3u);
  CAF_CHECK(sched.clock().has_pending_timeout());
  CAF_CHECK_EQUAL(count_rows(path, "a"), 10);
  CAF_CHECK_EQUAL(count_rows(path, "b"), 5);
  CAF_CHECK_EQUAL(told(), removals({{"a", 500}, {"a", 1000}, {"a", 1190}}));
  // The channel list and history are right at once.
  auto infos = channels();
  CAF_REQUIRE_EQUAL(infos.size(), 2u);
  CAF_CHECK_EQUAL(infos[0].stored, 10u);
  CAF_CHECK_EQUAL(infos[0].last_id, 1200u);
  CAF_CHECK_EQUAL(infos[1].stored, 5u);
  auto [frames, err] = history("a", 0);
  CAF_REQUIRE(!err);
  CAF_CHECK_EQUAL(ids_of(frames), id_range(1191, 1200));
  CAF_CHECK_EQUAL(frames.front()->prev_id, 1190u); // a message that is gone
  CAF_CHECK(gap_before(0, frames) == std::optional<uint64_t>{1190});
  // The timer's step finds nothing more to do.
  CAF_REQUIRE(sched.trigger_timeout());
  step();
  CAF_CHECK_EQUAL(state().removed, 1190u);
  CAF_CHECK_EQUAL(state().prune_steps, 4u);
}

CAF_TEST(appends are handled between the steps of a long removal) {
  fill("a", 3000, clock_ms);
  start(policy(0ms, 10));
  step(); // 500 removed; the next step is in the mailbox
  auto h = self->request(storage, caf::infinite, append_atom_v,
                         draft{"a", "bob", "new", clock_ms});
  step(); // was ahead of the append
  CAF_CHECK_EQUAL(state().removed, 1000u);
  expect((append_atom, draft), from(self).to(storage));
  step(); // the step the previous one sent, ahead of the commit tick
  expect((commit_atom), from(storage).to(storage));
  // The publish is answered in the middle of the run, not after it.
  CAF_CHECK_EQUAL(state().removed, 1500u);
  sched.run_once(); // the cache hears of the commit
  frame f;
  h.receive([&](frame& x) { f = std::move(x); }, [&](caf::error& e) { CAF_FAIL(sys.render(e)); });
  CAF_REQUIRE(f != nullptr);
  CAF_CHECK_EQUAL(f->id, 3001u);
  CAF_CHECK_EQUAL(f->prev_id, 3000u);
  sched.run();
  CAF_CHECK_EQUAL(state().removed, 2991u);
  CAF_CHECK_EQUAL(db->stored("a"), 10u);
  CAF_CHECK_EQUAL(count_rows(path, "a"), 10);
  CAF_CHECK_EQUAL(ids_of(history("a", 0).first), id_range(2992, 3001));
}

CAF_TEST(the age limit removes expired messages oldest first in batches) {
  fill("a", 700, 1000);
  fill("b", 2, 1000);
  fill("a", 3, clock_ms);
  start(policy(60s, 0));
  step();
  CAF_CHECK_EQUAL(state().removed, 500u);
  step();
  CAF_CHECK_EQUAL(state().removed, 702u);
  sched.run();
  CAF_CHECK_EQUAL(state().prune_steps, 2u);
  CAF_CHECK_EQUAL(db->stored("a"), 3u);
  CAF_CHECK_EQUAL(db->stored("b"), 0u);
  CAF_CHECK_EQUAL(count_rows(path, "b"), 0);
  CAF_CHECK_EQUAL(told(), removals({{"a", 500}, {"a", 700}, {"b", 702}}));
  // A channel whose messages all went stays listed: its last id is where
  // a client resumes.
  auto infos = channels();
  CAF_REQUIRE_EQUAL(infos.size(), 2u);
  CAF_CHECK_EQUAL(infos[1].name, "b");
  CAF_CHECK_EQUAL(infos[1].stored, 0u);
  CAF_CHECK_EQUAL(infos[1].last_id, 702u);
  auto [frames, err] = history("a", 10);
  CAF_CHECK_EQUAL(ids_of(frames), ids({703, 704, 705}));
  CAF_CHECK_EQUAL(frames.front()->prev_id, 700u);
  // Nothing after `since` is left to carry the gap: the answer says it.
  auto gone = history("b", 0);
  CAF_CHECK(gone.first.empty());
  CAF_CHECK(removed_through(gone.second) == std::optional<uint64_t>{702});
  // Up to date with a removed channel: no gap, just nothing.
  auto current = history("b", 702);
  CAF_CHECK(!current.second);
  CAF_CHECK(current.first.empty());
}

CAF_TEST(the age limit waits an interval and then removes what expired meanwhile) {
  fill("a", 3, clock_ms);
  start(policy(10s, 0));
  step();
  CAF_CHECK_EQUAL(state().removed, 0u);
  clock_ms += 10'001;
  CAF_CHECK_EQUAL(advance_time(999ms), 0u); // the interval is a tenth of 10s
  CAF_CHECK_EQUAL(advance_time(1ms), 1u);
  step();
  CAF_CHECK_EQUAL(state().removed, 3u);
  CAF_CHECK_EQUAL(db->stored("a"), 0u);
}

CAF_TEST(removal by age stops at the first message that has not expired) {
  // Going by id keeps what goes of each channel its oldest part, even when
  // the clock stepped back between two publishes.
  fill("a", 1, 1000);
  fill("a", 1, clock_ms);
  fill("a", 1, 1000);
  start(policy(60s, 0));
  step();
  CAF_CHECK_EQUAL(state().removed, 1u);
  CAF_CHECK_EQUAL(ids_of(history("a", 0).first), ids({2, 3}));
}

CAF_TEST(removals survive a restart and the ids go on after them) {
  fill("a", 5, 1000);
  start(policy(60s, 0));
  step();
  CAF_CHECK_EQUAL(db->stored("a"), 0u);
  caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
  sched.run();
  storage = storage_actor{};
  db.reset();
  open();
  CAF_CHECK_EQUAL(db->last_id(), 5u);
  CAF_CHECK_EQUAL(db->removed_through("a"), 5u);
  auto appended = db->append({draft{"a", "bob", "after", clock_ms}});
  CAF_REQUIRE(appended.ok);
  CAF_CHECK_EQUAL(appended.value.at(0).id, 6u);
  CAF_CHECK_EQUAL(appended.value.at(0).prev_id, 5u);
  auto frames = db->history("a", 2, 10);
  CAF_REQUIRE(frames.ok);
  CAF_REQUIRE_EQUAL(frames.value.size(), 1u);
  CAF_CHECK_EQUAL(frames.value[0]->prev_id, 5u);
}

CAF_TEST(a schema version 1 database gains removed_through) {
  db.reset();
  auto old_path = dir.file("v1.db");
  sqlite3* raw = nullptr;
  CAF_REQUIRE_EQUAL(sqlite3_open(old_path.c_str(), &raw), SQLITE_OK);
  const char* v1 = "CREATE TABLE messages(id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT "
                   "NULL, username TEXT NOT NULL, body TEXT NOT NULL, time_ms INTEGER NOT NULL);"
                   "CREATE INDEX messages_channel_id ON messages(channel, id);"
                   "CREATE TABLE channels(name TEXT PRIMARY KEY, last_id INTEGER NOT NULL, "
                   "stored INTEGER NOT NULL);"
                   "INSERT INTO messages(channel, username, body, time_ms) VALUES "
                   "('a', 'u', 'x', 1), ('a', 'u', 'y', 1);"
                   "INSERT INTO channels VALUES('a', 2, 2);"
                   "PRAGMA user_version = 1;";
  CAF_REQUIRE_EQUAL(sqlite3_exec(raw, v1, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  std::string error;
  auto old = sqlite_db::open(old_path, "normal", error);
  CAF_REQUIRE(old != nullptr);
  CAF_CHECK_EQUAL(old->stored("a"), 2u);
  CAF_CHECK_EQUAL(old->removed_through("a"), 0u);
  auto gone = old->remove_excess(1, 500);
  CAF_REQUIRE(gone.ok);
  CAF_REQUIRE_EQUAL(gone.value.size(), 1u);
  CAF_CHECK_EQUAL(gone.value[0].through, 1u);
  CAF_CHECK_EQUAL(old->removed_through("a"), 1u);
  CAF_CHECK_EQUAL(count_rows(old_path, "a"), 1);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(the cache keeps no more per channel than storage does) {
  CAF_CHECK_EQUAL(cache_capacity(1000, 0), 1000u);
  CAF_CHECK_EQUAL(cache_capacity(1000, 10), 10u);
  CAF_CHECK_EQUAL(cache_capacity(5, 10), 5u);
}

CAF_TEST(steps come a second apart or a tenth of retention when that is shorter) {
  retention_policy p;
  CAF_CHECK(!p.enabled());
  p.max_per_channel = 10;
  CAF_CHECK(p.enabled());
  CAF_CHECK_EQUAL(p.interval().count(), 1000);
  p.max_age = 1s;
  CAF_CHECK_EQUAL(p.interval().count(), 100);
  p.max_age = std::chrono::hours(24 * 7);
  CAF_CHECK_EQUAL(p.interval().count(), 1000);
  p.now_ms = [] { return int64_t{5000}; };
  p.max_age = 1s;
  CAF_CHECK_EQUAL(p.cutoff_ms(), 4000);
}
