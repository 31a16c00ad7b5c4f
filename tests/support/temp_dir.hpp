#pragma once

// Scratch space and ports for integration tests: everything a test creates
// lives under /tmp and disappears with the test.

#include <cstdint>
#include <string>

#include "common/temp_dir.hpp"

namespace herald::test_support {

/// A fresh directory under /tmp, removed with everything in it on destruction.
using herald::test::temp_dir;

/// A TCP port on 127.0.0.1 that was free a moment ago: binds port 0, reads
/// the port the kernel chose, closes. Another process may still take it
/// before the caller binds it; the window is small enough for tests.
uint16_t free_port();

/// Whole file as text; empty if it cannot be read.
std::string read_file(const std::string& path);

/// Writes (replaces) a file; false on failure.
bool write_file(const std::string& path, const std::string& text);

} // namespace herald::test_support
