// SPDX-License-Identifier: BSL-1.0
// What a spawn allocates, counted through the frame-allocator hook: the task's frame and one
// block for its state, nothing more. Every block is given back.
#include <gtest/gtest.h>

#include <cstddef>
#include <eddy/eddy.hpp>
#include <new>
#include <vector>

#include <eddy/core/detail/asan.hpp>

namespace eddy_test::unit_spawn_allocation_test {

using namespace eddy;

namespace {

struct counts {
  long allocs = 0;
  long frees = 0;
  std::size_t live_bytes = 0;
  std::size_t last_size = 0;  // the size of the latest allocation
};

void* counting_alloc(std::size_t n, void* c) noexcept {
  auto* k = static_cast<counts*>(c);
  ++k->allocs;
  k->live_bytes += n;
  k->last_size = n;
  return ::operator new(n, std::nothrow);
}
void counting_free(void* p, std::size_t n, void* c) noexcept {
  auto* k = static_cast<counts*>(c);
  ++k->frees;
  k->live_bytes -= n;
  ::operator delete(p);
}

class counting_allocator {
 public:
  counting_allocator() noexcept { set_frame_allocator({&counting_alloc, &counting_free, &c_}); }
  ~counting_allocator() { set_frame_allocator({nullptr, nullptr, nullptr}); }
  counting_allocator(const counting_allocator&) = delete;
  counting_allocator& operator=(const counting_allocator&) = delete;
  const counts& get() const noexcept { return c_; }

 private:
  counts c_;
};

[[gnu::noinline]] task<int> child(int i) {
  co_await yield_now();
  co_return i;
}

// Spawns `n` children, joins them, and reports the allocations made by the spawns alone.
task<long> spawn_and_count(const counts* c, int n) {
  std::vector<join_handle<int>> hs;
  hs.reserve(static_cast<std::size_t>(n));
  const long before = c->allocs;
  for (int i = 0; i < n; ++i) hs.push_back(spawn(child(i)));
  const long made = c->allocs - before;
  long sum = 0;
  for (auto& h : hs) sum += (co_await h).value();
  co_return sum == static_cast<long>(n) * (n - 1) / 2 ? made : -1;
}

}  // namespace

// A handle is one word (a vector of 2M handles is 16 MB, not 32).
static_assert(sizeof(join_handle<int>) == sizeof(void*));
static_assert(sizeof(join_handle<void>) == sizeof(void*));

TEST(spawn_allocation, a_spawn_allocates_its_frame_and_one_state_block) {
  constexpr int n = 100;
  counting_allocator a;
  local_runtime rt;
  const long made = rt.block_on(spawn_and_count(&a.get(), n));
  EXPECT_EQ(made, 2 * n);
}

TEST(spawn_allocation, every_block_is_given_back_after_join_abort_and_detach) {
  counting_allocator a;
  {
    local_runtime rt;
    rt.block_on([]() -> task<void> {
      auto joined = spawn(child(1));
      auto aborted = spawn([]() -> task<int> {
        co_await sleep(std::chrono::hours(1));
        co_return 0;
      }());
      spawn(child(2)).detach();
      (void)co_await joined;
      aborted.abort();
      EXPECT_EQ((co_await aborted).error().code(), errc::aborted);
    }());
  }
  EXPECT_EQ(a.get().allocs, a.get().frees);
  EXPECT_EQ(a.get().live_bytes, 0u);
}

// A join through `co_await std::move(h)` consumes the handle: the task's state block is given
// back when the join ends, not when the (now empty) handle is destroyed later.
TEST(spawn_allocation, a_consuming_join_frees_the_state_block_at_once) {
  counting_allocator a;
  local_runtime rt;
  rt.block_on([](const counts* c) -> task<void> {
    const std::size_t before = c->live_bytes;
    auto borrowed = spawn(child(1));
    auto one = co_await borrowed;
    EXPECT_EQ(one.value(), 1);
    EXPECT_EQ(c->live_bytes, before + sizeof(detail::spawned<int>));  // held by `borrowed`
    borrowed = join_handle<int>{};
    auto consumed = spawn(child(2));
    auto two = co_await std::move(consumed);
    EXPECT_EQ(two.value(), 2);
    EXPECT_EQ(c->live_bytes, before);
    EXPECT_FALSE(consumed.valid());
  }(&a.get()));
  EXPECT_EQ(a.get().allocs, a.get().frees);
}

// A task spawned with an observer (a scope's child, a task set's) carries the observer's links
// in front of its header; a plain spawn's block has no room for them.
TEST(spawn_allocation, only_an_observed_task_carries_a_link) {
  counting_allocator a;
  local_runtime rt;
  rt.block_on([](const counts* c) -> task<void> {
    auto plain = spawn(child(1));
    const std::size_t plain_block = c->last_size;
    scope s;
    auto scoped = s.spawn(child(2));
    const std::size_t scoped_block = c->last_size;
    task_set<int> set;
    set.spawn(child(3));
    const std::size_t set_block = c->last_size;
    EXPECT_EQ(plain_block, sizeof(detail::spawned<int>));
    EXPECT_EQ(scoped_block,
              plain_block + detail::task_header::link_space(alignof(detail::spawned<int>)));
    EXPECT_EQ(set_block, scoped_block);
    EXPECT_EQ((co_await plain).value() + (co_await scoped).value(), 3);
    auto third = co_await set.join_next();
    EXPECT_TRUE(third && third->has_value() && third->value() == 3);
    (void)co_await s.join();
  }(&a.get()));
  EXPECT_EQ(a.get().allocs, a.get().frees);
  EXPECT_EQ(a.get().live_bytes, 0u);
}

#if EDDY_HAS_THREADS
// The default allocator keeps freed blocks per thread and size class and hands them out again:
// a steady spawn/join loop allocates nothing. A kept block is poisoned for AddressSanitizer.
// (Without ASan, malloc's own per-thread cache may give the same address back too; under ASan,
// whose malloc quarantines freed memory, only the recycling does.)
TEST(frame_recycling, a_freed_block_is_handed_out_again_for_the_same_size_class) {
  void* a = detail::frame_try_alloc(200);
  ASSERT_NE(a, nullptr);
  detail::frame_free(a, 200);
#ifdef EDDY_ASAN
  EXPECT_TRUE(__asan_address_is_poisoned(a));  // a use after free still shows
#endif
  void* b = detail::frame_try_alloc(196);  // the same 16-byte class
  EXPECT_EQ(b, a);
#ifdef EDDY_ASAN
  EXPECT_FALSE(__asan_address_is_poisoned(b));
  EXPECT_TRUE(__asan_address_is_poisoned(static_cast<char*>(b) + 200));  // past the request
#endif
  void* c = detail::frame_try_alloc(4096);  // above the cached sizes: plain operator new
  ASSERT_NE(c, nullptr);
  detail::frame_free(c, 4096);
  detail::frame_free(b, 196);
}

#endif

}  // namespace eddy_test::unit_spawn_allocation_test
