// SPDX-License-Identifier: BSL-1.0
// Task identity: ids, names, spawn locations and parents (runtime/task_header.hpp).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <eddy/eddy.hpp>

namespace eddy_test::unit_identity_test {

using namespace eddy;

namespace {
struct seen {
  std::uint64_t id = 0;
  std::uint64_t parent = 0;
  std::string name;  // "" for unnamed
  const char* name_ptr = nullptr;
  std::uint_least32_t line = 0;
  std::string file;
};

seen look() {
  const detail::task_header* t = detail::current_task();
  seen s;
  s.id = t->id();
  s.parent = t->parent_id();
  s.name_ptr = t->name();
  s.name = t->name() ? t->name() : "";
  s.line = t->location().line();
  s.file = t->location().file_name();
  return s;
}

task<seen> report() {
  co_return look();
}
}  // namespace

TEST(identity, ids_are_unique_and_increase_in_spawn_order) {
  local_runtime rt;
  auto ids = rt.block_on([]() -> task<std::vector<std::uint64_t>> {
    std::vector<join_handle<seen>> hs;
    for (int i = 0; i < 5; ++i) hs.push_back(spawn(report()));
    std::vector<std::uint64_t> out;
    for (auto& h : hs) {
      const std::uint64_t hid = h.id();
      auto r = co_await h;
      EXPECT_EQ(r.value().id, hid);
      out.push_back(r.value().id);
    }
    co_return out;
  }());
  ASSERT_EQ(ids.size(), 5u);
  EXPECT_GE(ids[0], 1u);
  for (std::size_t i = 1; i < ids.size(); ++i) EXPECT_GT(ids[i], ids[i - 1]);
  EXPECT_EQ(join_handle<void>{}.id(), 0u);
}

TEST(identity, names_literal_copied_and_none) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    static const char literal[] = "worker";
    auto a = co_await spawn(report(), literal);
    EXPECT_EQ(a.value().name, "worker");
    EXPECT_EQ(a.value().name_ptr, literal);  // not copied: free

    std::string dynamic = "job-" + std::to_string(7);
    auto h = spawn(current_executor(), report(), task_options{dynamic.c_str(), true});
    dynamic = "changed";  // the task keeps its own copy
    auto b = co_await h;
    EXPECT_EQ(b.value().name, "job-7");

    auto c = co_await spawn(report());
    EXPECT_EQ(c.value().name_ptr, nullptr);
  }());
}

TEST(identity, location_is_the_spawn_line) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    const auto line = __LINE__ + 1;
    auto h = spawn(report(), "here");
    auto r = co_await h;
    EXPECT_EQ(r.value().line, static_cast<std::uint_least32_t>(line));
    EXPECT_NE(r.value().file.find("identity_test.cpp"), std::string::npos);
    const auto line2 = __LINE__ + 1;
    auto r2 = co_await spawn(current_executor(), report());
    EXPECT_EQ(r2.value().line, static_cast<std::uint_least32_t>(line2));
  }());
}

TEST(identity, parent_is_the_spawning_task) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    const seen root = look();
    EXPECT_EQ(root.parent, 0u);  // block_on's root: spawned from outside any task
    auto r = co_await spawn([](std::uint64_t root_id) -> task<std::uint64_t> {
      const seen me = look();
      EXPECT_EQ(me.parent, root_id);
      auto g = co_await spawn(report());
      EXPECT_EQ(g.value().parent, me.id);
      co_return me.id;
    }(root.id));
    EXPECT_GT(r.value(), root.id);
  }());
}

TEST(identity, scope_and_task_set_children_are_named) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    scope sc;
    auto a = sc.spawn(report());
    auto b = sc.spawn(current_executor(), report(), "mine");
    (void)co_await sc.join();
    EXPECT_EQ((co_await a).value().name, "scope child");
    EXPECT_EQ((co_await b).value().name, "mine");
    std::string dyn = "set-" + std::to_string(3);
    task_set<seen> ts;
    ts.spawn(current_executor(), report(), task_options{dyn.c_str(), true});
    dyn.clear();
    auto d = co_await ts.join_next();
    EXPECT_TRUE(d.has_value());
    if (d) {
      EXPECT_EQ(d->value().name, "set-3");
    }
    ts.spawn(report());
    auto r = co_await ts.join_next();
    EXPECT_TRUE(r.has_value());
    if (r) {
      EXPECT_EQ(r->value().name, "task_set child");
    }
  }());
}

#if EDDY_HAS_EXCEPTIONS
TEST(identity, unhandled_error_names_the_task) {
  local_runtime rt;
  std::string got = "<none>";
  rt.set_unhandled_error_hook(
      [](const unhandled_error& e, void* ctx) noexcept {
        *static_cast<std::string*>(ctx) = e.task_name ? e.task_name : "<null>";
      },
      &got);
  rt.block_on([]() -> task<void> {
    spawn(
        []() -> task<void> {
          throw std::runtime_error("boom");
          co_return;
        }(),
        "thrower")
        .detach();
    co_await yield_now();
    co_await yield_now();
  }());
  EXPECT_EQ(got, "thrower");
}
#endif

// block_on's root task is named "block_on" and located at the block_on call, not inside the
// runtime's header (the first line of a dump, and a deadlock report, point at the caller).
TEST(identity, block_on_root_is_named_and_located_at_the_call) {
  local_runtime rt;
  const int line = __LINE__ + 1;
  const seen root = rt.block_on(report());
  EXPECT_EQ(root.name, "block_on");
  EXPECT_EQ(root.line, static_cast<std::uint_least32_t>(line));
  EXPECT_NE(root.file.find("identity_test.cpp"), std::string::npos);
  sim_runtime sim;
  const int line2 = __LINE__ + 1;
  const result<seen> r = sim.try_block_on(report());
  EXPECT_EQ(r.value().line, static_cast<std::uint_least32_t>(line2));
  EXPECT_EQ(r.value().name, "block_on");
}

}  // namespace eddy_test::unit_identity_test
