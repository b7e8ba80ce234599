// SPDX-License-Identifier: BSL-1.0
// The terminals (reduce, count, first, last, element_at, to_vector) and default_if_empty:
// values, errors (the first error item ends a terminal), composition, the empty stream
// (errc::empty when the value asked for never came) and bad input, over a synchronous range,
// a plain awaitable, an asynchronous generator and a stage chain, on local and sim runtimes.
#include <stdexcept>
#include <string>
#include <vector>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::terminals_test {
namespace {

const error invalid{errc::invalid_argument};
const error empty_error{errc::empty};
const error exception_error{errc::exception};

/// A terminal's `result<T>` as an `item<T>` (comparable and printable).
template <class T>
item<T> I(result<T> r) {
  if (r.has_value()) return item<T>(std::move(r).value());
  return item<T>(r.error());
}
/// The expected success of a terminal.
template <class T>
item<T> R(T v) {
  return item<T>(std::move(v));
}
/// The expected failure of a terminal.
template <class T>
item<T> RE(error e) {
  return item<T>(std::move(e));
}

/// `build(source) | terminal` over the input given four ways; every way must give `expected`.
template <class T, class Build, class U>
void check_terminal(const items<T>& input, Build build, const item<U>& expected) {
  auto run = [&](auto& f) {
    EXPECT_EQ(I(f.block_on(build(from_range(items<T>(input))))), expected) << "sync range";
    EXPECT_EQ(I(f.block_on(build(plain_source<T>(input)))), expected) << "plain awaitable";
    EXPECT_EQ(I(f.block_on(build(async_items<T>(input)))), expected) << "async generator";
    EXPECT_EQ(I(f.block_on(build(async_items<T>(input) | map([](T x) { return x; })))), expected)
        << "stage chain over an async generator";
  };
  {
    SCOPED_TRACE("local_runtime");
    eddy_test::local_fixture f;
    run(f);
  }
  {
    SCOPED_TRACE("sim_runtime");
    eddy_test::sim_fixture f;
    run(f);
  }
}

// ---------------------------------------------------------------- count
TEST(TerminalCount, CountsValuesUntilTheEnd) {
  check_terminal(
      items<int>{4, 5, 6}, [](auto s) { return std::move(s) | count(); }, R<std::uint64_t>(3));
  check_terminal(
      items<int>{}, [](auto s) { return std::move(s) | count(); }, R<std::uint64_t>(0));
  check_terminal(
      items<int>{1, E(2), 3}, [](auto s) { return std::move(s) | count(); },
      RE<std::uint64_t>(E(2)));
  check_terminal(
      items<int>{1, 2, 3, 4, 5},
      [](auto s) { return std::move(s) | filter([](int x) { return x % 2 == 1; }) | count(); },
      R<std::uint64_t>(3));
}

// ---------------------------------------------------------------- first
TEST(TerminalFirst, TheFirstValueWithoutPullingFurther) {
  check_terminal(
      items<int>{7, 8}, [](auto s) { return std::move(s) | first(); }, R(7));
  check_terminal(
      items<int>{}, [](auto s) { return std::move(s) | first(); }, RE<int>(empty_error));
  check_terminal(
      items<int>{E(1), 7}, [](auto s) { return std::move(s) | first(); }, RE<int>(E(1)));
  check_terminal(
      items<int>{7, E(1)}, [](auto s) { return std::move(s) | first(); }, R(7));
  // stops pulling: a later side effect never runs
  local_runtime rt;
  int pulled = 0;
  auto r = rt.block_on(from_items<int>({1, 2, 3}) | tap([&](int) { ++pulled; }) | first());
  EXPECT_EQ(I(std::move(r)), R(1));
  EXPECT_EQ(pulled, 1);
  EXPECT_EQ(I(rt.block_on(empty<int>() | default_if_empty(9) | first())), R(9));
}

// ---------------------------------------------------------------- last
TEST(TerminalLast, TheLastValueAtTheEnd) {
  check_terminal(
      items<int>{7, 8, 9}, [](auto s) { return std::move(s) | last(); }, R(9));
  check_terminal(
      items<int>{}, [](auto s) { return std::move(s) | last(); }, RE<int>(empty_error));
  check_terminal(
      items<int>{7, E(3), 8}, [](auto s) { return std::move(s) | last(); }, RE<int>(E(3)));
  check_terminal(
      items<int>{1, 2, 3}, [](auto s) { return std::move(s) | take(2) | last(); }, R(2));
  local_runtime rt;
  EXPECT_EQ(I(rt.block_on(from_items<std::string>({"a", "bc"}) | last())), R(std::string("bc")));
}

// ---------------------------------------------------------------- element_at
TEST(TerminalElementAt, TheValueAtAnIndexCountingValuesOnly) {
  check_terminal(
      items<int>{5, 6, 7}, [](auto s) { return std::move(s) | element_at(1); }, R(6));
  check_terminal(
      items<int>{5, 6, 7}, [](auto s) { return std::move(s) | element_at(0u); }, R(5));
  check_terminal(
      items<int>{5, 6, 7}, [](auto s) { return std::move(s) | element_at(3); },
      RE<int>(empty_error));
  check_terminal(
      items<int>{5, E(4), 6}, [](auto s) { return std::move(s) | element_at(1); }, RE<int>(E(4)));
  check_terminal(
      items<int>{}, [](auto s) { return std::move(s) | element_at(0); }, RE<int>(empty_error));
  check_terminal(
      items<int>{1, 2, 3, 4},
      [](auto s) { return std::move(s) | map([](int x) { return x * x; }) | element_at(2); }, R(9));
}

TEST(TerminalElementAt, ANegativeIndexIsInvalidWithoutPulling) {
  local_runtime rt;
  int pulled = 0;
  auto r = rt.block_on(from_items<int>({1, 2}) | tap([&](int) { ++pulled; }) | element_at(-1));
  EXPECT_EQ(I(std::move(r)), RE<int>(invalid));
  EXPECT_EQ(pulled, 0);
}

// ---------------------------------------------------------------- to_vector
TEST(TerminalToVector, EveryValueInOrder) {
  using vi = std::vector<int>;
  check_terminal(
      items<int>{1, 2, 3}, [](auto s) { return std::move(s) | to_vector(); }, R(vi{1, 2, 3}));
  check_terminal(
      items<int>{}, [](auto s) { return std::move(s) | to_vector(); }, R(vi{}));
  check_terminal(
      items<int>{1, E(5), 3}, [](auto s) { return std::move(s) | to_vector(); }, RE<vi>(E(5)));
  check_terminal(
      items<int>{1, 2, 3},
      [](auto s) { return std::move(s) | skip(1) | start_with(9) | to_vector(); }, R(vi{9, 2, 3}));
}

// ---------------------------------------------------------------- reduce
TEST(TerminalReduce, WithASeed) {
  auto plus = [](long a, int x) { return a + x; };
  check_terminal(
      items<int>{1, 2, 3}, [=](auto s) { return std::move(s) | reduce(10L, plus); }, R(16L));
  check_terminal(
      items<int>{}, [=](auto s) { return std::move(s) | reduce(10L, plus); }, R(10L));
  check_terminal(
      items<int>{1, E(9), 3}, [=](auto s) { return std::move(s) | reduce(10L, plus); },
      RE<long>(E(9)));
  local_runtime rt;
  auto joined =
      rt.block_on(from_items<int>({1, 2, 3}) | reduce(std::string(">"), [](std::string a, int x) {
                    return std::move(a) + std::to_string(x);
                  }));
  EXPECT_EQ(I(std::move(joined)), R(std::string(">123")));
}

TEST(TerminalReduce, WithoutASeed) {
  auto mul = [](int a, int x) { return a * x; };
  check_terminal(
      items<int>{2, 3, 4}, [=](auto s) { return std::move(s) | reduce(mul); }, R(24));
  check_terminal(
      items<int>{5}, [=](auto s) { return std::move(s) | reduce(mul); }, R(5));
  check_terminal(
      items<int>{}, [=](auto s) { return std::move(s) | reduce(mul); }, RE<int>(empty_error));
  check_terminal(
      items<int>{}, [=](auto s) { return std::move(s) | default_if_empty(1) | reduce(mul); }, R(1));
}

#if EDDY_HAS_EXCEPTIONS
TEST(TerminalReduce, AThrowingFunctionEndsItWithTheException) {
  local_runtime rt;
  int pulled = 0;
  auto r = rt.block_on(from_items<int>({1, 2, 3}) | tap([&](int) { ++pulled; }) |
                       reduce([](int a, int x) -> int {
                         if (x == 2) throw std::runtime_error("two");
                         return a + x;
                       }));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), exception_error);
  EXPECT_STREQ(r.error().message(), "two");
  EXPECT_EQ(pulled, 2);
}
#endif

// ---------------------------------------------------------------- default_if_empty
TEST(TerminalDefaultIfEmpty, EmitsTheDefaultOnlyForAStreamWithoutValues) {
  check_all(
      items<int>{}, [](auto s) { return std::move(s) | default_if_empty(7); }, items<int>{7});
  check_all(
      items<int>{E(1), E(2)}, [](auto s) { return std::move(s) | default_if_empty(7); },
      items<int>{E(1), E(2), 7});
  check_all(
      items<int>{1, E(1), 2}, [](auto s) { return std::move(s) | default_if_empty(7); },
      items<int>{1, E(1), 2});
  check_all(
      items<int>{1, 2, 3},
      [](auto s) {
        return std::move(s) | filter([](int x) { return x > 5; }) | default_if_empty(0) |
               map([](int x) { return x + 1; });
      },
      items<int>{1});
}

TEST(TerminalDefaultIfEmpty, OnVirtualTimeTheDefaultComesAtTheEnd) {
  sim_runtime sim{14};
  auto s = timed_source<std::string>({{10, E(3)}, {30, std::nullopt}}) | default_if_empty("none");
  EXPECT_EQ(sim.block_on(marble(std::move(s))),
            (std::vector<seen<std::string>>{Err<std::string>(10, 3), V(30, std::string("none")),
                                            End<std::string>(30)}));
}

}  // namespace
}  // namespace eddy_stream_test::terminals_test
