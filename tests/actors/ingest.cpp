// The ingest actor against a fake storage: what each publisher is answered
// (200 with the id, 429 at the channel limit, 503 when storage fails), for
// single publishes and for batches taken from the inbox.
#define CAF_SUITE actors_ingest
#include <caf/test/dsl.hpp>

#include "actors/ingest.hpp"
#include "fakes.hpp"

using namespace herald;
using namespace herald::testing;

namespace {

struct fixture : test_coordinator_fixture<> {
  storage_actor storage = sys.spawn(fake_storage);
  ingest_actor ingest = sys.spawn(ingest_behavior, storage);
  std::vector<publish_result> results;

  fake_storage_state& storage_state() {
    return deref<storage_actor::stateful_base<fake_storage_state>>(storage).state;
  }

  void publish(const std::string& channel, const std::string& text) {
    draft d{channel, "alice", text, 1700000000000};
    publish_responder done = [this](publish_result r) { results.push_back(std::move(r)); };
    caf::anon_send(ingest, caf::publish_atom_v, std::move(d), std::move(done));
  }

  // The way the hub publishes: several requests wait in the inbox and the
  // ingest actor takes them as one batch.
  void publish_batch(const std::vector<std::string>& channels) {
    auto inbox = std::make_shared<publish_inbox>();
    for (auto& channel : channels) {
      draft d{channel, "alice", "hello", 1700000000000};
      publish_responder done = [this](publish_result r) { results.push_back(std::move(r)); };
      inbox->put(publish_request{std::move(d), std::move(done)});
    }
    caf::anon_send(ingest, caf::publish_atom_v, std::make_shared<inbox_signal>(inbox));
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(ingest_tests, fixture)

CAF_TEST(a committed publish answers 200 with its id) {
  publish("a", "hello");
  publish("b", "world");
  CAF_CHECK(results.empty()); // nothing is answered before storage commits
  run();
  CAF_REQUIRE_EQUAL(results.size(), 2u);
  CAF_CHECK_EQUAL(results[0].status, 200);
  CAF_CHECK_EQUAL(results[0].id, 1u);
  CAF_CHECK_EQUAL(results[0].error, "");
  CAF_CHECK_EQUAL(results[1].status, 200);
  CAF_CHECK_EQUAL(results[1].id, 2u);
  CAF_REQUIRE_EQUAL(storage_state().frames.size(), 2u);
  CAF_CHECK_EQUAL(storage_state().frames[1]->channel, "b");
}

CAF_TEST(the publish goes to storage as an append of the draft) {
  publish("a", "hello");
  expect((caf::publish_atom, draft, publish_responder), to(ingest));
  expect((append_atom, draft), from(ingest).to(storage));
  CAF_CHECK(results.empty());
  expect((frame), from(storage).to(ingest));
  CAF_REQUIRE_EQUAL(results.size(), 1u);
  CAF_CHECK_EQUAL(results[0].status, 200);
}

CAF_TEST(a storage failure answers 503 with the reason) {
  storage_state().fail = true;
  publish("a", "hello");
  run();
  CAF_REQUIRE_EQUAL(results.size(), 1u);
  CAF_CHECK_EQUAL(results[0].status, 503);
  CAF_CHECK_EQUAL(results[0].id, 0u);
  CAF_CHECK_EQUAL(results[0].error, "storage unavailable: storage_failure");
}

CAF_TEST(a publish refused at the channel limit answers 429 with the text from storage) {
  storage_state().refused_channel = "new";
  publish("new", "hello");
  run();
  CAF_REQUIRE_EQUAL(results.size(), 1u);
  CAF_CHECK_EQUAL(results[0].status, 429);
  CAF_CHECK_EQUAL(results[0].id, 0u);
  CAF_CHECK_EQUAL(results[0].error, "channel limit reached (fake)");
  CAF_CHECK_EQUAL(deref<ingest_actor::stateful_base<ingest_state>>(ingest).state.refused_, 1u);
}

CAF_TEST(in a batch only the draft refused at the channel limit answers 429) {
  storage_state().refused_channel = "new";
  publish_batch({"a", "new", "b"});
  run();
  CAF_REQUIRE_EQUAL(results.size(), 3u);
  CAF_CHECK_EQUAL(results[0].status, 200);
  CAF_CHECK_EQUAL(results[0].id, 1u);
  CAF_CHECK_EQUAL(results[1].status, 429);
  CAF_CHECK_EQUAL(results[1].error, "channel limit reached (fake)");
  CAF_CHECK_EQUAL(results[2].status, 200);
  CAF_CHECK_EQUAL(results[2].id, 2u);
}

CAF_TEST(a batch that storage cannot commit answers 503 to each publish) {
  storage_state().fail = true;
  publish_batch({"a", "b"});
  run();
  CAF_REQUIRE_EQUAL(results.size(), 2u);
  for (auto& r : results) {
    CAF_CHECK_EQUAL(r.status, 503);
    CAF_CHECK_EQUAL(r.error, "storage unavailable: storage_failure");
  }
}

CAF_TEST(a dead storage answers 503 too) {
  caf::anon_send_exit(storage, caf::exit_reason::kill);
  run();
  publish("a", "hello");
  run();
  CAF_REQUIRE_EQUAL(results.size(), 1u);
  CAF_CHECK_EQUAL(results[0].status, 503);
  CAF_CHECK_EQUAL(results[0].error, "storage unavailable: request_receiver_down");
}

CAF_TEST(a publish without a responder does not crash the actor) {
  draft d{"a", "alice", "hello", 0};
  caf::anon_send(ingest, caf::publish_atom_v, std::move(d), publish_responder{});
  run();
  publish("a", "again");
  run();
  CAF_REQUIRE_EQUAL(results.size(), 1u);
  CAF_CHECK_EQUAL(results[0].id, 2u);
}

CAF_TEST_FIXTURE_SCOPE_END()
