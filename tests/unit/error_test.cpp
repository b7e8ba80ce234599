// SPDX-License-Identifier: BSL-1.0
// error: the message of a captured exception is its what(), and stays valid in copies.
#include <gtest/gtest.h>

#include <eddy/core/error.hpp>
#include <stdexcept>
#include <string>

namespace eddy_test::unit_error_test {

using namespace eddy;

#if EDDY_HAS_EXCEPTIONS
namespace {
std::exception_ptr capture(auto make) {
  try {
    make();
  } catch (...) {
    return std::current_exception();
  }
  return nullptr;
}
}  // namespace

TEST(error, from_exception_carries_what) {
  error e = error::from_exception(capture([] { throw std::runtime_error("disk on fire"); }));
  EXPECT_EQ(e.code(), errc::exception);
  EXPECT_STREQ(e.message(), "disk on fire");
  EXPECT_TRUE(e.exception() != nullptr);
}

TEST(error, the_message_lives_as_long_as_a_copy) {
  error copy{errc::user};
  {
    error e = error::from_exception(
        capture([] { throw std::logic_error(std::string(200, 'x') + " long message"); }));
    copy = e;
  }
  EXPECT_EQ(std::string(copy.message()), std::string(200, 'x') + " long message");
  EXPECT_EQ(copy, errc::exception);
}

TEST(error, an_exception_not_derived_from_std_exception) {
  error e = error::from_exception(capture([] { throw 42; }));
  EXPECT_EQ(e.code(), errc::exception);
  EXPECT_STREQ(e.message(), "exception (not derived from std::exception)");
  error none = error::from_exception(nullptr);
  EXPECT_STREQ(none.message(), "exception");
}
#endif

TEST(error, static_messages_and_codes) {
  EXPECT_STREQ(error(errc::timed_out).message(), "timed out");
  EXPECT_STREQ(error(errc::user, 3, "mine").message(), "mine");
}

}  // namespace eddy_test::unit_error_test
