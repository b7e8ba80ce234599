// SPDX-License-Identifier: BSL-1.0
// eddy::arena and the out-of-memory path of the frame allocator (firmware feature, tested
// natively too): a spawn whose frame cannot be allocated joins to errc::out_of_memory.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <eddy/core/arena.hpp>
#include <eddy/eddy.hpp>
#include <vector>

namespace eddy_test::unit_arena_test {

using namespace eddy;

namespace {

/// Installs an arena for the test's lifetime and restores the default allocator after.
class arena_guard {
 public:
  explicit arena_guard(arena& a) noexcept { a.install(); }
  ~arena_guard() { set_frame_allocator({nullptr, nullptr, nullptr}); }
  arena_guard(const arena_guard&) = delete;
  arena_guard& operator=(const arena_guard&) = delete;
};

task<int> answer() {
  co_return 42;
}
// noinline: clang elides (HALO) the frame of a coroutine whose ramp is inlined; this one must
// really be allocated.
[[gnu::noinline]] task<int> big_frame(int seed = 1) {
  int buf[1024];  // lives across the suspension: a 4 KiB frame
  for (int i = 0; i < 1024; ++i) buf[i] = i * seed;
  co_await yield_now();
  int sum = 0;
  for (int v : buf) sum += v;
  co_return sum;
}

}  // namespace

TEST(arena, blocks_are_aligned_and_distinct) {
  static_arena<4096> a;
  std::vector<void*> ps;
  for (std::size_t n : {1, 7, 16, 24, 100, 300, 1000}) {
    void* p = a.allocate(n);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % arena::granule, 0u);
    EXPECT_TRUE(a.owns(p));
    ps.push_back(p);
  }
  for (std::size_t i = 0; i < ps.size(); ++i)
    for (std::size_t j = i + 1; j < ps.size(); ++j) EXPECT_NE(ps[i], ps[j]);
  EXPECT_EQ(a.blocks(), ps.size());
}

TEST(arena, freed_blocks_are_reused_without_growing) {
  static_arena<4096> a;
  void* p = a.allocate(200);
  ASSERT_NE(p, nullptr);
  const std::size_t hw = a.high_water();
  a.deallocate(p, 200);
  EXPECT_EQ(a.in_use(), 0u);
  for (int i = 0; i < 1000; ++i) {
    void* q = a.allocate(200);
    EXPECT_EQ(q, p);
    a.deallocate(q, 200);
  }
  EXPECT_EQ(a.high_water(), hw);
}

TEST(arena, exhaustion_returns_null_and_counts) {
  static_arena<1024> a;
  std::vector<void*> ps;
  while (void* p = a.allocate(64)) ps.push_back(p);
  EXPECT_EQ(ps.size(), a.capacity() / 64);
  EXPECT_EQ(a.failures(), 1u);
  EXPECT_EQ(a.allocate(a.capacity() + 1), nullptr);
  EXPECT_EQ(a.allocate(static_cast<std::size_t>(-1)), nullptr);
  EXPECT_EQ(a.failures(), 3u);
  a.deallocate(ps.back(), 64);
  EXPECT_NE(a.allocate(64), nullptr);
}

TEST(arena, larger_free_block_is_reused_when_bump_space_is_gone) {
  static_arena<1024> a;
  void* big = a.allocate(512);
  ASSERT_NE(big, nullptr);
  while (a.allocate(256)) {
  }
  a.deallocate(big, 512);
  EXPECT_EQ(a.allocate(100), big);
}

TEST(arena, size_classes_cover_every_size) {
  for (std::size_t n = 1; n <= 20000; n += 37) {
    std::vector<unsigned char> buf(2 * n + 3 * arena::granule);  // the worst class rounds up 4/3
    arena a(buf.data() + 1, buf.size() - 1);                     // misaligned on purpose
    void* p = a.allocate(n);
    ASSERT_NE(p, nullptr) << n;
    std::memset(p, 0xab, n);  // ASan checks that the block is really inside the buffer
    a.deallocate(p, n);
    EXPECT_EQ(a.allocate(n), p);
  }
}

TEST(arena, sized_blocks_for_a_global_new_keep_alignment_and_free_without_size) {
  static_arena<8192> a;
  for (std::size_t align : {std::size_t{1}, arena::granule, std::size_t{32}, std::size_t{64}}) {
    void* p = a.allocate_with_size(100, align);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % std::max(align, arena::granule), 0u);
    std::memset(p, 0xcd, 100);
    a.deallocate_with_size(p);
  }
  EXPECT_EQ(a.in_use(), 0u);
  EXPECT_EQ(a.blocks(), 0u);
  EXPECT_EQ(a.allocate_with_size(a.capacity()), nullptr);  // the header does not fit
  a.deallocate_with_size(nullptr);
}

TEST(arena, frames_come_from_the_arena) {
  static_arena<16 * 1024> a;
  {
    arena_guard g(a);
    local_runtime rt;
    EXPECT_EQ(rt.block_on(answer()), 42);
    EXPECT_GT(a.high_water(), 0u);
  }
  EXPECT_EQ(a.blocks(), 0u);
  EXPECT_EQ(a.failures(), 0u);
}

TEST(arena, spawn_out_of_memory_joins_to_out_of_memory) {
  static_arena<2048> a;  // room for small frames, not for big_frame()
  arena_guard g(a);
  sim_runtime rt;
  auto r = rt.block_on([]() -> task<result<int>> {
    auto ok = spawn(answer());
    auto too_big = spawn(big_frame());
    EXPECT_TRUE(too_big.is_finished());
    EXPECT_FALSE(too_big.valid());
    auto r1 = co_await ok;
    auto r2 = co_await too_big;
    auto r3 = co_await too_big;  // the error is handed out once
    EXPECT_TRUE(r1.has_value());
    EXPECT_FALSE(r2.has_value());
    if (!r2.has_value()) {
      EXPECT_EQ(r2.error().code(), errc::out_of_memory);
    }
    EXPECT_FALSE(r3.has_value());
    if (!r3.has_value()) {
      EXPECT_EQ(r3.error().code(), errc::invalid_argument);
    }
    co_return r1;
  }());
  EXPECT_EQ(r.value(), 42);
  EXPECT_GE(a.failures(), 1u);
}

TEST(arena, block_on_out_of_memory_is_an_error_value) {
  static_arena<2048> a;
  arena_guard g(a);
  local_runtime rt;
  auto r = rt.try_block_on(big_frame());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::out_of_memory);
  auto ok = rt.try_block_on(answer());  // the arena still serves what fits
  EXPECT_EQ(ok.value(), 42);
}

TEST(arena, out_of_memory_task_is_marked) {
  static_arena<2048> a;
  arena_guard g(a);
  task<int> t = big_frame();
  EXPECT_FALSE(t.valid());
  EXPECT_TRUE(t.out_of_memory());
  task<int> moved = std::move(t);
  EXPECT_TRUE(moved.out_of_memory());
  EXPECT_FALSE(t.out_of_memory());
}

#if EDDY_HAS_EXCEPTIONS
TEST(arena, awaiting_or_timing_out_an_unallocated_task_panics) {
  static_arena<2048> a;
  arena_guard g(a);
  local_runtime rt;
  EXPECT_THROW(rt.block_on([]() -> task<int> { co_return co_await big_frame(); }()), panic_error);
  EXPECT_THROW(rt.block_on([]() -> task<void> {
    auto r = co_await timeout(std::chrono::milliseconds(5), big_frame());
    (void)r;
  }()),
               panic_error);
}
#endif

TEST(arena, scope_records_out_of_memory_as_child_error) {
  static_arena<4096> a;
  arena_guard g(a);
  sim_runtime rt;
  auto r = rt.block_on([]() -> task<result<void>> {
    scope s{scope_policy::wait_all};
    auto h = s.spawn(big_frame());
    EXPECT_TRUE(h.is_finished());
    auto small = s.spawn(answer());
    co_return co_await s.join();
  }());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::out_of_memory);
}

}  // namespace eddy_test::unit_arena_test
