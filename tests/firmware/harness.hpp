// SPDX-License-Identifier: BSL-1.0
// A tiny test harness for eddy's firmware image (GoogleTest does not fit on a Cortex-M without
// exceptions). Tests register themselves; main() runs those whose suite is named on the
// semihosting command line (all when none is), prints one line per test and the standard
// "N passed, N failed" line, and exits with 0 only if every test passed (77 when nothing matched,
// which ctest reports as skipped).
//
// CHECK / CHECK_EQ record a failure and carry on: they work inside coroutines (they never
// `return`). Runtime fixtures: `for_each_runtime(fn)` calls `fn(rt)` with a `local_runtime`
// on a fake clock (its idle hook jumps the clock to the next deadline, so time is exact) and
// with `sim_runtime` under two seeds.
#pragma once
#include <cstdint>
#include <cstdio>
#include <type_traits>

#include <eddy/runtime.hpp>

namespace fwtest {

struct test_case {
  const char* suite;
  const char* name;
  void (*fn)();
  test_case* next = nullptr;
};
struct registrar {
  explicit registrar(test_case* t) noexcept;
};

void check_failed(const char* file, int line, const char* expr) noexcept;
void check_eq_failed(const char* file, int line, const char* a, const char* b, long long va,
                     long long vb) noexcept;

/// The fake clock of the local fixture, in nanoseconds.
extern std::int64_t fake_now_ns;
/// The name of the runtime a check runs on ("local", "sim0", "sim7").
extern const char* current_runtime;

eddy::time_point fake_clock() noexcept;
void fake_idle(eddy::time_point next) noexcept;

/// Milliseconds since the runtime's epoch, inside a task.
inline std::int64_t now_ms() {
  return eddy::now().time_since_epoch().count() / 1'000'000;
}

/// Calls `fn(rt)` for each firmware runtime fixture: local (fake clock), sim seed 0, sim seed 7.
template <class F>
void for_each_runtime(F&& fn) {
  {
    current_runtime = "local";
    fake_now_ns = 0;
    eddy::local_runtime rt{&fake_clock, &fake_idle};
    fn(rt);
  }
  for (std::uint64_t seed : {0u, 7u}) {
    current_runtime = seed == 0 ? "sim0" : "sim7";
    eddy::sim_runtime rt{seed};
    fn(rt);
  }
  current_runtime = "-";
}

}  // namespace fwtest

#define FW_CAT2(a, b) a##b
#define FW_CAT(a, b) FW_CAT2(a, b)
#define FW_TEST(suite, name)                                                                      \
  static void FW_CAT(suite##_, name)();                                                           \
  static fwtest::test_case FW_CAT(suite##_##name, _case){#suite, #name, &FW_CAT(suite##_, name)}; \
  static fwtest::registrar FW_CAT(suite##_##name, _reg){&FW_CAT(suite##_##name, _case)};          \
  static void FW_CAT(suite##_, name)()

#define CHECK(cond) ((cond) ? (void)0 : fwtest::check_failed(__FILE__, __LINE__, #cond))
#define CHECK_EQ(a, b)                                                          \
  do {                                                                          \
    const auto fw_a_ = (a);                                                     \
    const auto fw_b_ = (b);                                                     \
    if (!(fw_a_ == fw_b_))                                                      \
      fwtest::check_eq_failed(__FILE__, __LINE__, #a, #b, fwtest::as_ll(fw_a_), \
                              fwtest::as_ll(fw_b_));                            \
  } while (0)

namespace fwtest {
template <class T>
long long as_ll(const T& v) {
  if constexpr (std::is_enum_v<T>)
    return static_cast<long long>(v);
  else if constexpr (std::is_arithmetic_v<T>)
    return static_cast<long long>(v);
  else
    return -999999;  // not printable; the expression text says what was compared
}
}  // namespace fwtest
