// herald's data in a real Redis: ids consecutive across channels and nodes,
// the prev_id chain, history windows, binary texts, the cluster-wide channel
// limit, subscriber counts summed over live nodes, reading the log (order,
// blocking, gaps after trimming), the key layout, and surviving a Redis
// restart with the same store object.

#define CAF_SUITE cluster_redis_store
#include <caf/test/unit_test.hpp>

#include <csignal>
#include <limits>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <hiredis/hiredis.h>

#include "redis_fixture.hpp"
#include "storage/frame_json.hpp"

using namespace herald;
using namespace herald::test;

namespace {

using clock_type = std::chrono::steady_clock;

std::vector<uint64_t> ids_of(const frame_list& frames) {
  std::vector<uint64_t> out;
  for (auto& f : frames)
    out.push_back(f->id);
  return out;
}

std::vector<uint64_t> prev_ids_of(const frame_list& frames) {
  std::vector<uint64_t> out;
  for (auto& f : frames)
    out.push_back(f->prev_id);
  return out;
}

// Appends a batch that must be stored whole; its frames in order.
frame_list store_all(redis_store& store, const draft_list& drafts, std::size_t max_channels = 0) {
  auto results = store.append(drafts, max_channels);
  CAF_REQUIRE_EQUAL(results.size(), drafts.size());
  frame_list frames;
  for (auto& r : results) {
    if (!r)
      CAF_FAIL("append failed: " << error_text(r.error()));
    frames.push_back(*r);
  }
  return frames;
}

frame_list history_of(redis_store& store, const std::string& channel, uint64_t since = 0,
                      uint32_t limit = 1000) {
  auto h = store.history(channel, since, limit);
  if (!h)
    CAF_FAIL("history failed: " << error_text(h.error()));
  return *h;
}

log_batch read_all(redis_store& store, uint64_t after, std::size_t max_count = 1000) {
  auto b = store.read_log(after, 0ms, max_count);
  if (!b)
    CAF_FAIL("read_log failed: " << error_text(b.error()));
  return *b;
}

std::map<std::string, channel_info> channel_map(redis_store& store) {
  auto list = store.channels();
  if (!list)
    CAF_FAIL("channels failed: " << error_text(list.error()));
  std::map<std::string, channel_info> out;
  for (auto& c : *list)
    out[c.name] = c;
  return out;
}

// A copy, not a reference: the checks bind references to their arguments.
channel_info channel_of(redis_store& store, const std::string& name) {
  return channel_map(store)[name];
}

const std::string limit_text
  = "channel limit reached (max_channels = 2): publish to an existing channel";

} // namespace

CAF_TEST_FIXTURE_SCOPE(redis_store_tests, redis_fixture)

CAF_TEST(append assigns consecutive ids across channels and chains each channel) {
  redis_store store{options()};
  CAF_CHECK_EQUAL(store.last_id(), uint64_t{0});
  auto first = store_all(store, {make_draft("a", "1"), make_draft("b", "2"), make_draft("a", "3"),
                                 make_draft("c", "4"), make_draft("b", "5")});
  CAF_CHECK_EQUAL(ids_of(first), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  CAF_CHECK_EQUAL(prev_ids_of(first), (std::vector<uint64_t>{0, 0, 1, 0, 2}));
  CAF_CHECK_EQUAL(first[2]->channel, "a");
  CAF_CHECK_EQUAL(first[2]->json, render_frame(3, "a", "alice", "3", 1764094848123));
  auto second = store_all(store, {make_draft("a", "6", "bob", -5)});
  CAF_CHECK_EQUAL(second[0]->id, 6u);
  CAF_CHECK_EQUAL(second[0]->prev_id, 3u);
  CAF_CHECK_EQUAL(second[0]->json, render_frame(6, "a", "bob", "6", -5));
  CAF_CHECK_EQUAL(store.last_id(), uint64_t{6});
  CAF_CHECK(store.append({}, 0).empty());
}

CAF_TEST(two nodes share one id sequence and one chain per channel) {
  redis_store node1{options()};
  redis_store node2{options()};
  auto a = store_all(node1, {make_draft("room", "x"), make_draft("other", "y")});
  auto b = store_all(node2, {make_draft("room", "z")});
  auto c = store_all(node1, {make_draft("room", "w")});
  CAF_CHECK_EQUAL(b[0]->id, 3u);
  CAF_CHECK_EQUAL(b[0]->prev_id, 1u);
  CAF_CHECK_EQUAL(c[0]->id, 4u);
  CAF_CHECK_EQUAL(c[0]->prev_id, 3u);
  CAF_CHECK_EQUAL(node2.last_id(), uint64_t{4});
}

CAF_TEST(history returns exactly the ids after since up to limit) {
  redis_store store{options()};
  draft_list drafts;
  for (int i = 0; i < 20; ++i)
    drafts.push_back(make_draft(i % 2 == 0 ? "even" : "odd", "m" + std::to_string(i)));
  auto frames = store_all(store, drafts);
  auto all = history_of(store, "even");
  CAF_CHECK_EQUAL(ids_of(all), (std::vector<uint64_t>{1, 3, 5, 7, 9, 11, 13, 15, 17, 19}));
  CAF_CHECK_EQUAL(prev_ids_of(all), (std::vector<uint64_t>{0, 1, 3, 5, 7, 9, 11, 13, 15, 17}));
  for (std::size_t i = 0; i < all.size(); ++i) {
    CAF_CHECK_EQUAL(all[i]->json, frames[2 * i]->json);
    CAF_CHECK_EQUAL(all[i]->channel, "even");
  }
  CAF_CHECK_EQUAL(ids_of(history_of(store, "even", 5)),
                  (std::vector<uint64_t>{7, 9, 11, 13, 15, 17, 19}));
  CAF_CHECK_EQUAL(ids_of(history_of(store, "even", 6)),
                  (std::vector<uint64_t>{7, 9, 11, 13, 15, 17, 19}));
  CAF_CHECK_EQUAL(ids_of(history_of(store, "even", 5, 2)), (std::vector<uint64_t>{7, 9}));
  CAF_CHECK_EQUAL(ids_of(history_of(store, "odd", 0, 3)), (std::vector<uint64_t>{2, 4, 6}));
  CAF_CHECK_EQUAL(prev_ids_of(history_of(store, "odd", 0, 3)), (std::vector<uint64_t>{0, 2, 4}));
  CAF_CHECK(history_of(store, "even", 19).empty());
  CAF_CHECK(history_of(store, "even", 1000).empty());
  CAF_CHECK(history_of(store, "even", 0, 0).empty());
  CAF_CHECK(history_of(store, "even", std::numeric_limits<uint64_t>::max()).empty());
  CAF_CHECK(history_of(store, "nowhere").empty());
}

CAF_TEST(texts are stored byte for byte and rendered like the sqlite store does) {
  redis_store store{options()};
  static const char raw_text[] = "nul\0 ff\xff bad\xc3 quote\" nl\n end";
  const std::string text(raw_text, sizeof raw_text - 1);
  const std::string user("b\xe9la", 4);
  auto f = store_all(store, {make_draft("bin", text, user)})[0];
  auto expected = render_frame(f->id, "bin", user, text, 1764094848123);
  CAF_CHECK_EQUAL(f->json, expected);
  CAF_CHECK_NOT_EQUAL(expected.find("\xef\xbf\xbd"), std::string::npos); // U+FFFD
  auto stored = history_of(store, "bin");
  CAF_REQUIRE_EQUAL(stored.size(), 1u);
  CAF_CHECK_EQUAL(stored[0]->json, expected);
  auto logged = read_all(store, 0);
  CAF_REQUIRE_EQUAL(logged.frames.size(), 1u);
  CAF_CHECK_EQUAL(logged.frames[0]->json, expected);
  redis_connection raw{url(), 1000ms};
  auto entries = raw.command({"XRANGE", "herald:ch:bin", "-", "+"});
  CAF_REQUIRE(entries);
  CAF_REQUIRE_EQUAL((*entries)->elements, 1u);
  const auto& fields = *(*entries)->element[0]->element[1];
  CAF_REQUIRE_EQUAL(fields.elements, 8u);
  CAF_CHECK_EQUAL(reply_text(*fields.element[3]), text);
  CAF_CHECK_EQUAL(reply_text(*fields.element[1]), user);
}

CAF_TEST(the keys are laid out as documented) {
  redis_store store{options("hx")};
  store_all(store, {make_draft("a/b", "hello", "carol", 42), make_draft("a/b", "again", "carol", 43)});
  redis_connection raw{url(), 1000ms};
  CAF_CHECK_EQUAL(text_of(raw.command({"GET", "hx:next_id"})), "2");
  CAF_CHECK_EQUAL(text_of(raw.command({"HGET", "hx:channels", "a/b"})), "2");
  CAF_CHECK_EQUAL(text_of(raw.command({"HGET", "hx:stored", "a/b"})), "2");
  CAF_CHECK_EQUAL(text_of(raw.command({"TYPE", "hx:log"})), "stream");
  CAF_CHECK_EQUAL(text_of(raw.command({"TYPE", "hx:ch:a/b"})), "stream");
  auto log = raw.command({"XRANGE", "hx:log", "-", "+"});
  CAF_REQUIRE(log);
  CAF_REQUIRE_EQUAL((*log)->elements, 2u);
  const auto& entry = *(*log)->element[1];
  CAF_CHECK_EQUAL(reply_text(*entry.element[0]), "0-2");
  std::vector<std::string> fields;
  for (std::size_t i = 0; i < entry.element[1]->elements; ++i)
    fields.emplace_back(reply_text(*entry.element[1]->element[i]));
  CAF_CHECK_EQUAL(fields, (std::vector<std::string>{"c", "a/b", "u", "carol", "m", "again", "t",
                                                    "43", "p", "1"}));
  auto ch = raw.command({"XRANGE", "hx:ch:a/b", "0-1", "0-1"});
  CAF_REQUIRE(ch);
  CAF_REQUIRE_EQUAL((*ch)->elements, 1u);
  std::vector<std::string> ch_fields;
  for (std::size_t i = 0; i < (*ch)->element[0]->element[1]->elements; ++i)
    ch_fields.emplace_back(reply_text(*(*ch)->element[0]->element[1]->element[i]));
  CAF_CHECK_EQUAL(ch_fields,
                  (std::vector<std::string>{"u", "carol", "m", "hello", "t", "42", "p", "0"}));
  CAF_CHECK_EQUAL(text_of(raw.command({"EXISTS", "herald:next_id"})), "(other)");
  auto none = raw.command({"EXISTS", "herald:next_id"});
  CAF_REQUIRE(none);
  CAF_CHECK_EQUAL((*none)->integer, 0);
}

CAF_TEST(a batch past max_channels refuses only the drafts that create channels) {
  redis_store store{options()};
  auto results = store.append({make_draft("a", "1"), make_draft("b", "2"), make_draft("a", "3"),
                               make_draft("c", "4"), make_draft("b", "5")},
                              2);
  CAF_REQUIRE_EQUAL(results.size(), 5u);
  CAF_CHECK(results[0] && results[1] && results[2] && results[4]);
  CAF_REQUIRE(!results[3]);
  CAF_CHECK_EQUAL(results[3].error(), caf::error{errc::channel_limit});
  CAF_CHECK_EQUAL(error_text(results[3].error()), limit_text);
  // A refused draft takes no id: the ids stay consecutive.
  CAF_CHECK_EQUAL((*results[4])->id, 4u);
  CAF_CHECK_EQUAL((*results[4])->prev_id, 2u);
  CAF_CHECK_EQUAL(store.last_id(), uint64_t{4});
  CAF_CHECK_EQUAL(channel_map(store).count("c"), 0u);
  // 0: no limit.
  CAF_CHECK(store.append({make_draft("c", "6")}, 0)[0]);
}

CAF_TEST(the channel limit counts the channels of every node) {
  redis_store node1{options()};
  redis_store node2{options()};
  CAF_REQUIRE(node1.append({make_draft("a", "1")}, 2)[0]);
  CAF_REQUIRE(node2.append({make_draft("b", "2")}, 2)[0]);
  auto r1 = node1.append({make_draft("c", "3"), make_draft("b", "4")}, 2);
  CAF_REQUIRE(!r1[0]);
  CAF_CHECK_EQUAL(error_text(r1[0].error()), limit_text);
  CAF_CHECK(r1[1]);
  auto r2 = node2.append({make_draft("a", "5"), make_draft("d", "6")}, 2);
  CAF_CHECK(r2[0]);
  CAF_REQUIRE(!r2[1]);
  CAF_CHECK_EQUAL(r2[1].error(), caf::error{errc::channel_limit});
  // A larger limit on one node admits it there.
  CAF_CHECK(node2.append({make_draft("d", "7")}, 3)[0]);
}

CAF_TEST(channels sums subscribers over the nodes whose report is alive) {
  redis_store node1{options()};
  redis_store node2{options()};
  redis_store node3{options()};
  store_all(node1, {make_draft("a", "1"), make_draft("b", "2"), make_draft("a", "3")});
  CAF_REQUIRE(node1.report_subscribers("n1", {{"a", 2}, {"b", 1}, {"quiet", 7}}, 60s));
  CAF_REQUIRE(node2.report_subscribers("n2", {{"a", 3}}, 60s));
  CAF_REQUIRE(node3.report_subscribers("n3", {{"a", 100}}, 300ms));
  auto now = channel_map(node2);
  CAF_REQUIRE_EQUAL(now.size(), 2u); // "quiet" has subscribers but no message
  CAF_CHECK_EQUAL(now["a"].subscribers, 105u);
  CAF_CHECK_EQUAL(now["a"].stored, 2u);
  CAF_CHECK_EQUAL(now["a"].last_id, 3u);
  CAF_CHECK_EQUAL(now["b"].subscribers, 1u);
  CAF_CHECK_EQUAL(now["b"].stored, 1u);
  CAF_CHECK_EQUAL(now["b"].last_id, 2u);
  // n3 stops reporting: its counts drop out once its TTL has passed.
  auto deadline = clock_type::now() + 3s;
  while (channel_of(node2, "a").subscribers != 5 && clock_type::now() < deadline)
    std::this_thread::sleep_for(20ms);
  CAF_CHECK_EQUAL(channel_of(node2, "a").subscribers, 5u);
  redis_connection raw{url(), 1000ms};
  CAF_CHECK_EQUAL(text_of(raw.command({"ZSCORE", "herald:nodes", "n3"})), "(nil)");
  CAF_CHECK_NOT_EQUAL(text_of(raw.command({"ZSCORE", "herald:nodes", "n1"})), "(nil)");
  // A new report replaces the node's previous one entirely.
  CAF_REQUIRE(node1.report_subscribers("n1", {{"b", 4}}, 60s));
  auto after = channel_map(node3);
  CAF_CHECK_EQUAL(after["a"].subscribers, 3u);
  CAF_CHECK_EQUAL(after["b"].subscribers, 4u);
  CAF_REQUIRE(node2.report_subscribers("n2", {}, 60s));
  CAF_CHECK_EQUAL(channel_of(node3, "a").subscribers, 0u);
}

CAF_TEST(channels are listed by name) {
  redis_store store{options()};
  store_all(store, {make_draft("zeta", "1"), make_draft("alpha", "2"), make_draft("mid", "3")});
  auto list = store.channels();
  CAF_REQUIRE(list);
  std::vector<std::string> names;
  for (auto& c : *list)
    names.push_back(c.name);
  CAF_CHECK_EQUAL(names, (std::vector<std::string>{"alpha", "mid", "zeta"}));
}

CAF_TEST(the log holds every message in id order) {
  redis_store writer{options()};
  redis_store reader{options()};
  auto frames = store_all(writer, {make_draft("a", "1"), make_draft("b", "2"),
                                   make_draft("a", "3"), make_draft("c", "4")});
  auto all = read_all(reader, 0);
  CAF_CHECK(!all.gap);
  CAF_CHECK_EQUAL(ids_of(all.frames), (std::vector<uint64_t>{1, 2, 3, 4}));
  CAF_CHECK_EQUAL(prev_ids_of(all.frames), (std::vector<uint64_t>{0, 0, 1, 0}));
  for (std::size_t i = 0; i < frames.size(); ++i) {
    CAF_CHECK_EQUAL(all.frames[i]->channel, frames[i]->channel);
    CAF_CHECK_EQUAL(all.frames[i]->json, frames[i]->json);
  }
  auto part = read_all(reader, 1, 2);
  CAF_CHECK_EQUAL(ids_of(part.frames), (std::vector<uint64_t>{2, 3}));
  CAF_CHECK(!part.gap);
  CAF_CHECK(read_all(reader, 4).frames.empty());
  CAF_CHECK(read_all(reader, 1, 0).frames.empty());
}

CAF_TEST(a blocking log read waits its time and returns empty) {
  redis_store store{options()};
  store_all(store, {make_draft("a", "1")});
  auto start = clock_type::now();
  auto batch = store.read_log(1, 300ms, 10);
  auto took = clock_type::now() - start;
  CAF_REQUIRE(batch);
  CAF_CHECK(batch->frames.empty());
  CAF_CHECK(!batch->gap);
  CAF_CHECK_GREATER_OR_EQUAL(took, 250ms);
  CAF_CHECK_LESS(took, 1300ms); // block time plus the command timeout at most
  // The store works as before afterwards (the longer wait was for one call).
  CAF_CHECK_EQUAL(store.last_id(), uint64_t{1});
}

CAF_TEST(a blocking log read wakes for a message another node appends) {
  redis_store reader{options()};
  auto opts = options();
  std::thread writer_thread{[opts] {
    redis_store writer{opts};
    writer.append({make_draft("live", "now")}, 0);
  }};
  auto start = clock_type::now();
  auto batch = reader.read_log(0, 5s, 10);
  auto took = clock_type::now() - start;
  writer_thread.join();
  CAF_REQUIRE(batch);
  CAF_CHECK_EQUAL(ids_of(batch->frames), (std::vector<uint64_t>{1}));
  CAF_CHECK_LESS(took, 3s);
}

CAF_TEST(a reader behind the trimmed log learns of the gap) {
  redis_store store{options()};
  draft_list drafts;
  for (int i = 0; i < 20; ++i)
    drafts.push_back(make_draft("t", std::to_string(i)));
  store_all(store, drafts);
  redis_connection raw{url(), 1000ms};
  CAF_REQUIRE(raw.command({"XTRIM", "herald:log", "MAXLEN", "5"}));
  auto behind = read_all(store, 3);
  CAF_CHECK(behind.gap);
  CAF_CHECK_EQUAL(ids_of(behind.frames), (std::vector<uint64_t>{16, 17, 18, 19, 20}));
  auto just_before = read_all(store, 15);
  CAF_CHECK(!just_before.gap);
  CAF_CHECK_EQUAL(just_before.frames.size(), 5u);
  CAF_CHECK(!read_all(store, 17).gap);
  CAF_CHECK(!read_all(store, 0).gap); // a reader at 0 has nothing to continue
  // The channel's own stream is not trimmed: recovery finds everything.
  CAF_CHECK_EQUAL(history_of(store, "t", 3).size(), 17u);
}

CAF_TEST(a log trimmed to nothing is a gap for a reader behind it) {
  redis_store store{options()};
  draft_list drafts;
  for (int i = 0; i < 20; ++i)
    drafts.push_back(make_draft("t", std::to_string(i)));
  store_all(store, drafts);
  redis_connection raw{url(), 1000ms};
  CAF_REQUIRE(raw.command({"XTRIM", "herald:log", "MAXLEN", "0"}));
  auto behind = read_all(store, 3);
  CAF_CHECK(behind.frames.empty());
  CAF_CHECK(behind.gap);
  auto blocked = store.read_log(19, 50ms, 10);
  CAF_REQUIRE(blocked);
  CAF_CHECK(blocked->gap);
  // A reader that had everything missed nothing.
  CAF_CHECK(!read_all(store, 20).gap);
  CAF_CHECK(!store.read_log(20, 50ms, 10)->gap);
  CAF_CHECK(!read_all(store, 0).gap);
  // The next message shows the gap to the reader behind as well.
  store_all(store, {make_draft("t", "new")});
  auto next = read_all(store, 3);
  CAF_CHECK(next.gap);
  CAF_CHECK_EQUAL(ids_of(next.frames), (std::vector<uint64_t>{21}));
  CAF_CHECK(!read_all(store, 20).gap);
}

CAF_TEST(append trims the log to about log_length) {
  auto opts = options();
  opts.log_length = 10;
  redis_store store{opts};
  // Redis trims "~" a whole node of entries (100 by default) at a time.
  for (int batch = 0; batch < 5; ++batch) {
    draft_list drafts(100, make_draft("many", "x"));
    store_all(store, drafts);
  }
  redis_connection raw{url(), 1000ms};
  auto len = raw.command({"XLEN", "herald:log"});
  CAF_REQUIRE(len);
  CAF_CHECK_LESS((*len)->integer, 500);
  CAF_CHECK_GREATER_OR_EQUAL((*len)->integer, 10);
  CAF_CHECK_EQUAL(history_of(store, "many", 0, 1000).size(), 500u);
  CAF_CHECK(read_all(store, 1).gap);
}

CAF_TEST(key prefixes and databases keep deployments apart) {
  redis_store one{options("one")};
  redis_store two{options("two")};
  auto opts = options();
  opts.url.db = 3;
  redis_store three{opts};
  store_all(one, {make_draft("a", "1"), make_draft("a", "2")});
  CAF_CHECK_EQUAL(two.last_id(), uint64_t{0});
  CAF_CHECK_EQUAL(ids_of(store_all(two, {make_draft("a", "x")})), std::vector<uint64_t>{1});
  CAF_CHECK(history_of(two, "a").size() == 1);
  CAF_CHECK_EQUAL(three.last_id(), uint64_t{0});
  CAF_CHECK(channel_map(three).empty());
}

CAF_TEST(redis down fails every draft quickly and the store recovers after restart) {
  auto opts = options();
  opts.timeout = 500ms;
  redis_store store{opts};
  auto before = store_all(store, {make_draft("a", "1"), make_draft("b", "2"), make_draft("a", "3")});
  CAF_REQUIRE(redis.kill(SIGKILL));
  auto start = clock_type::now();
  auto results = store.append({make_draft("a", "4"), make_draft("c", "5")}, 0);
  CAF_CHECK_LESS(clock_type::now() - start, 500ms);
  CAF_REQUIRE_EQUAL(results.size(), 2u);
  for (auto& r : results) {
    CAF_REQUIRE(!r);
    CAF_CHECK_EQUAL(r.error(), caf::error{errc::storage_failure});
    CAF_CHECK_EQUAL(error_text(r.error()).substr(0, where().size()), where());
  }
  CAF_CHECK(!store.history("a", 0, 10));
  CAF_CHECK(!store.channels());
  CAF_CHECK(!store.last_id());
  CAF_CHECK(!store.read_log(0, 100ms, 10));
  CAF_CHECK(!store.report_subscribers("n1", {{"a", 1}}, 1s));
  CAF_CHECK(!store.persistence());
  CAF_REQUIRE(redis.restart());
  // Acknowledged before the crash, so on disk (appendfsync always).
  CAF_CHECK_EQUAL(store.last_id(), uint64_t{3});
  auto a = history_of(store, "a");
  CAF_REQUIRE_EQUAL(a.size(), 2u);
  CAF_CHECK_EQUAL(a[1]->json, before[2]->json);
  auto after = store_all(store, {make_draft("a", "4")});
  CAF_CHECK_EQUAL(after[0]->id, 4u);
  CAF_CHECK_EQUAL(after[0]->prev_id, 3u);
  CAF_CHECK_EQUAL(channel_of(store, "a").stored, 3u);
}

CAF_TEST(a redis restarted between calls costs no failure) {
  redis_store store{options()};
  store_all(store, {make_draft("a", "1")});
  CAF_REQUIRE(redis.restart());
  // The script cache went with the old process: append loads it again.
  auto frames = store_all(store, {make_draft("a", "2")});
  CAF_CHECK_EQUAL(frames[0]->id, 2u);
  CAF_CHECK_EQUAL(frames[0]->prev_id, 1u);
}

CAF_TEST(a flushed script cache is refilled) {
  redis_store store{options()};
  store_all(store, {make_draft("a", "1")});
  CAF_REQUIRE(store.channels());
  redis_connection raw{url(), 1000ms};
  CAF_REQUIRE_EQUAL(text_of(raw.command({"SCRIPT", "FLUSH"})), "OK");
  CAF_CHECK_EQUAL(ids_of(store_all(store, {make_draft("a", "2")})), std::vector<uint64_t>{2});
  CAF_CHECK_EQUAL(channel_of(store, "a").stored, 2u);
}

CAF_TEST(a redis that stops answering fails the batch within the timeout) {
  auto opts = options();
  opts.timeout = 300ms;
  redis_store store{opts};
  store_all(store, {make_draft("a", "1")});
  CAF_REQUIRE(redis.kill(SIGSTOP));
  auto start = clock_type::now();
  auto results = store.append({make_draft("a", "2"), make_draft("a", "3")}, 0);
  auto took = clock_type::now() - start;
  CAF_REQUIRE(redis.kill(SIGCONT));
  CAF_CHECK_LESS(took, 2s);
  for (auto& r : results) {
    CAF_REQUIRE(!r);
    CAF_CHECK_NOT_EQUAL(error_text(r.error()).find("no answer within 300 ms"), std::string::npos);
  }
  // Unanswered is not undone: the server may still have run the batch.
  auto last = store.last_id();
  CAF_REQUIRE(last);
  CAF_CHECK(*last == 1 || *last == 3);
  auto next = store_all(store, {make_draft("a", "4")});
  CAF_CHECK_EQUAL(next[0]->id, *last + 1);
  CAF_CHECK_EQUAL(next[0]->prev_id, *last);
}

CAF_TEST(persistence reports the server settings) {
  redis_store store{options()};
  auto p = store.persistence();
  CAF_REQUIRE(p);
  CAF_CHECK_EQUAL(p->first, "yes");
  CAF_CHECK_EQUAL(p->second, "always");
}

CAF_TEST(persistence is unknown without CONFIG and nothing else breaks) {
  redis_connection admin{url(), 1000ms};
  CAF_REQUIRE_EQUAL(text_of(admin.command({"ACL", "SETUSER", "limited", "on", ">pw", "~*", "&*",
                                           "+@all", "-config"})),
                    "OK");
  auto opts = options();
  opts.url.username = "limited";
  opts.url.password = "pw";
  redis_store store{opts};
  auto p = store.persistence();
  CAF_REQUIRE(p);
  CAF_CHECK_EQUAL(p->first, "");
  CAF_CHECK_EQUAL(p->second, "");
  CAF_CHECK_EQUAL(ids_of(store_all(store, {make_draft("a", "1")})), std::vector<uint64_t>{1});
}

CAF_TEST_FIXTURE_SCOPE_END()
