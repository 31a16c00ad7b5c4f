#include "bench/publisher.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "bench/clock.hpp"
#include "bench/publisher_connection.hpp"
#include "bench/token.hpp"

namespace herald::bench {

std::string make_request_head(const url& target, const std::string& content_type, const std::string& auth,
                              const std::vector<std::string>& headers) {
  std::string head = "POST " + target.target + " HTTP/1.1\r\nHost: " + target.host + ":"
                     + std::to_string(target.port) + "\r\n";
  if (!content_type.empty())
    head += "Content-Type: " + content_type + "\r\n";
  if (!auth.empty())
    head += "Authorization: " + auth + "\r\n";
  for (auto& h : headers)
    head += h + "\r\n";
  return head;
}

publisher::publisher(event_loop& loop, publisher_config config, shared_region& region)
  : loop_{loop}, config_{std::move(config)}, region_{region} {
  // Targets interleaved, so that round robin over the connections
  // alternates between the servers.
  for (std::size_t i = 0; i < std::max<std::size_t>(config_.connections, 1); ++i)
    conns_.push_back(std::make_unique<publisher_connection>(*this, config_.depth, i % config_.targets.size()));
}

publisher::~publisher() = default;

std::string publisher::connect_all() {
  for (auto& c : conns_)
    if (auto err = c->open(); !err.empty())
      return err;
  return {};
}

void publisher::start(std::uint64_t now) {
  running_ = true;
  start_ = now;
  tick(now);
}

void publisher::send_one(publisher_connection& c, std::uint64_t) {
  if (exhausted() || !c.has_room())
    return;
  auto seq = next_seq_++;
  region_.seq_status[seq] = seq_status::in_flight;
  // Request = head + Content-Length + body prefix + payload + body suffix,
  // assembled in one buffer that keeps its capacity between publishes.
  thread_local std::string request;
  request.assign(config_.heads[c.target()]);
  auto payload_len = std::max(config_.size, max_token_length);
  auto body_len_pos = request.size();
  request.append("Content-Length: ");
  request.append(24, ' ');
  request.append("\r\n\r\n");
  request.append(config_.body_prefix);
  auto payload_pos = request.size();
  request.resize(payload_pos + payload_len);
  token t{config_.run_id, seq, now_ns(), watermark_};
  auto written = write_payload(request.data() + payload_pos, t, config_.size);
  request.resize(payload_pos + written);
  request.append(config_.body_suffix);
  // Fill in the length, then drop the unused room before "\r\n\r\n".
  auto body_len = config_.body_prefix.size() + written + config_.body_suffix.size();
  char* digits = request.data() + body_len_pos + 16;
  auto res = std::to_chars(digits, digits + 24, body_len);
  auto used = static_cast<std::size_t>(res.ptr - digits);
  request.erase(body_len_pos + 16 + used, 24 - used);
  c.enqueue(seq, t.send_ns, request.data(), request.size());
}

std::vector<std::uint64_t> publisher::acked_per_target() const {
  std::vector<std::uint64_t> out(config_.targets.size(), 0);
  for (auto& c : conns_)
    out[c->target()] += c->acked();
  return out;
}

void publisher::on_response(std::uint64_t seq, std::uint64_t send_ns, int status, std::uint64_t now) {
  ack_latency_.record(now > send_ns ? now - send_ns : 0);
  if (status >= 200 && status < 300) {
    region_.seq_status[seq] = seq_status::acked;
    ++acked_;
  } else {
    region_.seq_status[seq] = seq_status::failed;
    ++failed_;
    last_error_ = "publish answered with HTTP " + std::to_string(status);
  }
  advance_watermark();
}

void publisher::on_failed(std::uint64_t seq, const std::string& why) {
  region_.seq_status[seq] = seq_status::failed;
  ++failed_;
  last_error_ = why;
  advance_watermark();
}

void publisher::advance_watermark() {
  while (watermark_ + 1 < next_seq_ && region_.seq_status[watermark_ + 1] >= seq_status::acked)
    ++watermark_;
}

void publisher::tick(std::uint64_t now) {
  if (!running_)
    return;
  for (auto& c : conns_)
    if (!c->is_open())
      c->open(); // the server dropped it; try again
  // Which connection next: round robin over those with room.
  auto pick = [this]() -> publisher_connection* {
    for (std::size_t i = 0; i < conns_.size(); ++i) {
      auto& c = conns_[(next_conn_ + i) % conns_.size()];
      if (c->has_room()) {
        next_conn_ = (next_conn_ + i + 1) % conns_.size();
        return c.get();
      }
    }
    return nullptr;
  };
  if (config_.inflight > 0) {
    while (in_flight() < config_.inflight && !exhausted()) {
      auto* c = pick();
      if (c == nullptr)
        break;
      send_one(*c, now);
    }
  } else if (config_.rate > 0) {
    auto due = static_cast<std::uint64_t>(config_.rate * static_cast<double>(now - start_) / 1e9) + 1;
    due = std::min(due, region_.max_seqs);
    while (sent() < due) {
      auto* c = pick();
      if (c == nullptr)
        break;
      send_one(*c, now);
    }
    if (due > sent())
      behind_max_ = std::max(behind_max_, due - sent());
  }
  for (auto& c : conns_)
    c->flush();
}

} // namespace herald::bench
