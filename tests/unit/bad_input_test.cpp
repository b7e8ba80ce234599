// SPDX-License-Identifier: BSL-1.0
// Bad input gets a defined answer.
#include <gtest/gtest.h>

#include <eddy/eddy.hpp>

namespace eddy_test::unit_bad_input_test {

using namespace eddy;
using namespace std::chrono_literals;

#if EDDY_HAS_EXCEPTIONS
TEST(bad_input, thread_pool_of_zero_threads_is_a_clear_error) {
  EXPECT_THROW(thread_pool{0}, panic_error);
}

TEST(bad_input, spawn_outside_any_runtime_is_a_clear_error) {
  EXPECT_THROW(spawn([]() -> task<void> { co_return; }()), panic_error);
}

TEST(bad_input, spawn_of_moved_from_task_is_a_clear_error) {
  local_runtime rt;
  auto t = []() -> task<void> { co_return; }();
  auto t2 = std::move(t);
  EXPECT_THROW(spawn(rt.get_executor(), std::move(t)), panic_error);  // NOLINT
}

TEST(bad_input, result_value_on_error_panics) {
  result<int> r{errc::closed};
  EXPECT_THROW(r.value(), panic_error);
  EXPECT_THROW((void)result<int>{7}.error(), panic_error);
}

TEST(bad_input, block_on_inside_a_task_panics) {
  local_runtime rt;
  local_runtime other;
  bool threw = false;
  rt.block_on([](local_runtime* other, bool* threw) -> task<void> {
    try {
      other->block_on([]() -> task<void> { co_return; }());
    } catch (const panic_error&) {
      *threw = true;
    }
    co_return;
  }(&other, &threw));
  EXPECT_TRUE(threw);
}
#endif

TEST(bad_input, now_outside_runtime_has_no_executor) {
  EXPECT_FALSE(current_executor());
}

TEST(error, messages_and_equality) {
  error e{errc::lagged, 3};
  EXPECT_EQ(e.count(), 3u);
  EXPECT_STREQ(e.message(), "lagged");
  EXPECT_TRUE(e == errc::lagged);
  EXPECT_STREQ(error(errc::user, 0, "custom").message(), "custom");
  for (int c = 1; c <= static_cast<int>(errc::out_of_memory); ++c)
    EXPECT_STRNE(to_string(static_cast<errc>(c)), "unknown error");
}

TEST(result, holds_value_or_error_and_moves) {
  result<std::string> a{std::string("x")};
  result<std::string> b{errc::closed};
  EXPECT_TRUE(a.has_value());
  EXPECT_FALSE(b.has_value());
  b = a;
  EXPECT_EQ(b.value(), "x");
  result<std::string> c = std::move(a);
  EXPECT_EQ(*c, "x");
  EXPECT_EQ(result<int>(errc::empty).value_or(4), 4);
  result<void> v;
  EXPECT_TRUE(v.has_value());
  result<void> ve{errc::aborted};
  EXPECT_EQ(ve.error().code(), errc::aborted);
}

}  // namespace eddy_test::unit_bad_input_test
