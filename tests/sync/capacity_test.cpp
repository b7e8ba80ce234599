// SPDX-License-Identifier: BSL-1.0
// Channels with a capacity that cannot be allocated: `try_channel` gives the documented error
// value (never throws), `channel` panics with that message. The allocations are nothrow, so
// the same holds in a build without exceptions (tests/firmware covers that build).
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <eddy/eddy.hpp>
#include <string>

// A sanitizer's allocator aborts on a request it cannot serve unless told to return null, as
// the plain allocator does (the nothrow path under test). Only this test binary.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
extern "C" const char* __asan_default_options() {
  return "allocator_may_return_null=1";
}
#endif
#if __has_feature(thread_sanitizer)
extern "C" const char* __tsan_default_options() {
  return "allocator_may_return_null=1";
}
#endif
#endif

namespace eddy_test::sync_capacity_test {

using namespace eddy;

namespace {
// 2^50 elements: representable in bytes, but far beyond what any machine can allocate. On a
// 32-bit target (wasm32): the largest representable ring, at least 2 GiB, which a 32-bit heap
// that already holds the test cannot give.
template <class Slot>
constexpr std::size_t unallocatable() {
  if constexpr (sizeof(std::size_t) >= 8)
    return std::size_t{1} << 50;
  else
    return static_cast<std::size_t>(PTRDIFF_MAX) / sizeof(Slot);
}
// The same for an mpsc channel of T, whose ring slot (a stamp beside the item) is its own.
template <class T>
constexpr std::size_t unallocatable_mpsc() {
  if constexpr (sizeof(std::size_t) >= 8)
    return std::size_t{1} << 50;
  else
    return detail::mpsc_ring<T>::max_capacity();
}
}  // namespace

TEST(channel_capacity, mpsc_unallocatable_capacity_is_out_of_memory) {
  auto r = mpsc::try_channel<int>(unallocatable_mpsc<int>());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::out_of_memory);
  auto big = mpsc::try_channel<std::uint64_t>(unallocatable_mpsc<std::uint64_t>());
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().code(), errc::out_of_memory);
  // A size in bytes that cannot be represented stays invalid_argument.
  auto huge = mpsc::try_channel<int>(SIZE_MAX);
  ASSERT_FALSE(huge.has_value());
  EXPECT_EQ(huge.error().code(), errc::invalid_argument);
  // The allocator is fine afterwards.
  auto ok = mpsc::try_channel<int>(8);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok.value().first.capacity(), 8u);
#if EDDY_HAS_EXCEPTIONS
  try {
    (void)mpsc::channel<int>(unallocatable_mpsc<int>());
    ADD_FAILURE() << "channel() did not panic";
  } catch (const panic_error& e) {
    EXPECT_NE(std::string(e.what()).find("out of memory"), std::string::npos) << e.what();
  }
#endif
}

TEST(channel_capacity, broadcast_unallocatable_capacity_is_out_of_memory) {
  auto r = broadcast::try_channel<int>(unallocatable<detail::broadcast_slot<int>>());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::out_of_memory);
  auto huge = broadcast::try_channel<int>(SIZE_MAX);
  ASSERT_FALSE(huge.has_value());
  EXPECT_EQ(huge.error().code(), errc::invalid_argument);
  auto ok = broadcast::try_channel<int>(8);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok.value().first.capacity(), 8u);
#if EDDY_HAS_EXCEPTIONS
  try {
    (void)broadcast::channel<int>(unallocatable<detail::broadcast_slot<int>>());
    ADD_FAILURE() << "channel() did not panic";
  } catch (const panic_error& e) {
    EXPECT_NE(std::string(e.what()).find("out of memory"), std::string::npos) << e.what();
  }
#endif
}

}  // namespace eddy_test::sync_capacity_test
