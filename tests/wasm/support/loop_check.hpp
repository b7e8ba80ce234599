// SPDX-License-Identifier: BSL-1.0
// What the event-loop programs (tests/wasm/loop/*.cpp) share: `check` counts and prints each
// check, and the exit code is handed to node (main returns long before the checks have run,
// so the program sets process.exitCode itself). One program per translation unit: the counts
// are the program's.
#pragma once
#include <emscripten.h>

#include <cstdio>

namespace loop_test {

inline int failures = 0;  // checks that failed
inline int checks = 0;    // checks run

// Records one check and prints it ("ok: what" or "FAIL: what").
inline void check(bool ok, const char* what) {
  ++checks;
  if (!ok) ++failures;
  std::printf("%s: %s\n", ok ? "ok" : "FAIL", what);
}

// The exit code node gives when its event loop drains.
// clang-format off
inline void set_exit_code(int code) {
  EM_ASM({ process.exitCode = $0; }, code);
}
// clang-format on

// The program's last word: "`name`: N checks, M failed", and exit code 0 if none failed, else 1.
inline void report(const char* name) {
  std::printf("%s: %d checks, %d failed\n", name, checks, failures);
  std::fflush(stdout);
  set_exit_code(failures == 0 ? 0 : 1);
}

}  // namespace loop_test
