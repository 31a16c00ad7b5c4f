#define CAF_SUITE actors_query
#include <caf/test/dsl.hpp>

#include "actors/broadcaster.hpp"
#include "actors/query.hpp"
#include "fakes.hpp"

using namespace herald;
using namespace herald::testing;

namespace {

using ids = std::vector<uint64_t>;

struct fixture : test_coordinator_fixture<> {
  broadcaster_actor bc = sys.spawn(broadcaster_behavior);
  cache_actor cache = sys.spawn(fake_cache);
  storage_actor storage = sys.spawn(fake_storage);
  query_actor query = sys.spawn(query_behavior, bc, cache, storage);
  std::vector<history_result> histories;
  std::vector<channels_result> listings;

  fake_cache_state& cache_state() {
    return deref<cache_actor::stateful_base<fake_cache_state>>(cache).state;
  }
  fake_storage_state& storage_state() {
    return deref<storage_actor::stateful_base<fake_storage_state>>(storage).state;
  }

  void store(uint64_t id, const std::string& channel) {
    auto f = make_frame(id, channel);
    storage_state().frames.push_back(f);
    cache_state().frames.push_back(f);
  }

  void subscribe(const std::string& channel) {
    caf::anon_send(bc, caf::join_atom_v, channel, sys.spawn(recorder));
    run();
  }

  void history(const std::string& channel, uint64_t since, uint32_t limit) {
    history_responder done = [this](history_result r) { histories.push_back(std::move(r)); };
    caf::anon_send(query, history_atom_v, channel, since, limit, std::move(done));
    run();
  }

  void channels() {
    channels_responder done = [this](channels_result r) { listings.push_back(std::move(r)); };
    caf::anon_send(query, channels_atom_v, std::move(done));
    run();
  }
};

bool same(const channel_info& x, const channel_info& y) {
  return x.name == y.name && x.subscribers == y.subscribers && x.stored == y.stored
         && x.last_id == y.last_id;
}

} // namespace

CAF_TEST(merge keeps every channel with subscribers or messages sorted by name) {
  subscriber_counts subs{{"live", 2}, {"both", 1}};
  channel_infos stored{{"zzz", 0, 4, 9}, {"both", 0, 3, 7}};
  auto merged = merge_channels(subs, stored);
  CAF_REQUIRE_EQUAL(merged.size(), 3u);
  CAF_CHECK(same(merged[0], {"both", 1, 3, 7}));
  CAF_CHECK(same(merged[1], {"live", 2, 0, 0}));
  CAF_CHECK(same(merged[2], {"zzz", 0, 4, 9}));
  CAF_CHECK(merge_channels({}, {}).empty());
}

CAF_TEST(merge adds the local subscribers to those storage knows of other nodes) {
  // Cluster mode: storage's counts are the other nodes' reports.
  subscriber_counts subs{{"both", 2}, {"here", 1}};
  channel_infos stored{{"both", 3, 5, 9}, {"there", 4, 1, 8}};
  auto merged = merge_channels(subs, stored);
  CAF_REQUIRE_EQUAL(merged.size(), 3u);
  CAF_CHECK(same(merged[0], {"both", 5, 5, 9}));
  CAF_CHECK(same(merged[1], {"here", 1, 0, 0}));
  CAF_CHECK(same(merged[2], {"there", 4, 1, 8}));
}

CAF_TEST_FIXTURE_SCOPE(query_tests, fixture)

CAF_TEST(history comes from the cache when it can answer) {
  for (uint64_t id = 1; id <= 6; ++id)
    store(id, id % 2 ? "odd" : "even");
  history("odd", 1, 100);
  CAF_REQUIRE_EQUAL(histories.size(), 1u);
  CAF_CHECK_EQUAL(histories[0].status, 200);
  CAF_CHECK_EQUAL(ids_of(histories[0].frames), ids({3, 5}));
  CAF_CHECK_EQUAL(cache_state().asked_since, ids({1}));
  CAF_CHECK(storage_state().asked_since.empty());
}

CAF_TEST(history falls back to storage on a cache miss and keeps the limit) {
  for (uint64_t id = 1; id <= 6; ++id)
    store(id, "a");
  cache_state().covers_from = 4;
  history("a", 0, 2);
  CAF_REQUIRE_EQUAL(histories.size(), 1u);
  CAF_CHECK_EQUAL(histories[0].status, 200);
  CAF_CHECK_EQUAL(ids_of(histories[0].frames), ids({1, 2}));
  CAF_CHECK_EQUAL(storage_state().asked_since, ids({0}));
}

CAF_TEST(history answers 503 when storage fails after a miss) {
  store(1, "a");
  cache_state().miss_all = true;
  storage_state().fail = true;
  history("a", 0, 10);
  CAF_REQUIRE_EQUAL(histories.size(), 1u);
  CAF_CHECK_EQUAL(histories[0].status, 503);
  CAF_CHECK(histories[0].frames.empty());
  CAF_CHECK_EQUAL(histories[0].error, "storage unavailable: storage_failure");
}

CAF_TEST(channels merges subscribers and stored messages) {
  store(1, "both");
  store(2, "stored-only");
  store(3, "both");
  subscribe("both");
  subscribe("live-only");
  subscribe("live-only");
  channels();
  CAF_REQUIRE_EQUAL(listings.size(), 1u);
  CAF_CHECK_EQUAL(listings[0].status, 200);
  auto& got = listings[0].channels;
  CAF_REQUIRE_EQUAL(got.size(), 3u);
  CAF_CHECK(same(got[0], {"both", 1, 2, 3}));
  CAF_CHECK(same(got[1], {"live-only", 2, 0, 0}));
  CAF_CHECK(same(got[2], {"stored-only", 0, 1, 2}));
}

CAF_TEST(channels answers 503 once when storage fails) {
  subscribe("a");
  storage_state().fail = true;
  channels();
  CAF_REQUIRE_EQUAL(listings.size(), 1u);
  CAF_CHECK_EQUAL(listings[0].status, 503);
  CAF_CHECK_EQUAL(listings[0].error, "storage unavailable: storage_failure");
}

CAF_TEST(history from storage reports the gap retention left after since) {
  for (uint64_t id = 16; id <= 18; ++id) {
    auto f = std::make_shared<frame_data>(*make_frame(id, "c"));
    f->prev_id = id - 1; // 15 and before were removed
    storage_state().frames.push_back(std::move(f));
  }
  cache_state().miss_all = true;
  history("c", 3, 10);
  history("c", 15, 10);
  CAF_REQUIRE_EQUAL(histories.size(), 2u);
  CAF_CHECK_EQUAL(histories[0].status, 200);
  CAF_CHECK_EQUAL(ids_of(histories[0].frames), ids({16, 17, 18}));
  CAF_CHECK(histories[0].gap == std::optional<uint64_t>{15});
  CAF_CHECK(!histories[1].gap.has_value());
}

CAF_TEST(history after everything was removed is an empty page with the gap) {
  storage_state().removed_through = 9;
  cache_state().miss_all = true;
  history("c", 2, 10);
  history("c", 9, 10);
  CAF_REQUIRE_EQUAL(histories.size(), 2u);
  CAF_CHECK_EQUAL(histories[0].status, 200);
  CAF_CHECK(histories[0].frames.empty());
  CAF_CHECK(histories[0].gap == std::optional<uint64_t>{9});
  CAF_CHECK_EQUAL(histories[1].status, 200);
  CAF_CHECK(!histories[1].gap.has_value());
}

CAF_TEST_FIXTURE_SCOPE_END()
