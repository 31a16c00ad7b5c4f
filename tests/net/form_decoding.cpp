#define CAF_SUITE net_form_decoding
#include <caf/test/unit_test.hpp>

#include "common/must.hpp"

#include <optional>
#include <string>

#include "net/form_decoding.hpp"

using namespace herald;
using herald::test::must;

CAF_TEST(percent decoding) {
  CAF_CHECK_EQUAL(must(percent_decode("a%2Fb")), "a/b");
  CAF_CHECK_EQUAL(must(percent_decode("a%2fb")), "a/b");
  CAF_CHECK_EQUAL(must(percent_decode("%41%42%43")), "ABC");
  CAF_CHECK_EQUAL(must(percent_decode("")), "");
  CAF_CHECK_EQUAL(must(percent_decode("a+b")), "a+b");
  CAF_CHECK_EQUAL(must(percent_decode("a+b", true)), "a b");
  CAF_CHECK_EQUAL(must(percent_decode("%2B", true)), "+");
  CAF_CHECK_EQUAL(must(percent_decode("%00")), std::string(1, '\0'));
  CAF_CHECK_EQUAL(must(percent_decode("%FF")), std::string(1, '\xff'));
  CAF_CHECK_EQUAL(must(percent_decode("%25")), "%");
  CAF_CHECK_EQUAL(must(percent_decode("%2525")), "%25"); // decoded once only
}

CAF_TEST(bad percent escapes) {
  CAF_CHECK(!percent_decode("%"));
  CAF_CHECK(!percent_decode("a%"));
  CAF_CHECK(!percent_decode("a%2"));
  CAF_CHECK(!percent_decode("%G0"));
  CAF_CHECK(!percent_decode("%0G"));
  CAF_CHECK(!percent_decode("%%41"));
  CAF_CHECK(!percent_decode("% 4"));
  CAF_CHECK(!percent_decode("%-1"));
}

CAF_TEST(form fields) {
  auto f = find_form_field("message=hello+world&x=1", "message");
  CAF_CHECK(!f.malformed);
  CAF_REQUIRE(f.value);
  CAF_CHECK_EQUAL(must(f.value), "hello world");
  CAF_CHECK_EQUAL(must(find_form_field("x=1&message=caf%C3%A9", "message").value), "caf\xc3\xa9");
  CAF_CHECK_EQUAL(must(find_form_field("message=", "message").value), "");
  CAF_CHECK_EQUAL(must(find_form_field("message", "message").value), "");
  CAF_CHECK_EQUAL(must(find_form_field("message=a=b", "message").value), "a=b");
  CAF_CHECK_EQUAL(must(find_form_field("&&message=1&&", "message").value), "1");
  // The first of repeated fields wins.
  CAF_CHECK_EQUAL(must(find_form_field("message=1&message=2", "message").value), "1");
  // Names are compared after decoding.
  CAF_CHECK_EQUAL(must(find_form_field("mess%61ge=x", "message").value), "x");
  CAF_CHECK(!find_form_field("messages=x&Message=y", "message").value);
  CAF_CHECK(!find_form_field("", "message").value);
  CAF_CHECK(!find_form_field("", "message").malformed);
}

CAF_TEST(malformed forms) {
  auto f = find_form_field("message=ok&x=%zz", "message");
  CAF_CHECK(f.malformed);
  CAF_CHECK(!f.value);
  CAF_CHECK(find_form_field("message=%4", "message").malformed);
  CAF_CHECK(find_form_field("%=1", "message").malformed);
}

CAF_TEST(request targets) {
  auto t = split_request_target("/a/b?since=1&x=2");
  CAF_CHECK_EQUAL(t.path, "/a/b");
  CAF_CHECK_EQUAL(t.query, "since=1&x=2");
  t = split_request_target("/a");
  CAF_CHECK_EQUAL(t.path, "/a");
  CAF_CHECK_EQUAL(t.query, "");
  t = split_request_target("/a?b?c");
  CAF_CHECK_EQUAL(t.path, "/a");
  CAF_CHECK_EQUAL(t.query, "b?c");
}

CAF_TEST(unsigned integers) {
  CAF_CHECK_EQUAL(must(parse_uint64("0")), 0u);
  CAF_CHECK_EQUAL(must(parse_uint64("42")), 42u);
  CAF_CHECK_EQUAL(must(parse_uint64("007")), 7u);
  CAF_CHECK_EQUAL(must(parse_uint64("18446744073709551615")), UINT64_MAX);
  CAF_CHECK(!parse_uint64("18446744073709551616"));
  CAF_CHECK(!parse_uint64("99999999999999999999"));
  CAF_CHECK(!parse_uint64(std::string(1000, '9')));
  CAF_CHECK(!parse_uint64(""));
  CAF_CHECK(!parse_uint64("-1"));
  CAF_CHECK(!parse_uint64("+1"));
  CAF_CHECK(!parse_uint64(" 1"));
  CAF_CHECK(!parse_uint64("1 "));
  CAF_CHECK(!parse_uint64("1.0"));
  CAF_CHECK(!parse_uint64("0x10"));
  CAF_CHECK(!parse_uint64("1e3"));
  CAF_CHECK(!parse_uint64(std::string("1\0", 2)));
}

CAF_TEST(utf8 accepts well formed text) {
  CAF_CHECK(valid_utf8(""));
  CAF_CHECK(valid_utf8("plain ascii"));
  CAF_CHECK(valid_utf8(std::string(1, '\0')));
  CAF_CHECK(valid_utf8("caf\xc3\xa9"));                 // U+00E9
  CAF_CHECK(valid_utf8("\xc2\x80"));                    // U+0080, smallest 2-byte
  CAF_CHECK(valid_utf8("\xe0\xa0\x80"));                // U+0800, smallest 3-byte
  CAF_CHECK(valid_utf8("\xed\x9f\xbf"));                // U+D7FF, just below surrogates
  CAF_CHECK(valid_utf8("\xee\x80\x80"));                // U+E000, just above
  CAF_CHECK(valid_utf8("\xef\xbf\xbf"));                // U+FFFF
  CAF_CHECK(valid_utf8("\xf0\x90\x80\x80"));            // U+10000
  CAF_CHECK(valid_utf8("\xf0\x9f\x98\x80"));            // an emoji
  CAF_CHECK(valid_utf8("\xf4\x8f\xbf\xbf"));            // U+10FFFF
}

CAF_TEST(utf8 rejects malformed text) {
  CAF_CHECK(!valid_utf8("\x80"));                       // lone continuation
  CAF_CHECK(!valid_utf8("\xbf"));
  CAF_CHECK(!valid_utf8("\xc3"));                       // truncated
  CAF_CHECK(!valid_utf8("caf\xc3"));
  CAF_CHECK(!valid_utf8("\xe2\x82"));
  CAF_CHECK(!valid_utf8("\xf0\x9f\x98"));
  CAF_CHECK(!valid_utf8("\xc3\x28"));                   // bad continuation
  CAF_CHECK(!valid_utf8("\xe2\x28\xa1"));
  CAF_CHECK(!valid_utf8("\xc0\x80"));                   // overlong NUL
  CAF_CHECK(!valid_utf8("\xc1\xbf"));                   // overlong 2-byte
  CAF_CHECK(!valid_utf8("\xe0\x80\xaf"));               // overlong '/'
  CAF_CHECK(!valid_utf8("\xe0\x9f\xbf"));               // overlong U+07FF
  CAF_CHECK(!valid_utf8("\xf0\x80\x80\xaf"));           // overlong 4-byte
  CAF_CHECK(!valid_utf8("\xf0\x8f\xbf\xbf"));           // overlong U+FFFF
  CAF_CHECK(!valid_utf8("\xed\xa0\x80"));               // U+D800 surrogate
  CAF_CHECK(!valid_utf8("\xed\xbf\xbf"));               // U+DFFF surrogate
  CAF_CHECK(!valid_utf8("\xed\xa0\xbd\xed\xb8\x80"));   // CESU-8 surrogate pair
  CAF_CHECK(!valid_utf8("\xf4\x90\x80\x80"));           // U+110000
  CAF_CHECK(!valid_utf8("\xf5\x80\x80\x80"));
  CAF_CHECK(!valid_utf8("\xf8\x88\x80\x80\x80"));       // 5-byte form
  CAF_CHECK(!valid_utf8("\xfe"));
  CAF_CHECK(!valid_utf8("\xff"));
}
