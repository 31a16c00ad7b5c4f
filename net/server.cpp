#include "net/server.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include "actors/hub.hpp"
#include "config/config.hpp"
#include "metrics/registry.hpp"
#include "net/io_pool.hpp"
#include "net/listener.hpp"
#include "net/server_state.hpp"
#include "net/tls_context.hpp"

namespace herald {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

// How often shutdown looks whether the sessions and publishes have drained.
constexpr auto drain_poll = std::chrono::milliseconds(20);
// How long closed idle HTTP connections get to finish their last write.
constexpr auto http_close_grace = std::chrono::milliseconds(500);

// Clients closed at shutdown are told to come back after a random delay in
// [reconnect_min, reconnect_min + reconnect_spread).
constexpr int reconnect_min_ms = 500;
constexpr int reconnect_spread_ms = 4500;

std::string shutdown_reason() {
  thread_local std::minstd_rand rng{std::random_device{}()};
  std::uniform_int_distribution<int> delay{reconnect_min_ms,
                                           reconnect_min_ms + reconnect_spread_ms - 1};
  return "server shutting down; retry_after_ms=" + std::to_string(delay(rng));
}

// Keepalive sweeps run a few times per interval, so a ping or a timeout is
// at most a quarter interval late. Without pings they run once a second all
// the same: a reload may turn pings on, and connections opened before a
// reload keep the interval they started with.
std::chrono::milliseconds keepalive_tick(const config& c) {
  if (c.ping_interval.count() == 0)
    return std::chrono::seconds(1);
  auto shortest = std::min(c.ping_interval, c.pong_timeout);
  return std::clamp(shortest / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
}

} // namespace

struct server::impl {
  impl(std::shared_ptr<const config> c, hub& h)
    : actors(h),
      pool(c->io_threads),
      // One count for every listener: a client's connections add up
      // whichever port they came in on.
      limits(std::make_shared<connection_limits>(c->max_connections, c->max_connections_per_ip)),
      state(std::make_shared<server_state>(std::move(c), h)),
      signals(pool.main(), SIGINT, SIGTERM, SIGHUP),
      strand(net::make_strand(pool.main())),
      timer(strand) {
    // Before anyone can connect: every committed message reaches the I/O
    // threads from now on.
    actors.attach_fanout(pool.fanout());
  }

  hub& actors;
  io_pool pool; // destroyed after everything that uses its contexts
  std::shared_ptr<connection_limits> limits;
  // Holds the config in force; the restart-only settings (listen, threads,
  // TLS) never change in it, so start-up code reads them there too.
  std::shared_ptr<server_state> state;
  std::shared_ptr<listener> acceptor;
  std::shared_ptr<listener> plain_acceptor; // [tls] plain_listen, next to TLS
  net::signal_set signals;
  // The shutdown sequence runs on this strand.
  net::strand<net::io_context::executor_type> strand;
  net::steady_timer timer;
  std::atomic<bool> shutdown_started{false};
  clock_type::time_point started_at;
  std::function<void()> reload;
  // Reloads read and check a file: that runs here, not on an I/O thread.
  // Declared last: destroyed (and joined) first, while what a reload
  // touches is still there.
  net::thread_pool reloader{1};

  void wait_signal() {
    signals.async_wait([this](const boost::system::error_code& ec, int signo) {
      if (ec)
        return;
      if (signo == SIGHUP) {
        if (shutdown_started.load())
          spdlog::info("received SIGHUP while shutting down: no config reload");
        else if (reload)
          net::post(reloader, reload);
        else
          spdlog::info("received SIGHUP: this server has no config reload");
        return wait_signal();
      }
      if (!shutdown_started.load()) {
        spdlog::info("received signal {}", signo);
        stop();
        wait_signal();
        return;
      }
      spdlog::warn("received signal {} again: stopping without waiting", signo);
      pool.stop();
    });
  }

  // Any thread.
  void stop() {
    if (shutdown_started.exchange(true))
      return;
    net::post(strand, [this] { begin_shutdown(); });
  }

  // On `strand`.
  void begin_shutdown() {
    started_at = clock_type::now();
    spdlog::info("shutting down: {} WebSocket sessions, {} publishes in flight",
                 actors.stats().open_sessions.load(), state->publishes_in_flight());
    state->begin_stopping();
    if (acceptor)
      acceptor->stop();
    if (plain_acceptor)
      plain_acceptor->stop();
    // Every client hears when to come back, each a different moment within
    // reconnect_spread, so they do not all reconnect at once.
    pool.close_all(1001, [] { return shutdown_reason(); });
    poll_until([this] { return drained(); }, started_at + state->cfg()->shutdown_timeout,
               [this] { close_http(); });
  }

  bool drained() const {
    return actors.stats().open_sessions.load() <= 0 && state->publishes_in_flight() <= 0;
  }

  // On `strand`: calls `then` once `done()` holds or `deadline` has passed.
  void poll_until(std::function<bool()> done, clock_type::time_point deadline,
                  std::function<void()> then) {
    if (done() || clock_type::now() >= deadline)
      return then();
    timer.expires_after(drain_poll);
    timer.async_wait([this, done = std::move(done), deadline,
                      then = std::move(then)](const boost::system::error_code&) mutable {
      poll_until(std::move(done), deadline, std::move(then));
    });
  }

  // On `strand`.
  void close_http() {
    if (!drained())
      spdlog::warn("shutdown timeout after {} ms: {} WebSocket sessions, {} publishes still open",
                   state->cfg()->shutdown_timeout.count(), actors.stats().open_sessions.load(),
                   state->publishes_in_flight());
    state->close_connections();
    poll_until([this] { return state->connection_count() == 0; },
               clock_type::now() + http_close_grace, [this] { finish(); });
  }

  // On `strand`.
  void finish() {
    boost::system::error_code ec;
    signals.cancel(ec);
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now()
                                                                      - started_at);
    spdlog::info("shutdown complete after {} ms", took.count());
    // Anything still open (handshakes, lingering closes) is abandoned here.
    pool.stop();
  }

};

server::server(std::shared_ptr<const config> cfg, hub& h)
  : impl_(std::make_unique<impl>(std::move(cfg), h)) {
}

server::~server() = default;

namespace {

std::shared_ptr<listener> open_listener(io_pool& pool, std::shared_ptr<server_state> state,
                                        std::shared_ptr<connection_limits> limits,
                                        std::shared_ptr<net::ssl::context> tls,
                                        const std::string& address_text, uint16_t port,
                                        std::string& error) {
  boost::system::error_code ec;
  auto address = net::ip::make_address(address_text, ec);
  if (ec) {
    error = "cannot listen on " + address_text + ":" + std::to_string(port) + ": invalid address";
    return nullptr;
  }
  auto l = std::make_shared<listener>(pool, std::move(state), std::move(limits), std::move(tls));
  if (!l->open(tcp::endpoint{address, port}, error))
    return nullptr;
  return l;
}

} // namespace

bool server::listen(std::string& error) {
  auto snapshot = impl_->state->cfg();
  const auto& cfg = *snapshot;
  std::shared_ptr<net::ssl::context> tls;
  if (!cfg.tls_cert.empty()) {
    tls = make_tls_context(cfg, error);
    if (!tls)
      return false;
  }
  impl_->acceptor = open_listener(impl_->pool, impl_->state, impl_->limits, tls,
                                  cfg.listen_address, cfg.port, error);
  if (!impl_->acceptor)
    return false;
  if (!cfg.plain_listen_address.empty()) {
    impl_->plain_acceptor = open_listener(impl_->pool, impl_->state, impl_->limits, nullptr,
                                          cfg.plain_listen_address, cfg.plain_port, error);
    if (!impl_->plain_acceptor)
      return false;
  }
  return true;
}

uint16_t server::port() const {
  return impl_->acceptor ? impl_->acceptor->port() : 0;
}

uint16_t server::plain_port() const {
  return impl_->plain_acceptor ? impl_->plain_acceptor->port() : 0;
}

void server::run() {
  if (!impl_->acceptor) {
    spdlog::error("server::run() called without a successful listen()");
    return;
  }
  auto cfg = impl_->state->cfg();
  impl_->wait_signal();
  impl_->acceptor->run();
  if (impl_->plain_acceptor)
    impl_->plain_acceptor->run();
  impl_->pool.start_keepalive(keepalive_tick(*cfg));
  auto threads = impl_->pool.size();
  spdlog::info("serving on {}:{} with {} I/O thread{}", cfg->listen_address, port(),
               threads, threads == 1 ? "" : "s");
  impl_->pool.run();
  // A reload still under way finishes before the caller stops the actors.
  impl_->reloader.join();
}

void server::stop() {
  impl_->stop();
}

void server::on_reload(std::function<void()> reload) {
  impl_->reload = std::move(reload);
}

void server::apply_config(std::shared_ptr<const config> next) {
  impl_->limits->set_limits(next->max_connections, next->max_connections_per_ip);
  impl_->pool.set_keepalive_tick(keepalive_tick(*next));
  impl_->state->set_cfg(std::move(next));
}

void server::attach_metrics(std::shared_ptr<metrics_registry> registry) {
  for (auto& block : impl_->pool.metrics())
    registry->add(block);
  impl_->state->set_metrics(std::move(registry));
}

std::shared_ptr<const config> server::current_config() const {
  return impl_->state->cfg();
}

} // namespace herald
