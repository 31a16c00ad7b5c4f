#include "cluster/redis_connection.hpp"

#include <cerrno>
#include <cstring>

#include <csignal>

#include <hiredis/hiredis.h>
#include <poll.h>
#include <pthread.h>

#include "actors/messages.hpp"

namespace herald {

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

// hiredis wants parallel arrays of pointers and lengths.
struct argv_arrays {
  std::vector<const char*> ptrs;
  std::vector<std::size_t> lens;

  explicit argv_arrays(const redis_args& args) {
    ptrs.reserve(args.size());
    lens.reserve(args.size());
    for (auto a : args) {
      ptrs.push_back(a.data());
      lens.push_back(a.size());
    }
  }
  int argc() const { return static_cast<int>(ptrs.size()); }
};

// A synchronous connection has no reply outstanding between calls, so a
// readable socket means the server closed it (a restart, a timeout on its
// side, CLIENT KILL). Noticing it here costs one poll() and spares a command
// that would be sent into a dead connection.
bool closed_by_peer(int fd) {
  pollfd p{fd, POLLIN | POLLRDHUP, 0};
  return ::poll(&p, 1, 0) > 0;
}

// hiredis writes with write(), which raises SIGPIPE on a connection the
// server has reset, and SIGPIPE's default ends the process. herald leaves the
// signal's disposition alone, so this blocks it for the calling thread while
// hiredis runs and takes back any SIGPIPE the call raised: the write fails
// with EPIPE instead, like any other I/O error.
class sigpipe_guard {
public:
  sigpipe_guard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    ::sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    ::pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~sigpipe_guard() {
    // A SIGPIPE that was pending before belongs to someone else.
    if (!was_pending_) {
      sigset_t pending;
      sigemptyset(&pending);
      ::sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        timespec zero{};
        while (::sigtimedwait(&pipe_, nullptr, &zero) < 0 && errno == EINTR) {
        }
      }
    }
    ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  sigpipe_guard(const sigpipe_guard&) = delete;
  sigpipe_guard& operator=(const sigpipe_guard&) = delete;

private:
  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
};

} // namespace

void redis_reply_deleter::operator()(redisReply* r) const {
  freeReplyObject(r);
}

bool is_error(const redisReply& r) {
  return r.type == REDIS_REPLY_ERROR;
}

bool is_nil(const redisReply& r) {
  return r.type == REDIS_REPLY_NIL;
}

std::string_view reply_text(const redisReply& r) {
  if (r.type == REDIS_REPLY_STRING || r.type == REDIS_REPLY_STATUS || r.type == REDIS_REPLY_ERROR)
    return {r.str, r.len};
  return {};
}

redis_connection::redis_connection(redis_url url, std::chrono::milliseconds timeout)
  : url_(std::move(url)), timeout_(timeout), current_timeout_(timeout) {
  auto host = url_.host.find(':') != std::string::npos ? "[" + url_.host + "]" : url_.host;
  where_ = "redis " + host + ":" + std::to_string(url_.port);
}

redis_connection::~redis_connection() {
  disconnect();
}

void redis_connection::disconnect() {
  if (ctx_ != nullptr) {
    redisFree(ctx_);
    ctx_ = nullptr;
  }
}

caf::error redis_connection::failure(std::string_view reason) const {
  return caf::make_error(errc::storage_failure, where_ + ": " + std::string{reason});
}

caf::error redis_connection::failure(const redisReply& error_reply) const {
  return failure(reply_text(error_reply));
}

// The context is unusable after an I/O error: drop it, and say what failed
// in words a reader of the log understands.
caf::error redis_connection::io_failure(std::string_view what) {
  std::string reason;
  if (ctx_ == nullptr) {
    reason = "not connected";
  } else if (ctx_->err == REDIS_ERR_IO
             && (std::strcmp(ctx_->errstr, std::strerror(EAGAIN)) == 0
                 || std::strcmp(ctx_->errstr, std::strerror(EWOULDBLOCK)) == 0)) {
    reason = "no answer within " + std::to_string(current_timeout_.count()) + " ms";
  } else {
    reason = ctx_->errstr[0] != '\0' ? ctx_->errstr : "connection failed";
  }
  disconnect();
  return failure(std::string{what} + reason);
}

bool redis_connection::set_timeout(std::chrono::milliseconds timeout) {
  current_timeout_ = timeout;
  return redisSetTimeout(ctx_, to_timeval(timeout)) == REDIS_OK;
}

caf::error redis_connection::connect() {
  ctx_ = redisConnectWithTimeout(url_.host.c_str(), url_.port, to_timeval(timeout_));
  if (ctx_ == nullptr)
    return failure("out of memory");
  if (ctx_->err != 0)
    return io_failure("cannot connect: ");
  if (!set_timeout(timeout_))
    return io_failure("cannot set the timeout: ");
  // Notices a peer that vanished without closing (a dead host, a cut cable)
  // on connections that otherwise only wait.
  redisEnableKeepAlive(ctx_);
  auto setup = [this](const redis_args& args, const char* what) -> caf::error {
    argv_arrays argv{args};
    redis_reply r{static_cast<redisReply*>(
      redisCommandArgv(ctx_, argv.argc(), argv.ptrs.data(), argv.lens.data()))};
    if (!r)
      return io_failure(what);
    if (is_error(*r)) {
      auto err = failure(std::string{what} + std::string{reply_text(*r)});
      disconnect();
      return err;
    }
    return {};
  };
  if (!url_.password.empty()) {
    redis_args auth{"AUTH"};
    if (!url_.username.empty())
      auth.emplace_back(url_.username);
    auth.emplace_back(url_.password);
    if (auto err = setup(auth, "AUTH failed: "))
      return err;
  }
  if (url_.db != 0) {
    auto db = std::to_string(url_.db);
    if (auto err = setup({"SELECT", db}, "SELECT failed: "))
      return err;
  }
  ++generation_;
  return {};
}

caf::error redis_connection::ensure_connected() {
  if (ctx_ != nullptr && closed_by_peer(ctx_->fd))
    disconnect();
  if (ctx_ == nullptr)
    return connect();
  return {};
}

caf::expected<redis_reply> redis_connection::command(const redis_args& args,
                                                     std::chrono::milliseconds extra_wait) {
  sigpipe_guard guard;
  if (auto err = ensure_connected())
    return err;
  bool longer = extra_wait.count() > 0;
  if (longer && !set_timeout(timeout_ + extra_wait))
    return io_failure("cannot set the timeout: ");
  argv_arrays argv{args};
  redis_reply r{static_cast<redisReply*>(
    redisCommandArgv(ctx_, argv.argc(), argv.ptrs.data(), argv.lens.data()))};
  if (!r)
    return io_failure("");
  if (longer && !set_timeout(timeout_))
    return io_failure("cannot set the timeout: ");
  return r;
}

caf::expected<std::vector<redis_reply>>
redis_connection::pipeline(const std::vector<redis_args>& commands) {
  sigpipe_guard guard;
  if (auto err = ensure_connected())
    return err;
  for (const auto& args : commands) {
    argv_arrays argv{args};
    if (redisAppendCommandArgv(ctx_, argv.argc(), argv.ptrs.data(), argv.lens.data())
        != REDIS_OK)
      return io_failure("");
  }
  std::vector<redis_reply> replies;
  replies.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx_, &raw) != REDIS_OK)
      return io_failure("");
    replies.emplace_back(static_cast<redisReply*>(raw));
  }
  return replies;
}

} // namespace herald
