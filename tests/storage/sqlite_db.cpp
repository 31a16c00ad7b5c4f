#define CAF_SUITE storage_sqlite_db

#include "storage/sqlite_db.hpp"

#include <cstdio>
#include <string>
#include <vector>

#include <sqlite3.h>

#include <caf/test/unit_test.hpp>

#include "common/temp_dir.hpp"

using namespace herald;

namespace {

draft make_draft(std::string channel, std::string text, int64_t time_ms = 1000) {
  return draft{std::move(channel), "alice", std::move(text), time_ms};
}

// Runs `sql` on a second connection and returns its first column as integer.
int64_t query_int(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  CAF_REQUIRE_EQUAL(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  CAF_REQUIRE_EQUAL(sqlite3_prepare_v2(db, sql, -1, &s, nullptr), SQLITE_OK);
  CAF_REQUIRE_EQUAL(sqlite3_step(s), SQLITE_ROW);
  auto result = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return result;
}

void exec_other(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  CAF_REQUIRE_EQUAL(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  CAF_REQUIRE_EQUAL(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

struct fixture {
  test::temp_dir dir;
  std::string path;
  std::unique_ptr<sqlite_db> db;

  fixture() {
    CAF_REQUIRE(dir.ok());
    path = dir.file("herald.db");
    reopen();
  }

  void reopen() {
    db.reset();
    std::string error;
    db = sqlite_db::open(path, "full", error);
    CAF_REQUIRE(db != nullptr);
    CAF_CHECK(error.empty());
  }

  std::vector<appended> append(std::vector<draft> batch) {
    auto res = db->append(batch);
    CAF_REQUIRE(res.ok);
    CAF_REQUIRE_EQUAL(res.value.size(), batch.size());
    return res.value;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(sqlite_db_tests, fixture)

CAF_TEST(schema is created and versioned) {
  CAF_CHECK_EQUAL(query_int(path, "PRAGMA user_version"), sqlite_db::schema_version);
  CAF_CHECK_EQUAL(query_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                  "AND name IN ('messages', 'channels')"),
                  2);
  CAF_CHECK_EQUAL(query_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                  "AND name = 'messages_channel_id'"),
                  1);
  sqlite3* raw = nullptr;
  CAF_REQUIRE_EQUAL(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  CAF_REQUIRE_EQUAL(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &s, nullptr), SQLITE_OK);
  CAF_REQUIRE_EQUAL(sqlite3_step(s), SQLITE_ROW);
  CAF_CHECK_EQUAL(std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 0))), "wal");
  sqlite3_finalize(s);
  sqlite3_close(raw);
  CAF_CHECK_EQUAL(db->last_id(), 0u);
}

CAF_TEST(ids strictly increase and prev_id chains each channel) {
  auto first = append({make_draft("a", "1"), make_draft("b", "2"), make_draft("a", "3")});
  auto second = append({make_draft("b", "4"), make_draft("c", "5"), make_draft("a", "6")});
  CAF_CHECK(first[0].id < first[1].id && first[1].id < first[2].id);
  CAF_CHECK(first[2].id < second[0].id);
  CAF_CHECK(second[0].id < second[1].id && second[1].id < second[2].id);
  CAF_CHECK_EQUAL(first[0].prev_id, 0u);
  CAF_CHECK_EQUAL(first[1].prev_id, 0u);
  CAF_CHECK_EQUAL(first[2].prev_id, first[0].id);  // within one batch
  CAF_CHECK_EQUAL(second[0].prev_id, first[1].id); // across batches
  CAF_CHECK_EQUAL(second[1].prev_id, 0u);
  CAF_CHECK_EQUAL(second[2].prev_id, first[2].id);
  CAF_CHECK_EQUAL(db->last_id(), second[2].id);
}

CAF_TEST(history honours since and limit) {
  std::vector<draft> batch;
  for (int i = 1; i <= 10; ++i) {
    batch.push_back(make_draft("news", "n" + std::to_string(i), 1000 * i));
    batch.push_back(make_draft("other", "o" + std::to_string(i)));
  }
  auto ids = append(batch);
  std::vector<uint64_t> news;
  for (std::size_t i = 0; i < ids.size(); i += 2)
    news.push_back(ids[i].id);
  auto all = db->history("news", 0, 100);
  CAF_REQUIRE(all.ok);
  CAF_REQUIRE_EQUAL(all.value.size(), 10u);
  for (std::size_t i = 0; i < 10; ++i) {
    CAF_CHECK_EQUAL(all.value[i]->id, news[i]);
    CAF_CHECK_EQUAL(all.value[i]->prev_id, i == 0 ? 0 : news[i - 1]);
    CAF_CHECK_EQUAL(all.value[i]->channel, "news");
  }
  CAF_CHECK_EQUAL(all.value[0]->json,
                  R"({"id":)" + std::to_string(news[0])
                    + R"(,"channel":"news","username":"alice","message":"n1",)"
                      R"("time":"1970-01-01T00:00:01.000Z"})");
  // since excludes itself; the first frame still knows its predecessor.
  auto tail = db->history("news", news[3], 3);
  CAF_REQUIRE(tail.ok);
  CAF_REQUIRE_EQUAL(tail.value.size(), 3u);
  CAF_CHECK_EQUAL(tail.value[0]->id, news[4]);
  CAF_CHECK_EQUAL(tail.value[0]->prev_id, news[3]);
  CAF_CHECK_EQUAL(tail.value[2]->id, news[6]);
  // A since between two of the channel's ids.
  auto between = db->history("news", news[3] + 1, 100);
  CAF_REQUIRE(between.ok);
  CAF_REQUIRE_EQUAL(between.value.size(), 6u);
  CAF_CHECK_EQUAL(between.value[0]->id, news[4]);
  CAF_CHECK_EQUAL(db->history("news", news[9], 100).value.size(), 0u);
  CAF_CHECK_EQUAL(db->history("news", 0, 0).value.size(), 0u);
  CAF_CHECK_EQUAL(db->history("nowhere", 0, 100).value.size(), 0u);
  CAF_CHECK_EQUAL(db->history("news", UINT64_MAX, 100).value.size(), 0u);
}

CAF_TEST(channels lists stored count and last id) {
  auto ids = append({make_draft("b", "1"), make_draft("a", "2"), make_draft("b", "3")});
  auto res = db->channels();
  CAF_REQUIRE(res.ok);
  CAF_REQUIRE_EQUAL(res.value.size(), 2u);
  CAF_CHECK_EQUAL(res.value[0].name, "a");
  CAF_CHECK_EQUAL(res.value[0].stored, 1u);
  CAF_CHECK_EQUAL(res.value[0].last_id, ids[1].id);
  CAF_CHECK_EQUAL(res.value[1].name, "b");
  CAF_CHECK_EQUAL(res.value[1].stored, 2u);
  CAF_CHECK_EQUAL(res.value[1].last_id, ids[2].id);
  CAF_CHECK_EQUAL(res.value[1].subscribers, 0u);
}

CAF_TEST(reopening keeps everything and continues the ids) {
  auto before = append({make_draft("a", "1"), make_draft("b", "2")});
  reopen();
  CAF_CHECK_EQUAL(db->last_id(), before[1].id);
  auto after = append({make_draft("a", "3")});
  CAF_CHECK(after[0].id > before[1].id);
  CAF_CHECK_EQUAL(after[0].prev_id, before[0].id);
  auto hist = db->history("a", 0, 10);
  CAF_REQUIRE(hist.ok);
  CAF_REQUIRE_EQUAL(hist.value.size(), 2u);
  CAF_CHECK_EQUAL(hist.value[1]->id, after[0].id);
  CAF_CHECK_EQUAL(db->channels().value.size(), 2u);
}

CAF_TEST(a failed batch changes nothing) {
  auto before = append({make_draft("a", "1")});
  exec_other(path, "CREATE TRIGGER no_b BEFORE INSERT ON messages WHEN NEW.channel = 'b' "
                   "BEGIN SELECT RAISE(ABORT, 'disk says no'); END;");
  auto res = db->append({make_draft("a", "2"), make_draft("b", "3")});
  CAF_CHECK(!res.ok);
  CAF_CHECK_NOT_EQUAL(res.error.find("disk says no"), std::string::npos);
  CAF_CHECK_EQUAL(query_int(path, "SELECT count(*) FROM messages"), 1);
  CAF_CHECK_EQUAL(db->last_id(), before[0].id);
  // The rolled-back "a" must not have moved the channel's position.
  auto next = append({make_draft("a", "4")});
  CAF_CHECK_EQUAL(next[0].prev_id, before[0].id);
  auto infos = db->channels();
  CAF_REQUIRE(infos.ok);
  CAF_REQUIRE_EQUAL(infos.value.size(), 1u);
  CAF_CHECK_EQUAL(infos.value[0].stored, 2u);
}

CAF_TEST(a newer schema version is refused) {
  db.reset();
  exec_other(path, "PRAGMA user_version = 99");
  std::string error;
  auto newer = sqlite_db::open(path, "full", error);
  CAF_CHECK(newer == nullptr);
  CAF_CHECK_EQUAL(error.rfind("cannot open database " + path + ": ", 0), 0u);
  CAF_CHECK_NOT_EQUAL(error.find("schema version 99 is newer"), std::string::npos);
}

CAF_TEST(unusable paths give one clear line) {
  std::string error;
  auto missing_dir = dir.file("no/such/dir/x.db");
  CAF_CHECK(sqlite_db::open(missing_dir, "full", error) == nullptr);
  CAF_CHECK_EQUAL(error, "cannot open database " + missing_dir + ": unable to open database file");
  error.clear();
  CAF_CHECK(sqlite_db::open(dir.path().string(), "full", error) == nullptr); // a directory
  CAF_CHECK_EQUAL(error.rfind("cannot open database " + dir.path().string() + ": ", 0), 0u);
  CAF_CHECK_EQUAL(error.find('\n'), std::string::npos);
  error.clear();
  exec_other(dir.file("garbage.db"), "SELECT 1"); // creates an empty file
  {
    std::FILE* f = std::fopen(dir.file("garbage.db").c_str(), "wb");
    CAF_REQUIRE(f != nullptr);
    std::string junk(4096, 'x');
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  }
  CAF_CHECK(sqlite_db::open(dir.file("garbage.db"), "full", error) == nullptr);
  CAF_CHECK_NOT_EQUAL(error.find("file is not a database"), std::string::npos);
  error.clear();
  CAF_CHECK(sqlite_db::open(dir.file("y.db"), "sometimes", error) == nullptr);
  CAF_CHECK_NOT_EQUAL(error.find("synchronous"), std::string::npos);
}

CAF_TEST(memory database works) {
  std::string error;
  auto mem = sqlite_db::open(":memory:", "normal", error);
  CAF_REQUIRE(mem != nullptr);
  auto res = mem->append({make_draft("m", "x")});
  CAF_REQUIRE(res.ok);
  CAF_CHECK_EQUAL(res.value[0].id, 1u);
  CAF_CHECK_EQUAL(mem->history("m", 0, 5).value.size(), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
