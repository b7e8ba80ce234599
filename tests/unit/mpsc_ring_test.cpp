// SPDX-License-Identifier: BSL-1.0
// The bounded mpsc channel's ring (detail::mpsc_ring): a slot stamp per position and laps of a
// power of two, so any capacity works. Checks order and fullness over many laps for capacities
// that are and are not powers of two, both push paths, and that the items still inside are
// destroyed with the ring. (Concurrent pushes: tests/stress/mpsc_ring_stress_test.cpp.)
#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <eddy/sync/detail/mpsc_ring.hpp>
#include <memory>
#include <optional>
#include <utility>

namespace eddy_test::unit_mpsc_ring_test {

using eddy::detail::mpsc_ring;
using pushed = mpsc_ring<int>::push_result;

namespace {

const std::atomic<bool> open_flag{false};  // the channel's closed flag, never set here

// The receiver's out-parameter: an optional with emplace (what mpsc_item provides).
template <class T>
struct slot_out {
  std::optional<T> v;
  template <class U>
  void emplace(U&& u) {
    v.emplace(std::forward<U>(u));
  }
};

// Fills a ring of `cap` to the brim, checks it refuses one more, then drains it, `laps` times,
// with one push path; then runs it half full, alternating one push and one take, across laps.
void check_laps(std::size_t cap, bool exclusive) {
  mpsc_ring<int> r(cap);
  ASSERT_TRUE(r.allocated());
  ASSERT_EQ(r.capacity(), cap);
  auto push = [&](int v) {
    return exclusive ? r.push_exclusive(v) : r.push_shared(v, open_flag) == pushed::pushed;
  };
  int next_in = 0, next_out = 0;
  for (int lap = 0; lap < 5; ++lap) {
    for (std::size_t i = 0; i < cap; ++i) ASSERT_TRUE(push(next_in++)) << "cap " << cap;
    int extra = -1;
    EXPECT_FALSE(push(extra)) << "a full ring took one more, cap " << cap;
    EXPECT_EQ(extra, -1) << "a refused push moved from its value";
    for (std::size_t i = 0; i < cap; ++i) {
      slot_out<int> o;
      ASSERT_TRUE(r.try_take(o));
      EXPECT_EQ(*o.v, next_out++);
    }
    slot_out<int> none;
    EXPECT_FALSE(r.front_ready());
    EXPECT_FALSE(r.try_take(none));
    EXPECT_FALSE(none.v.has_value());
  }
  // Keep (cap + 1) / 2 items inside and move through 7 laps one item at a time.
  for (std::size_t i = 0; i < (cap + 1) / 2; ++i) ASSERT_TRUE(push(next_in++));
  for (std::size_t i = 0; i < 7 * cap; ++i) {
    slot_out<int> o;
    ASSERT_TRUE(r.try_take(o));
    ASSERT_EQ(*o.v, next_out++);
    ASSERT_TRUE(push(next_in++));
  }
}

}  // namespace

TEST(mpsc_ring, capacity_one_keeps_order_and_refuses_a_second_item_over_many_laps) {
  check_laps(1, true);
  check_laps(1, false);
}

TEST(mpsc_ring, a_capacity_that_is_not_a_power_of_two_uses_every_slot) {
  for (std::size_t cap : {3u, 5u, 6u, 7u, 1000u}) {
    check_laps(cap, true);
    check_laps(cap, false);
  }
}

TEST(mpsc_ring, a_power_of_two_capacity_uses_every_slot) {
  for (std::size_t cap : {2u, 4u, 1024u}) {
    check_laps(cap, true);
    check_laps(cap, false);
  }
}

TEST(mpsc_ring, the_two_push_paths_share_one_tail) {
  mpsc_ring<int> r(4);
  int a = 1, b = 2, c = 3;
  ASSERT_TRUE(r.push_exclusive(a));
  ASSERT_EQ(r.push_shared(b, open_flag), pushed::pushed);
  ASSERT_TRUE(r.push_exclusive(c));
  for (int want : {1, 2, 3}) {
    slot_out<int> o;
    ASSERT_TRUE(r.try_take(o));
    EXPECT_EQ(*o.v, want);
  }
}

TEST(mpsc_ring, items_left_inside_are_destroyed_with_the_ring) {
  auto counted = std::make_shared<int>(0);
  slot_out<std::shared_ptr<int>> o;
  {
    mpsc_ring<std::shared_ptr<int>> r(3);
    for (int i = 0; i < 3; ++i) {
      auto p = counted;
      ASSERT_EQ(r.push_shared(p, open_flag), mpsc_ring<std::shared_ptr<int>>::push_result::pushed);
      EXPECT_EQ(p, nullptr) << "a push moves the item in";
    }
    ASSERT_TRUE(r.try_take(o));  // one taken, two left inside
    EXPECT_EQ(counted.use_count(), 4);
  }
  EXPECT_EQ(counted.use_count(), 2) << "the two items left inside were not destroyed";
}

TEST(mpsc_ring, a_push_that_finds_the_channel_closed_leaves_an_empty_slot_the_receiver_skips) {
  mpsc_ring<std::shared_ptr<int>> r(3);
  const std::atomic<bool> closed{true};
  auto a = std::make_shared<int>(1), b = std::make_shared<int>(2);
  ASSERT_EQ(r.push_exclusive(a), true);
  EXPECT_EQ(r.push_shared(b, closed), mpsc_ring<std::shared_ptr<int>>::push_result::closed);
  ASSERT_NE(b, nullptr) << "a refused push moved from its value";
  EXPECT_TRUE(r.claims_in_flight());
  slot_out<std::shared_ptr<int>> o;
  ASSERT_TRUE(r.try_take(o));
  EXPECT_EQ(**o.v, 1);
  slot_out<std::shared_ptr<int>> none;
  EXPECT_FALSE(r.try_take(none)) << "the empty slot was handed out";
  EXPECT_FALSE(r.claims_in_flight()) << "the empty slot was not passed";
  auto c = std::make_shared<int>(3);
  ASSERT_EQ(r.push_shared(c, open_flag), mpsc_ring<std::shared_ptr<int>>::push_result::pushed);
  ASSERT_TRUE(r.try_take(none));
  EXPECT_EQ(**none.v, 3);
}

TEST(mpsc_ring, an_empty_ring_is_unusable_and_says_so) {
  mpsc_ring<int> none;
  EXPECT_FALSE(none.allocated());
  EXPECT_EQ(none.capacity(), 0u);
  mpsc_ring<int> too_big(mpsc_ring<int>::max_capacity() + 1);
  EXPECT_FALSE(too_big.allocated());
}

}  // namespace eddy_test::unit_mpsc_ring_test
