#include "actors/hub.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/error_text.hpp"
#include "actors/hub_actors.hpp"
#include "actors/publish_inbox.hpp"
#include "actors/session.hpp"

namespace herald {

namespace {

// What a session_handle points to. The connection's end (close) or the last
// copy of the handle going away, whichever comes first, ends the session
// actor once: a forgotten close must not leave an actor that keeps the actor
// system from shutting down.
struct session_link {
  session_actor actor;
  std::shared_ptr<hub::counters> counters;
  std::atomic<bool> closed{false};

  session_link(session_actor a, std::shared_ptr<hub::counters> c)
    : actor(std::move(a)), counters(std::move(c)) {
  }

  session_link(const session_link&) = delete;
  session_link& operator=(const session_link&) = delete;

  ~session_link() {
    close();
  }

  void close() {
    if (closed.exchange(true))
      return;
    caf::anon_send(actor, caf::leave_atom_v);
    counters->open_sessions.fetch_sub(1, std::memory_order_relaxed);
  }
};

// Answers a request from the network layer exactly once. If the message
// never reaches an actor that answers (the actor is already gone at
// shutdown), the responder dies unanswered and the client still hears back,
// with `fallback`, instead of waiting forever.
template <class Result>
struct answer_once {
  std::function<void(Result)> done;
  Result fallback;
  std::shared_ptr<hub::counters> counters; // keeps `in_flight` alive
  std::atomic<int64_t>* in_flight;         // decremented on answer; may be null
  std::atomic<bool> answered{false};

  answer_once(std::function<void(Result)> d, Result fb, std::shared_ptr<hub::counters> c,
              std::atomic<int64_t>* n)
    : done(std::move(d)), fallback(std::move(fb)), counters(std::move(c)), in_flight(n) {
  }

  answer_once(const answer_once&) = delete;
  answer_once& operator=(const answer_once&) = delete;

  ~answer_once() {
    answer(std::move(fallback));
  }

  void answer(Result r) {
    if (answered.exchange(true))
      return;
    if (in_flight)
      in_flight->fetch_sub(1, std::memory_order_relaxed);
    if (done)
      done(std::move(r));
  }
};

template <class Result>
std::function<void(Result)> wrap(std::function<void(Result)> done, Result fallback,
                                 std::shared_ptr<hub::counters> counters,
                                 std::atomic<int64_t>* in_flight = nullptr) {
  auto once = std::make_shared<answer_once<Result>>(std::move(done), std::move(fallback),
                                                    std::move(counters), in_flight);
  return [once](Result r) { once->answer(std::move(r)); };
}

const char* const unavailable = "server shutting down";

// Storage may be in the middle of a long commit; a readiness check that
// waits longer than this says so rather than hang.
constexpr auto ready_timeout = std::chrono::seconds(5);

std::string not_ready_text(const caf::error& err) {
  if (err == caf::sec::request_timeout)
    return "storage not answering within 5 s";
  auto text = client_text(err);
  return text.empty() ? "storage unavailable: " + describe(err) : text;
}

} // namespace

void session_handle::close() {
  if (actor_)
    std::static_pointer_cast<session_link>(actor_)->close();
}

void session_handle::drained() {
  if (actor_)
    caf::anon_send(std::static_pointer_cast<session_link>(actor_)->actor, drained_atom_v);
}

hub::hub(caf::actor_system& sys, std::shared_ptr<hub_actors> actors, std::size_t replay_budget)
  : sys_(sys),
    actors_(std::move(actors)),
    counters_(std::make_shared<counters>()),
    inbox_(std::make_shared<publish_inbox>()),
    replay_budget_(replay_budget) {
}

hub::~hub() = default;

void hub::set_replay_budget(std::size_t bytes) {
  replay_budget_.store(bytes, std::memory_order_relaxed);
}

void hub::publish(draft d, publish_responder done) {
  counters_->publishes_in_flight.fetch_add(1, std::memory_order_relaxed);
  auto wrapped = wrap<publish_result>(std::move(done), {503, 0, unavailable}, counters_,
                                      &counters_->publishes_in_flight);
  // Publishes arriving while the ingest actor has not yet run join one batch.
  if (inbox_->put(publish_request{std::move(d), std::move(wrapped)}))
    caf::anon_send(actors_->ingest, caf::publish_atom_v, std::make_shared<inbox_signal>(inbox_));
}

void hub::history(std::string channel, uint64_t since, uint32_t limit, history_responder done) {
  auto wrapped = wrap<history_result>(std::move(done), {503, {}, unavailable}, counters_);
  caf::anon_send(actors_->query, history_atom_v, std::move(channel), since, limit,
                 std::move(wrapped));
}

void hub::channels(channels_responder done) {
  auto wrapped = wrap<channels_result>(std::move(done), {503, {}, unavailable}, counters_);
  caf::anon_send(actors_->query, channels_atom_v, std::move(wrapped));
}

void hub::ready(ready_responder done) {
  auto wrapped = wrap<ready_result>(std::move(done), {503, unavailable}, counters_);
  // A request needs an actor to take its answer: a short-lived one, which
  // hands the answer on and quits.
  sys_.spawn([storage = actors_->storage, wrapped](caf::event_based_actor* self) {
    self->request(storage, ready_timeout, ready_atom_v)
      .then([wrapped](caf::ok_atom) { wrapped({200, {}}); },
            [wrapped](const caf::error& err) { wrapped({503, not_ready_text(err)}); });
  });
}

session_handle hub::open_session(sink_ptr sink, std::string channel,
                                 std::optional<uint64_t> since) {
  auto actor = sys_.spawn(session_behavior, std::move(sink), std::move(channel), since,
                          actors_->broadcaster, actors_->cache, actors_->storage,
                          replay_budget_.load(std::memory_order_relaxed));
  counters_->open_sessions.fetch_add(1, std::memory_order_relaxed);
  return session_handle{std::make_shared<session_link>(std::move(actor), counters_)};
}

void hub::attach_fanout(fanout_ptr target) {
  caf::anon_send(actors_->broadcaster, attach_atom_v, std::move(target));
}

void hub::close_all(uint16_t code, std::string reason) {
  caf::anon_send(actors_->broadcaster, caf::close_atom_v, code, std::move(reason));
}

} // namespace herald
