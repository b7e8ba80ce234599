// SPDX-License-Identifier: BSL-1.0
// Sources: from_range, from_items, just, empty, generator, from_receiver (mpsc and a test
// double), any_stream; plus cancel safety of a next() destroyed mid-flight.
#include <eddy/sync/mpsc.hpp>
#include <memory>
#include <stdexcept>
#include <string>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::sources_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class sources : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(sources, op_runtimes, eddy_test::runtime_names);

namespace {
using vi = std::vector<int>;
}

// ---------------------------------------------------------------- from_range / from_items
TYPED_TEST(sources, from_range_borrows_an_lvalue_and_copies) {
  std::vector<std::string> v{"a", "b"};
  auto out = this->f.block_on(collect(from_range(v)));
  EXPECT_EQ(out, (items<std::string>{"a", "b"}));
  EXPECT_EQ(v, (std::vector<std::string>{"a", "b"}));  // copied, not moved out
}
TYPED_TEST(sources, from_range_owns_an_rvalue_and_survives_moves_midway) {
  auto s = from_range(std::vector<std::string>{"a", "b", "c"});
  auto out = this->f.block_on([](auto* s) -> task<items<std::string>> {
    items<std::string> got;
    auto r = co_await s->next();
    got.push_back(std::move(*r));
    auto moved = std::move(*s);  // the position survives the move
    while (auto x = co_await moved.next()) got.push_back(std::move(*x));
    co_return got;
  }(&s));
  EXPECT_EQ(out, (items<std::string>{"a", "b", "c"}));
}
TYPED_TEST(sources, from_range_of_items_and_from_items) {
  check_all(
      this->f, items<int>{1, E(2), 3}, [](auto s) { return s; }, items<int>{1, E(2), 3});
  auto out = this->f.block_on(collect(from_items<int>({1, errc::closed, error{errc::user, 9}})));
  EXPECT_EQ(out, (items<int>{1, error{errc::closed}, E(9)}));
}
TYPED_TEST(sources, from_range_is_fused) {
  auto out = this->f.block_on([]() -> task<int> {
    auto s = from_items<int>({1});
    int ends = 0;
    for (int i = 0; i < 4; ++i) {
      auto r = co_await s.next();
      if (!r) ++ends;
    }
    co_return ends;
  }());
  EXPECT_EQ(out, 3);
}

// ---------------------------------------------------------------- just / empty
TYPED_TEST(sources, just_and_empty) {
  EXPECT_EQ(this->f.block_on(collect(just(7))), (L(7)));
  EXPECT_EQ(this->f.block_on(collect(just(item<int>(E(3))))), (items<int>{E(3)}));
  EXPECT_EQ(this->f.block_on(collect(empty<int>())), (items<int>{}));
  EXPECT_EQ(this->f.block_on(collect_subscribe(just(std::string("x")) |
                                               map([](std::string s) { return s + "y"; }))),
            (items<std::string>{"xy"}));
  EXPECT_EQ(this->f.block_on(collect_subscribe(empty<int>() | start_with(1))), (L(1)));
}

// ---------------------------------------------------------------- generator
namespace {
generator<int> ticks(int n) {
  for (int i = 0; i < n; ++i) {
    co_await sleep(10ms);
    co_yield i;
  }
  co_yield error{errc::user, 7};
}
}  // namespace

TYPED_TEST(sources, generator_yields_values_and_errors_with_awaits_inside) {
  auto out = this->f.block_on(collect(ticks(3)));
  EXPECT_EQ(out, (items<int>{0, 1, 2, E(7)}));
}
TYPED_TEST(sources, generator_runs_inside_the_consumers_task) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto* me = detail::current_task();
    auto g = [](detail::task_header* me) -> generator<bool> {
      co_yield detail::current_task() == me;
      co_await yield_now();
      co_yield detail::current_task() == me;
    }(me);
    bool all = true;
    int n = 0;
    while (auto r = co_await g.next()) {
      all = all && r->value();
      ++n;
    }
    co_return all&& n == 2;
  }());
  EXPECT_TRUE(ok);
}
TYPED_TEST(sources, generator_virtual_time_is_exact) {
  if constexpr (TypeParam::virtual_time) {
    auto t = this->f.block_on([]() -> task<duration> {
      auto t0 = now();
      auto out = co_await collect(ticks(5));
      EXPECT_EQ(out.size(), 6u);
      co_return now() - t0;
    }());
    EXPECT_EQ(t, duration(50ms));
  }
}
#if EDDY_HAS_EXCEPTIONS
TYPED_TEST(sources, generator_exception_becomes_one_error_then_end) {
  auto g = []() -> generator<int> {
    co_yield 1;
    throw std::runtime_error("boom");
  };
  auto out = this->f.block_on(collect(g()));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], item<int>(1));
  ASSERT_TRUE(out[1].is_error());
  EXPECT_EQ(out[1].error().code(), errc::exception);
  EXPECT_THROW(out[1].error().rethrow(), std::runtime_error);
}
#endif
TYPED_TEST(sources, generator_cancelled_mid_await_runs_destructors_and_then_reports_aborted) {
  int destroyed = 0;
  auto out = this->f.block_on([](int* destroyed) -> task<items<int>> {
    auto g = [](int* destroyed) -> generator<int> {
      struct guard {
        int* d;
        ~guard() { ++*d; }
      } gd{destroyed};
      co_yield 1;
      co_await sleep(1h);  // cancelled here by the timeout below
      co_yield 2;
    }(destroyed);
    items<int> got;
    auto a = co_await g.next();
    got.push_back(std::move(*a));
    auto t = co_await timeout(5ms, g.next());
    EXPECT_FALSE(t.has_value());
    while (auto r = co_await g.next()) got.push_back(std::move(*r));
    co_return got;
  }(&destroyed));
  EXPECT_EQ(out, (items<int>{1, error{errc::aborted}}));
  EXPECT_EQ(destroyed, 1);
}
TYPED_TEST(sources, generator_composes_with_operators) {
  check_all(
      this->f, items<int>{1, 2, 3, 4},
      [](auto s) {
        return [](auto s) -> generator<int> {
          while (auto r = co_await s.next()) {
            if (r->is_value())
              co_yield r->value() * 2;
            else
              co_yield std::move(*r);
          }
        }(std::move(s)) | filter([](int x) { return x > 2; });
      },
      items<int>{4, 6, 8});
}

// ---------------------------------------------------------------- from_receiver
namespace {
/// A test double: any type with `recv()` giving an awaitable of `std::optional<V>`.
struct fake_receiver {
  std::vector<int> data;
  std::size_t i = 0;
  task<std::optional<int>> recv() {
    co_await yield_now();
    if (i == data.size()) co_return std::nullopt;
    co_return data[i++];
  }
};
}  // namespace

TYPED_TEST(sources, from_receiver_over_a_test_double) {
  auto out = this->f.block_on(
      collect(from_receiver(fake_receiver{{1, 2, 3}}) | map([](int x) { return x + 1; })));
  EXPECT_EQ(out, (items<int>{2, 3, 4}));
  auto out2 = this->f.block_on(collect_subscribe(from_receiver(fake_receiver{{5, 6}}) |
                                                 filter([](int x) { return x > 5; })));
  EXPECT_EQ(out2, (L(6)));
}
TYPED_TEST(sources, from_receiver_over_mpsc) {
  auto out = this->f.block_on([]() -> task<items<int>> {
    auto [tx, rx] = mpsc::channel<int>(2);
    auto producer = spawn([](mpsc::sender<int> tx) -> task<void> {
      for (int i = 0; i < 10; ++i) {
        auto r = co_await tx.send(i);
        EXPECT_TRUE(r.has_value());
        if (i % 3 == 0) co_await sleep(1ms);
      }
    }(std::move(tx)));
    auto got =
        co_await collect(from_receiver(std::move(rx)) | filter([](int x) { return x % 2 == 0; }));
    auto joined_producer = co_await producer;
    EXPECT_TRUE(joined_producer.has_value());
    co_return got;
  }());
  EXPECT_EQ(out, (items<int>{0, 2, 4, 6, 8}));
}
TYPED_TEST(sources, from_receiver_of_items_carries_errors) {
  auto out = this->f.block_on([]() -> task<items<int>> {
    auto [tx, rx] = mpsc::unbounded_channel<item<int>>();
    EXPECT_TRUE(tx.try_send(item<int>(1)).has_value());
    EXPECT_TRUE(tx.try_send(item<int>(E(4))).has_value());
    EXPECT_TRUE(tx.try_send(item<int>(2)).has_value());
    { auto drop = std::move(tx); }
    co_return co_await collect_subscribe(from_receiver(std::move(rx)));
  }());
  EXPECT_EQ(out, (items<int>{1, E(4), 2}));
}
TYPED_TEST(sources, cancelled_next_through_stages_loses_nothing) {
  // timeout destroys an in-flight next() of filter(map(from_receiver)) while it waits in recv;
  // the item sent afterwards is still delivered by the next call.
  auto out = this->f.block_on([]() -> task<items<int>> {
    auto [tx, rx] = mpsc::channel<int>(4);
    auto s = from_receiver(std::move(rx)) | map([](int x) { return x * 10; }) |
             filter([](int x) { return x != 20; });
    items<int> got;
    auto first = co_await timeout(2ms, s.next());  // nothing sent yet: cancelled
    EXPECT_FALSE(first.has_value());
    EXPECT_TRUE(tx.try_send(1).has_value());
    EXPECT_TRUE(tx.try_send(2).has_value());  // filtered out
    EXPECT_TRUE(tx.try_send(3).has_value());
    auto a = co_await timeout(1s, s.next());
    if (a && *a) got.push_back(std::move(**a));
    auto b = co_await timeout(2ms, s.next());  // 2 is dropped by the filter, 3 arrives
    if (b && *b) got.push_back(std::move(**b));
    auto c = co_await timeout(2ms, s.next());  // waits (pump frame suspended), cancelled
    EXPECT_FALSE(c.has_value());
    EXPECT_TRUE(tx.try_send(4).has_value());
    { auto drop = std::move(tx); }
    while (auto r = co_await s.next()) got.push_back(std::move(*r));
    co_return got;
  }());
  EXPECT_EQ(out, (items<int>{10, 30, 40}));
}

TYPED_TEST(sources, timeout_around_next_of_a_receiver_and_of_an_any_stream) {
  // timeout asks await_ready first and then moves the awaiter into its task: both awaiters
  // must allow that, and the cancelled waits must lose nothing
  auto out = this->f.block_on([]() -> task<items<int>> {
    auto [tx, rx] = mpsc::channel<int>(4);
    auto direct = from_receiver(std::move(rx));
    items<int> got;
    auto a = co_await timeout(2ms, direct.next());
    EXPECT_FALSE(a.has_value());
    EXPECT_TRUE(tx.try_send(5).has_value());
    auto b = co_await timeout(2ms, direct.next());
    if (b && *b) got.push_back(std::move(**b));
    any_stream<int> erased(std::move(direct));
    auto c = co_await timeout(2ms, erased.next());
    EXPECT_FALSE(c.has_value());
    EXPECT_TRUE(tx.try_send(6).has_value());
    { auto drop = std::move(tx); }
    while (auto r = co_await erased.next()) got.push_back(std::move(*r));
    co_return got;
  }());
  EXPECT_EQ(out, (items<int>{5, 6}));
}

// ---------------------------------------------------------------- any_stream
TYPED_TEST(sources, any_stream_erases_and_composes) {
  std::vector<any_stream<int>> v;
  v.emplace_back(from_items<int>({1, 2}));
  v.emplace_back(async_items<int>({3, E(1)}) | map([](int x) { return x * 2; }));
  v.emplace_back(from_receiver(fake_receiver{{7}}));
  items<int> all;
  for (auto& s : v) {
    auto out = this->f.block_on(collect(std::move(s) | filter([](int x) { return x != 2; })));
    all.insert(all.end(), out.begin(), out.end());
  }
  EXPECT_EQ(all, (items<int>{1, 6, E(1), 7}));
  any_stream<int> empty_one;
  EXPECT_TRUE(this->f.block_on(collect(std::move(empty_one))).empty());
  check_all(
      this->f, items<int>{1, 2, 3}, [](auto s) { return any_stream<int>(std::move(s)) | take(2); },
      items<int>{1, 2});
}

// ---------------------------------------------------------------- allocation
namespace {
std::atomic<long> g_frames{0};
void* counting_alloc(std::size_t n, void*) noexcept {
  g_frames.fetch_add(1);
  return ::operator new(n, std::nothrow);
}
void counting_free(void* p, std::size_t n, void*) noexcept {
  static_cast<void>(n);
  ::operator delete(p);
}
}  // namespace

TYPED_TEST(sources, looping_stages_reuse_their_frame) {
  // filter/skip over an always-suspending source: frames are allocated per stream, not per item
  auto run = [this](int n) {
    g_frames = 0;
    set_frame_allocator({&counting_alloc, &counting_free, nullptr});
    auto out = this->f.block_on([](int n) -> task<std::size_t> {
      items<int> in;
      for (int i = 0; i < n; ++i) in.push_back(i);
      auto s = async_items<int>(std::move(in)) | filter([](int x) { return x % 3 != 0; }) |
               skip(1) | map([](int x) { return x; });
      std::size_t c = 0;
      while (auto r = co_await s.next()) ++c;
      co_return c;
    }(n));
    set_frame_allocator({nullptr, nullptr, nullptr});
    EXPECT_EQ(out, static_cast<std::size_t>(n - (n + 2) / 3 - 1));
    return g_frames.load();
  };
  const long small = run(10);
  const long large = run(1000);
  EXPECT_EQ(small, large);
}

}  // namespace eddy_stream_test::sources_test
