#pragma once

#include "bench/options.hpp"

namespace herald::bench {

// Runs one benchmark as the options say and prints its report; returns the
// process exit status (see help_text()). This process publishes and
// coordinates; subscribers run here or in forked processes, which follow
// the phases it sets in shared memory.
int run(const options& o);

} // namespace herald::bench
