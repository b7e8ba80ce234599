// SPDX-License-Identifier: BSL-1.0
// The small-block pool behind the default frame allocator: blocks of one class come from
// chunks of that class, a freed block is handed out again first, an emptied chunk stays warm
// (one spare per class, the rest for any class) and goes back to the system once it has been
// warm for `keep_ns` (on the pool's clock: a fake one here), a chunk is reused before new space,
// blocks may be freed on another thread, and a block the pool holds is poisoned for
// AddressSanitizer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <eddy/core/detail/block_pool.hpp>
#include <eddy/eddy.hpp>
#include <set>
#include <vector>

#if EDDY_HAS_THREADS
#include <thread>

#include <eddy/core/detail/asan.hpp>

namespace eddy_test::unit_block_pool_test {

using eddy::detail::block_pool;

namespace {

constexpr std::size_t cls = block_pool::class_of(216);  // a spawned<std::uint64_t>'s block
constexpr std::size_t size = block_pool::block_size(cls);
// Whole blocks of `cls` in one chunk (the chunk's header takes at most 64 bytes).
constexpr std::size_t min_per_chunk = (block_pool::chunk_size - 64) / size;

std::uintptr_t chunk_of(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p) & ~std::uintptr_t{block_pool::chunk_size - 1};
}

// The pools below that give chunks back run on this clock (nanoseconds), moved by hand.
std::int64_t g_now = 0;
std::int64_t fake_now() noexcept {
  return g_now;
}

std::vector<void*> take(block_pool& pool, std::size_t c, std::size_t n) {
  std::vector<void*> v(n);
  EXPECT_EQ(pool.allocate(c, v.data(), n), n);
  return v;
}

}  // namespace

TEST(block_pool, blocks_are_distinct_aligned_and_writable) {
  block_pool pool;
  auto v = take(pool, cls, 3 * min_per_chunk);
  std::set<std::uintptr_t> seen;
  std::set<std::uintptr_t> chunks;
  for (void* p : v) {
    const auto a = reinterpret_cast<std::uintptr_t>(p);
    EXPECT_EQ(a % alignof(std::max_align_t), 0u);
    EXPECT_TRUE(seen.insert(a).second);
    chunks.insert(chunk_of(p));
    std::memset(p, 0xab, size);  // the whole block is the caller's
  }
  // No two blocks overlap: sorted, each starts at least `size` after the previous one.
  std::vector<std::uintptr_t> sorted(seen.begin(), seen.end());
  for (std::size_t i = 1; i < sorted.size(); ++i) EXPECT_GE(sorted[i] - sorted[i - 1], size);
  EXPECT_EQ(chunks.size(), pool.chunks_in_use());
  EXPECT_GE(chunks.size(), 3u);
  EXPECT_LE(chunks.size(), 4u);
  pool.deallocate(cls, v.data(), v.size());
}

TEST(block_pool, a_freed_block_is_handed_out_again_first) {
  block_pool pool;
  auto v = take(pool, cls, 10);
  pool.deallocate(cls, &v[4], 1);
  void* again = nullptr;
  ASSERT_EQ(pool.allocate(cls, &again, 1), 1u);
  EXPECT_EQ(again, v[4]);
  pool.deallocate(cls, v.data(), v.size());
}

TEST(block_pool, classes_never_share_a_chunk) {
  block_pool pool;
  auto a = take(pool, 0, 5);
  auto b = take(pool, block_pool::class_count - 1, 5);
  for (void* p : a)
    for (void* q : b) EXPECT_NE(chunk_of(p), chunk_of(q));
  EXPECT_EQ(pool.chunks_in_use(), 2u);
  pool.deallocate(0, a.data(), a.size());
  pool.deallocate(block_pool::class_count - 1, b.data(), b.size());
}

TEST(block_pool, emptied_chunks_stay_warm_then_go_back_but_one_spare_per_class) {
  block_pool pool{&fake_now};
  g_now = 0;
  auto v = take(pool, cls, 4 * min_per_chunk);
  const std::size_t used = pool.chunks_in_use();
  ASSERT_GE(used, 4u);
  pool.deallocate(cls, v.data(), v.size());
  EXPECT_EQ(pool.chunks_in_use(), 1u);  // the spare
  EXPECT_EQ(pool.chunks_warm(), used - 1);
  EXPECT_EQ(pool.chunks_released(), 0u);
  // Still warm at `keep_ns`: a chunk that empties then releases nothing.
  g_now = block_pool::keep_ns;
  auto a = take(pool, cls, 2 * min_per_chunk);  // the spare and a warm chunk
  pool.deallocate(cls, a.data(), a.size());
  EXPECT_EQ(pool.chunks_warm(), used - 1);
  EXPECT_EQ(pool.chunks_released(), 0u);
  // Past it, the next chunk that empties gives back every chunk warm since 0, not itself.
  g_now = block_pool::keep_ns + 1;
  auto b = take(pool, cls, 2 * min_per_chunk);
  pool.deallocate(cls, b.data(), b.size());
  EXPECT_EQ(pool.chunks_in_use(), 1u);
  EXPECT_EQ(pool.chunks_warm(), 1u);
  EXPECT_EQ(pool.chunks_released(), used - 2);
  // Needing a chunk releases stale ones too (the spare serves these blocks).
  g_now = 3 * block_pool::keep_ns;
  auto w = take(pool, cls, 5);
  EXPECT_EQ(pool.chunks_warm(), 1u);                    // nothing needed a chunk yet
  auto x = take(pool, block_pool::class_count - 1, 1);  // all released, then one reused
  EXPECT_EQ(pool.chunks_warm(), 0u);
  EXPECT_EQ(pool.chunks_released(), used - 2);
  pool.deallocate(cls, w.data(), w.size());
  pool.deallocate(block_pool::class_count - 1, x.data(), x.size());
}

TEST(block_pool, a_warm_chunk_serves_any_class_newest_first) {
  block_pool pool{&fake_now};
  g_now = 0;
  auto v = take(pool, cls, 3 * min_per_chunk);
  std::vector<std::uintptr_t> order;  // the chunks in the order they empty
  for (void* p : v)
    if (order.empty() || order.back() != chunk_of(p)) order.push_back(chunk_of(p));
  ASSERT_GE(order.size(), 3u);
  pool.deallocate(cls, v.data(), v.size());  // in order: the last chunk to empty is warm newest
  ASSERT_EQ(pool.chunks_warm(), order.size() - 1);
  // Another class's first chunk is the most recently emptied warm one, carved for its blocks.
  constexpr std::size_t other = 0;
  auto w = take(pool, other, 3);
  EXPECT_EQ(chunk_of(w[0]), order.back());
  EXPECT_EQ(pool.chunks_warm(), order.size() - 2);
  EXPECT_EQ(pool.chunks_released(), 0u);
  for (void* p : w) std::memset(p, 0x11, block_pool::block_size(other));
  std::set<std::uintptr_t> addrs(reinterpret_cast<const std::uintptr_t*>(w.data()),
                                 reinterpret_cast<const std::uintptr_t*>(w.data()) + w.size());
  EXPECT_EQ(addrs.size(), 3u);
  pool.deallocate(other, w.data(), w.size());
}

TEST(block_pool, a_released_chunk_is_reused_before_new_space) {
  block_pool pool{&fake_now};
  g_now = 0;
  auto v = take(pool, cls, 3 * min_per_chunk);
  std::set<std::uintptr_t> before;
  for (void* p : v) before.insert(chunk_of(p));
  pool.deallocate(cls, v.data(), v.size());
  g_now = 2 * block_pool::keep_ns;
  const std::size_t warm = pool.chunks_warm();
  // Another class needs a chunk: the stale ones go back first, then it takes one of them.
  auto one = take(pool, block_pool::class_count - 1, 1);
  EXPECT_TRUE(before.count(chunk_of(one[0])));
  const std::size_t released = pool.chunks_released();
  ASSERT_EQ(released, warm - 1);
  ASSERT_GE(released, 1u);
  // The class's spare and every released chunk (each chunk holds `min_per_chunk` blocks).
  v = take(pool, cls, (released + 1) * min_per_chunk);
  for (void* p : v) {
    EXPECT_TRUE(before.count(chunk_of(p))) << "a block from a chunk the pool never used";
    std::memset(p, 0x5a, size);  // the reused chunk's pages are writable again
  }
  EXPECT_EQ(pool.chunks_released(), 0u);
  pool.deallocate(cls, v.data(), v.size());
  pool.deallocate(block_pool::class_count - 1, one.data(), one.size());
}

TEST(block_pool, a_partly_used_chunk_stays) {
  block_pool pool;
  auto v = take(pool, cls, 2 * min_per_chunk);
  // Keep one block of each chunk; free the rest: no chunk empties, none is released.
  std::set<std::uintptr_t> kept_chunks;
  std::vector<void*> keep;
  std::vector<void*> give;
  for (void* p : v) (kept_chunks.insert(chunk_of(p)).second ? keep : give).push_back(p);
  pool.deallocate(cls, give.data(), give.size());
  EXPECT_EQ(pool.chunks_released(), 0u);
  EXPECT_EQ(pool.chunks_in_use(), kept_chunks.size());
  pool.deallocate(cls, keep.data(), keep.size());
  EXPECT_EQ(pool.chunks_in_use(), 1u);
  EXPECT_EQ(pool.chunks_warm(), kept_chunks.size() - 1);
}

TEST(block_pool, blocks_freed_on_other_threads_come_back) {
  block_pool pool;
  constexpr int rounds = 200;
  constexpr std::size_t per_round = 64;
  std::vector<void*> handoff[2];
  // Two threads each allocate a batch, write it, and free the batch the other thread made in
  // the previous round (the blocks cross threads through the join below).
  for (int r = 0; r < rounds; ++r) {
    std::vector<void*> made[2];
    std::thread t[2];
    for (int i = 0; i < 2; ++i) {
      t[i] = std::thread([&, i] {
        made[i] = take(pool, cls, per_round);
        for (void* p : made[i]) std::memset(p, i, size);
        if (!handoff[1 - i].empty()) pool.deallocate(cls, handoff[1 - i].data(), per_round);
      });
    }
    for (auto& th : t) th.join();
    handoff[0] = std::move(made[0]);
    handoff[1] = std::move(made[1]);
  }
  for (auto& h : handoff) pool.deallocate(cls, h.data(), h.size());
  EXPECT_EQ(pool.chunks_in_use(), 1u);
}

TEST(block_pool, concurrent_allocate_and_free_keep_every_block_distinct) {
  block_pool pool;
  constexpr int per_thread = 20000;
  std::vector<void*> held[2];  // what each thread still holds when both have finished
  std::thread t[2];
  for (int i = 0; i < 2; ++i) {
    t[i] = std::thread([&, i] {
      std::vector<void*>& live = held[i];
      for (int k = 0; k < per_thread; ++k) {
        void* p = nullptr;
        if (pool.allocate(cls, &p, 1) != 1) return;
        *static_cast<int*>(p) = i;
        live.push_back(p);
        if (k % 3 == 2) {  // free two of every three, keep the rest
          pool.deallocate(cls, &live[live.size() - 2], 2);
          live.resize(live.size() - 2);
        }
      }
      for (void* p : live) EXPECT_EQ(*static_cast<int*>(p), i);  // nobody else wrote it
    });
  }
  for (auto& th : t) th.join();
  std::vector<void*> all = held[0];
  all.insert(all.end(), held[1].begin(), held[1].end());
  EXPECT_EQ(all.size(), 2u * (per_thread - 2 * (per_thread / 3)));
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end());  // no block held twice
  pool.deallocate(cls, all.data(), all.size());
  EXPECT_EQ(pool.chunks_in_use(), 1u);
}

// `allocate_run`: never-used blocks one after the other, not touched (still poisoned), given
// back one by one like any other block.
TEST(block_pool, a_run_is_consecutive_never_used_blocks) {
  block_pool pool;
  char* first = nullptr;
  ASSERT_EQ(pool.allocate_run(cls, &first, 10), 10u);
#ifdef EDDY_ASAN
  EXPECT_TRUE(__asan_address_is_poisoned(first));  // the caller unpoisons what it uses
  EXPECT_TRUE(__asan_address_is_poisoned(first + 9 * size));
#endif
  std::vector<void*> run;
  for (std::size_t i = 0; i < 10; ++i) run.push_back(first + i * size);
  EXPECT_EQ(chunk_of(run.front()), chunk_of(run.back()));
  void* next = nullptr;
  ASSERT_EQ(pool.allocate(cls, &next, 1), 1u);
  EXPECT_EQ(next, first + 10 * size);  // the run's blocks are not handed out again
  pool.deallocate(cls, run.data(), run.size());
  pool.deallocate(cls, &next, 1);
  EXPECT_EQ(pool.chunks_in_use(), 1u);  // all given back: the class's spare
  EXPECT_EQ(pool.chunks_warm(), 0u);
}

TEST(block_pool, a_run_waits_until_given_back_blocks_are_used) {
  block_pool pool;
  auto v = take(pool, cls, 3);
  pool.deallocate(cls, &v[1], 1);
  char* first = nullptr;
  EXPECT_EQ(pool.allocate_run(cls, &first, 4), 0u);  // v[1] is handed out first
  void* again = nullptr;
  ASSERT_EQ(pool.allocate(cls, &again, 1), 1u);
  EXPECT_EQ(again, v[1]);
  ASSERT_EQ(pool.allocate_run(cls, &first, 4), 4u);
  EXPECT_EQ(first, static_cast<char*>(v[2]) + size);
  for (std::size_t i = 0; i < 4; ++i) v.push_back(first + i * size);
  pool.deallocate(cls, v.data(), v.size());
}

TEST(block_pool, a_run_ends_at_its_chunks_end) {
  block_pool pool;
  char* a = nullptr;
  const std::size_t got = pool.allocate_run(cls, &a, 4 * min_per_chunk);
  ASSERT_GE(got, min_per_chunk);  // one whole chunk, no more
  ASSERT_LT(got, 2 * min_per_chunk);
  EXPECT_EQ(chunk_of(a), chunk_of(a + (got - 1) * size));
  char* b = nullptr;
  ASSERT_EQ(pool.allocate_run(cls, &b, 3), 3u);
  EXPECT_NE(chunk_of(b), chunk_of(a));  // the next run comes from a new chunk
  EXPECT_EQ(pool.chunks_in_use(), 2u);
  std::vector<void*> all;
  for (std::size_t i = 0; i < got; ++i) all.push_back(a + i * size);
  for (std::size_t i = 0; i < 3; ++i) all.push_back(b + i * size);
  pool.deallocate(cls, all.data(), all.size());
}

#ifdef EDDY_ASAN
TEST(block_pool, blocks_the_pool_holds_are_poisoned) {
  block_pool pool;
  auto v = take(pool, cls, 2);
  EXPECT_FALSE(__asan_region_is_poisoned(v[0], size));
  EXPECT_TRUE(__asan_address_is_poisoned(static_cast<char*>(v[1]) + size));  // never handed out
  pool.deallocate(cls, &v[0], 1);
  EXPECT_TRUE(__asan_address_is_poisoned(v[0]));  // a use after free still shows
  pool.deallocate(cls, &v[1], 1);
}
#endif

// Through the default frame allocator: spawned tasks' frames and blocks come from the default
// pool in every build but ASan ones (there, from operator new, for LeakSanitizer).
TEST(block_pool, the_default_allocator_serves_tasks) {
  eddy::local_runtime rt;
  const auto sum = rt.block_on([]() -> eddy::task<std::uint64_t> {
    std::vector<eddy::join_handle<std::uint64_t>> hs;
    for (std::uint64_t i = 0; i < 5000; ++i)
      hs.push_back(
          eddy::spawn([](std::uint64_t k) -> eddy::task<std::uint64_t> { co_return k; }(i)));
    std::uint64_t s = 0;
    for (auto& h : hs) s += (co_await h).value();
    co_return s;
  }());
  EXPECT_EQ(sum, 5000u * 4999u / 2);
#ifndef EDDY_ASAN
  EXPECT_GE(eddy::detail::default_block_pool().chunks_in_use(), 1u);
#endif
}

#ifndef EDDY_ASAN
// A thread's allocator takes never-used blocks from the default pool as a run; what is left of
// the run when the thread exits goes back to the pool (nothing lost).
TEST(block_pool, a_threads_unused_run_goes_back_when_it_exits) {
  constexpr std::size_t big = 1024;  // the largest class: few tests use it
  constexpr std::size_t c = block_pool::class_of(big);
  void* a = nullptr;
  void* a2 = nullptr;
  std::thread([&] {
    a = eddy::detail::frame_try_alloc(big);
    a2 = eddy::detail::frame_try_alloc(big);
  }).join();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(a2, nullptr);
  char* const rest = static_cast<char*>(a) + 2 * block_pool::block_size(c);
  if (a2 != static_cast<char*>(a) + block_pool::block_size(c) || chunk_of(rest) != chunk_of(a))
    GTEST_SKIP() << "the pool had given-back blocks of this class: no run was taken";
  // The run's third block was never handed out: the pool has it again.
  block_pool& pool = eddy::detail::default_block_pool();
  const std::size_t per_chunk = (block_pool::chunk_size - 64) / block_pool::block_size(c);
  auto v = take(pool, c, 3 * per_chunk);
  EXPECT_NE(std::find(v.begin(), v.end(), static_cast<void*>(rest)), v.end());
  pool.deallocate(c, v.data(), v.size());
  eddy::detail::frame_free(a, big);
  eddy::detail::frame_free(a2, big);
}
#endif

}  // namespace eddy_test::unit_block_pool_test

#endif
