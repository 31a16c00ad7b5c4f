#include "net/api_responses.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

namespace herald {

namespace json = boost::json;

std::string publish_ok_json(uint64_t id) {
  json::object o;
  o["status"] = "OK";
  o["id"] = id;
  return json::serialize(o);
}

std::string status_ok_json() {
  return R"({"status":"OK"})";
}

std::string history_json(std::string_view channel, const frame_list& frames,
                         std::optional<uint64_t> gap) {
  std::size_t size = 32 + channel.size();
  for (const auto& f : frames)
    if (f)
      size += f->json.size() + 1;
  std::string out;
  out.reserve(size);
  out += R"({"channel":)";
  out += json::serialize(json::string_view(channel.data(), channel.size()));
  out += R"(,"messages":[)";
  bool first = true;
  for (const auto& f : frames) {
    if (!f)
      continue;
    if (!first)
      out += ',';
    out += f->json;
    first = false;
  }
  out += ']';
  if (gap) {
    out += R"(,"gap":{"resume_from":)";
    out += std::to_string(*gap);
    out += '}';
  }
  out += '}';
  return out;
}

std::string channels_json(const channel_infos& channels) {
  json::array list;
  list.reserve(channels.size());
  for (const auto& c : channels) {
    json::object o;
    o["name"] = c.name;
    o["subscribers"] = c.subscribers;
    o["stored"] = c.stored;
    o["last_id"] = c.last_id;
    list.emplace_back(std::move(o));
  }
  json::object root;
  root["channels"] = std::move(list);
  return json::serialize(root);
}

} // namespace herald
