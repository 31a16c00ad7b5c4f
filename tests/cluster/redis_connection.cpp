// The synchronous Redis connection against a real redis-server: binary-safe
// arguments, error replies, pipelining, AUTH with a user, SELECT, failure
// texts, timeouts, and reconnecting after the server closed the connection.

#define CAF_SUITE cluster_redis_connection
#include <caf/test/unit_test.hpp>

#include <csignal>
#include <string>

#include <hiredis/hiredis.h>

#include "redis_fixture.hpp"

using namespace herald;
using namespace herald::test;

CAF_TEST_FIXTURE_SCOPE(redis_connection_tests, redis_fixture)

CAF_TEST(arguments and replies are binary safe) {
  redis_connection conn{url(), 1000ms};
  const std::string key("k\0ey", 4);
  const std::string value("\0\xff\xfe\r\n$3\r\n", 10);
  auto set = conn.command({"SET", key, value});
  CAF_REQUIRE(set);
  CAF_CHECK_EQUAL(text_of(set), "OK");
  CAF_CHECK_EQUAL(text_of(conn.command({"GET", key})), value);
  CAF_CHECK_EQUAL(text_of(conn.command({"GET", "k"})), "(nil)");
}

CAF_TEST(an error reply is a reply and the connection stays) {
  redis_connection conn{url(), 1000ms};
  auto bad = conn.command({"NOSUCHCOMMAND", "x"});
  CAF_REQUIRE(bad);
  CAF_CHECK(is_error(**bad));
  CAF_CHECK_EQUAL(reply_text(**bad).substr(0, 4), "ERR ");
  auto generation = conn.generation();
  CAF_CHECK_EQUAL(text_of(conn.command({"PING"})), "PONG");
  CAF_CHECK_EQUAL(conn.generation(), generation);
  CAF_CHECK_EQUAL(error_text(conn.failure(**bad)).substr(0, where().size() + 4), where() + "ERR ");
}

CAF_TEST(a pipeline answers every command in order) {
  redis_connection conn{url(), 1000ms};
  auto r = conn.pipeline({{"SET", "a", "1"}, {"INCR", "a"}, {"LPUSH", "a", "x"}, {"GET", "a"}});
  CAF_REQUIRE(r);
  CAF_REQUIRE_EQUAL(r->size(), 4u);
  CAF_CHECK_EQUAL(reply_text(*(*r)[0]), "OK");
  CAF_CHECK_EQUAL((*r)[1]->type, REDIS_REPLY_INTEGER);
  CAF_CHECK_EQUAL((*r)[1]->integer, 2);
  CAF_CHECK(is_error(*(*r)[2])); // WRONGTYPE, and the pipeline goes on
  CAF_CHECK_EQUAL(reply_text(*(*r)[3]), "2");
}

CAF_TEST(no server means a storage failure naming it) {
  auto u = url();
  CAF_REQUIRE(redis.kill(SIGKILL));
  redis_connection conn{u, 1000ms};
  auto start = std::chrono::steady_clock::now();
  auto r = conn.command({"PING"});
  CAF_REQUIRE(!r);
  CAF_CHECK_LESS(std::chrono::steady_clock::now() - start, 1000ms);
  CAF_CHECK_EQUAL(r.error(), caf::error{errc::storage_failure});
  auto text = error_text(r.error());
  CAF_CHECK_EQUAL(text.substr(0, where().size()), where());
  CAF_CHECK_NOT_EQUAL(text.find("Connection refused"), std::string::npos);
  CAF_CHECK(!conn.connected());
  CAF_CHECK_EQUAL(conn.generation(), 0u);
}

CAF_TEST(auth with user and password and select the database) {
  redis_connection admin{url(), 1000ms};
  CAF_REQUIRE_EQUAL(text_of(admin.command({"ACL", "SETUSER", "herald", "on", ">p@ss:w0rd",
                                           "~*", "&*", "+@all"})),
                    "OK");
  CAF_REQUIRE_EQUAL(text_of(admin.command({"SELECT", "2"})), "OK");
  CAF_REQUIRE_EQUAL(text_of(admin.command({"SET", "where", "db2"})), "OK");
  auto good = url();
  good.username = "herald";
  good.password = "p@ss:w0rd";
  good.db = 2;
  redis_connection conn{good, 1000ms};
  CAF_CHECK_EQUAL(text_of(conn.command({"GET", "where"})), "db2");
  CAF_CHECK_EQUAL(text_of(conn.command({"ACL", "WHOAMI"})), "herald");
  auto bad = good;
  bad.password = "wrong";
  redis_connection refused{bad, 1000ms};
  auto r = refused.command({"PING"});
  CAF_REQUIRE(!r);
  auto text = error_text(r.error());
  CAF_CHECK_EQUAL(text.substr(0, where().size() + 12), where() + "AUTH failed:");
  CAF_CHECK_EQUAL(text.find("wrong"), std::string::npos); // never the password
  CAF_CHECK(!refused.connected());
}

CAF_TEST(a server that does not answer fails within the timeout) {
  redis_connection conn{url(), 300ms};
  CAF_REQUIRE_EQUAL(text_of(conn.command({"PING"})), "PONG");
  CAF_REQUIRE(redis.kill(SIGSTOP));
  auto start = std::chrono::steady_clock::now();
  auto r = conn.command({"PING"});
  auto took = std::chrono::steady_clock::now() - start;
  CAF_REQUIRE(redis.kill(SIGCONT));
  CAF_REQUIRE(!r);
  CAF_CHECK_GREATER_OR_EQUAL(took, 250ms);
  CAF_CHECK_LESS(took, 2000ms);
  CAF_CHECK_NOT_EQUAL(error_text(r.error()).find("no answer within 300 ms"), std::string::npos);
  CAF_CHECK(!conn.connected());
  CAF_CHECK_EQUAL(text_of(conn.command({"PING"})), "PONG");
}

CAF_TEST(a blocking command gets its extra wait) {
  redis_connection conn{url(), 200ms};
  auto start = std::chrono::steady_clock::now();
  auto r = conn.command({"BLPOP", "nothing", "0.5"}, 500ms);
  auto took = std::chrono::steady_clock::now() - start;
  CAF_REQUIRE(r);
  CAF_CHECK(is_nil(**r));
  CAF_CHECK_GREATER_OR_EQUAL(took, 450ms);
  // The normal timeout applies again afterwards.
  CAF_CHECK(!conn.command({"BLPOP", "nothing", "0.6"}));
}

CAF_TEST(a connection the server closed is replaced before the next command) {
  redis_connection conn{url(), 1000ms};
  CAF_REQUIRE_EQUAL(text_of(conn.command({"CLIENT", "SETNAME", "victim"})), "OK");
  auto first = conn.generation();
  redis_connection killer{url(), 1000ms};
  auto killed = killer.command({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"});
  CAF_REQUIRE(killed);
  CAF_REQUIRE_EQUAL((*killed)->integer, 1);
  // Wait (bounded) until the server has let go of it.
  for (int i = 0; i < 100; ++i) {
    auto probe = killer.command({"CLIENT", "LIST"});
    CAF_REQUIRE(probe);
    if (text_of(probe).find("victim") == std::string::npos)
      break;
  }
  CAF_CHECK_EQUAL(text_of(conn.command({"PING"})), "PONG");
  CAF_CHECK_EQUAL(conn.generation(), first + 1);
}

CAF_TEST(the server restarted while idle costs no failed command) {
  redis_connection conn{url(), 1000ms};
  CAF_REQUIRE_EQUAL(text_of(conn.command({"SET", "kept", "yes"})), "OK");
  CAF_REQUIRE(redis.restart());
  CAF_CHECK_EQUAL(text_of(conn.command({"GET", "kept"})), "yes");
}

CAF_TEST_FIXTURE_SCOPE_END()
