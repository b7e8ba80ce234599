// SPDX-License-Identifier: BSL-1.0
// Conformance: task identity (id, name, spawn location, parent) on every runtime.
#include <cstdint>
#include <cstring>

#include "conformance/runtimes.hpp"

namespace eddy_test::conformance_identity_test {

using namespace eddy;

template <class F>
class identity_conformance : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(identity_conformance, eddy_test::all_runtimes, eddy_test::runtime_names);

namespace {
struct who {
  std::uint64_t id = 0;
  std::uint64_t parent = 0;
  bool named_child = false;
  std::uint_least32_t line = 0;
};
task<who> who_am_i() {
  const detail::task_header* t = detail::current_task();
  co_return who{t->id(), t->parent_id(), t->name() && std::strcmp(t->name(), "child") == 0,
                t->location().line()};
}
}  // namespace

TYPED_TEST(identity_conformance, id_name_location_parent) {
  const bool ok = this->f.block_on([]() -> task<bool> {
    const std::uint64_t me = detail::current_task()->id();
    const std::uint_least32_t line = __LINE__ + 1;
    auto h1 = spawn(who_am_i(), "child");
    auto h2 = spawn(who_am_i());
    const std::uint64_t id1 = h1.id(), id2 = h2.id();
    auto ra = co_await h1;
    auto rb = co_await h2;
    const who a = ra.value();
    const who b = rb.value();
    co_return me > 0 && a.id == id1&& b.id == id2&& id1 > me&& id2 > id1&& a.named_child &&
        !b.named_child && a.parent == me && b.parent == me && a.line == line && b.line == line + 1;
  }());
  EXPECT_TRUE(ok);
}

}  // namespace eddy_test::conformance_identity_test
