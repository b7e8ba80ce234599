// SPDX-License-Identifier: BSL-1.0
#include "harness.hpp"

#include <cstdlib>
#include <cstring>

#include <eddy/core/arena.hpp>

#include "board.hpp"

namespace fwtest {

namespace {
test_case* g_head = nullptr;
test_case* g_tail = nullptr;
int g_failures = 0;  // checks failed in the current test
const test_case* g_current = nullptr;
}  // namespace

std::int64_t fake_now_ns = 0;
const char* current_runtime = "-";

registrar::registrar(test_case* t) noexcept {
  if (g_tail)
    g_tail->next = t;
  else
    g_head = t;
  g_tail = t;
}

void check_failed(const char* file, int line, const char* expr) noexcept {
  ++g_failures;
  std::printf("  %s:%d: CHECK(%s) failed [runtime %s]\n", file, line, expr, current_runtime);
}
namespace {
// newlib-nano's printf has no %lld.
const char* to_dec(long long v, char (&buf)[24]) noexcept {
  char* p = buf + sizeof buf;
  *--p = '\0';
  unsigned long long u = v < 0 ? 0 - static_cast<unsigned long long>(v) : v;
  do {
    *--p = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) *--p = '-';
  return p;
}
}  // namespace

void check_eq_failed(const char* file, int line, const char* a, const char* b, long long va,
                     long long vb) noexcept {
  ++g_failures;
  char ba[24];
  char bb[24];
  std::printf("  %s:%d: CHECK_EQ(%s, %s) failed: %s vs %s [runtime %s]\n", file, line, a, b,
              to_dec(va, ba), to_dec(vb, bb), current_runtime);
}

eddy::time_point fake_clock() noexcept {
  return eddy::time_point{eddy::duration{fake_now_ns}};
}

// The local fixture's idle hook: nothing is ready, so jump the fake clock to the next deadline.
// With no deadline the program is stuck; there is no way to unwind without exceptions, so the
// run ends here with a failure.
void fake_idle(eddy::time_point next) noexcept {
  if (next == eddy::time_point::max()) {
    std::printf("[ FAIL ] %s.%s: deadlock on runtime %s (nothing ready, no timer)\n",
                g_current ? g_current->suite : "?", g_current ? g_current->name : "?",
                current_runtime);
    std::printf("0 passed, 1 failed\n");
    std::exit(2);
  }
  if (next.time_since_epoch().count() > fake_now_ns) fake_now_ns = next.time_since_epoch().count();
}

}  // namespace fwtest

// Every frame of every test comes from this arena: the image runs the arena path throughout.
eddy::static_arena<256 * 1024> g_frames;

namespace {
// A suite named on the command line runs; with no name, every suite but the "death" ones
// (which end the run on purpose). "suite.test" selects one test.
bool selected(const fwtest::test_case& t, int argc, char** argv) {
  if (argc <= 1) return std::strncmp(t.suite, "death", 5) != 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], t.suite) == 0) return true;
    const std::size_t n = std::strlen(t.suite);
    if (std::strncmp(argv[i], t.suite, n) == 0 && argv[i][n] == '.' &&
        std::strcmp(argv[i] + n + 1, t.name) == 0)
      return true;
  }
  return false;
}
}  // namespace

int main(int argc, char** argv) {
  board::use_interrupt_mask_for_eddy_locks();  // eddy's locks mask interrupts (isr tests)
  g_frames.install();
  int passed = 0;
  int failed = 0;
  for (fwtest::test_case* t = fwtest::g_head; t; t = t->next) {
    if (!selected(*t, argc, argv)) continue;
    fwtest::g_current = t;
    fwtest::g_failures = 0;
    t->fn();
    if (fwtest::g_failures == 0) {
      ++passed;
      std::printf("[ PASS ] %s.%s\n", t->suite, t->name);
    } else {
      ++failed;
      std::printf("[ FAIL ] %s.%s\n", t->suite, t->name);
    }
  }
  fwtest::g_current = nullptr;
  std::printf("frame arena: %u of %u bytes used at most, %u blocks live, %u failed allocations\n",
              static_cast<unsigned>(g_frames.high_water()),
              static_cast<unsigned>(g_frames.capacity()), static_cast<unsigned>(g_frames.blocks()),
              static_cast<unsigned>(g_frames.failures()));
  std::printf("%d passed, %d failed\n", passed, failed);
  if (passed + failed == 0) return 77;
  return failed == 0 ? 0 : 1;
}
