#define CAF_SUITE net_channel_name
#include <caf/test/unit_test.hpp>

#include <string>

#include "net/channel_name.hpp"

using herald::valid_channel_name;

CAF_TEST(accepts every allowed character) {
  CAF_CHECK(valid_channel_name("system/message"));
  CAF_CHECK(valid_channel_name("a"));
  CAF_CHECK(valid_channel_name("ABCxyz0189_.:-"));
  CAF_CHECK(valid_channel_name("a/b/c"));
  CAF_CHECK(valid_channel_name("room:42/chat-1.log"));
  CAF_CHECK(valid_channel_name("-"));
  CAF_CHECK(valid_channel_name(".."));
}

CAF_TEST(length is one to 128) {
  CAF_CHECK(!valid_channel_name(""));
  CAF_CHECK(valid_channel_name(std::string(128, 'x')));
  CAF_CHECK(!valid_channel_name(std::string(129, 'x')));
  CAF_CHECK(!valid_channel_name(std::string(100000, 'x')));
}

CAF_TEST(slashes only between segments) {
  CAF_CHECK(!valid_channel_name("/"));
  CAF_CHECK(!valid_channel_name("/a"));
  CAF_CHECK(!valid_channel_name("a/"));
  CAF_CHECK(!valid_channel_name("a//b"));
  CAF_CHECK(!valid_channel_name("a///b"));
  CAF_CHECK(!valid_channel_name("//"));
}

CAF_TEST(rejects everything else) {
  CAF_CHECK(!valid_channel_name("a b"));
  CAF_CHECK(!valid_channel_name("a%2Fb")); // must be decoded before
  CAF_CHECK(!valid_channel_name("a?b"));
  CAF_CHECK(!valid_channel_name("a#b"));
  CAF_CHECK(!valid_channel_name("a\\b"));
  CAF_CHECK(!valid_channel_name("a+b"));
  CAF_CHECK(!valid_channel_name(std::string("a\0b", 3)));
  CAF_CHECK(!valid_channel_name(std::string(1, '\0')));
  CAF_CHECK(!valid_channel_name("caf\xc3\xa9"));
  CAF_CHECK(!valid_channel_name("a\nb"));
  CAF_CHECK(!valid_channel_name("a\x7f"));
}
