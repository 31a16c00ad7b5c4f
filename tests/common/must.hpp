#pragma once

#include <optional>

#include <caf/test/unit_test.hpp>

namespace herald::test {

/// The value of an optional result, by value: CAF_CHECK_EQUAL binds its
/// arguments to references, which must not point into a temporary.
template <class T>
T must(std::optional<T> x) {
  CAF_REQUIRE(x.has_value());
  return *x;
}

} // namespace herald::test
