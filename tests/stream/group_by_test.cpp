// SPDX-License-Identifier: BSL-1.0
// group_by: values by key, errors to the outer stream only, the end ends every group, exact
// times on sim_runtime, the max_groups bound, a dropped group reopens, a dropped outer stream,
// dropping policies, composition, the empty stream, bad arguments, a throwing key function,
// and a seeded-schedule exploration (nothing lost or repeated under overflow::wait).
#include <stdexcept>

#include "conformance/seeded_pause.hpp"
#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::group_by_test {
namespace {

/// What a `group_by` gave: the keys in the order the groups appeared, each group's items, and
/// the outer stream's errors.
struct grouped_out {
  std::vector<int> keys;
  std::vector<items<int>> groups;
  items<int> errors;
};

/// Reads the outer stream `g` to its end, draining each group in its own task.
template <class G>
task<grouped_out> collect_groups(G& g) {
  grouped_out out;
  std::vector<join_handle<items<int>>> hs;
  while (auto x = co_await g.next()) {
    if (x->is_error()) {
      out.errors.push_back(item<int>(std::move(*x).error()));
      continue;
    }
    auto grp = std::move(*x).value();
    out.keys.push_back(grp.key);
    hs.push_back(spawn(collect(std::move(grp.stream))));
  }
  for (auto& h : hs) {
    auto r = co_await h;
    out.groups.push_back(r.value());
  }
  co_return out;
}

int mod3(int x) {
  return x % 3;
}
int same(int x) {
  return x;
}

TEST(GroupBy, RoutesValuesByKeyAndErrorsToTheOuterStream) {
  local_runtime rt;
  auto out = rt.block_on([](items<int> in) -> task<grouped_out> {
    auto g = async_items(std::move(in)) | group_by(mod3);
    co_return co_await collect_groups(g);
  }(L(1, 2, 3, 4, E(9), 5, 6)));
  EXPECT_EQ(out.keys, (std::vector<int>{1, 2, 0}));
  ASSERT_EQ(out.groups.size(), 3u);
  EXPECT_EQ(out.groups[0], L(1, 4));
  EXPECT_EQ(out.groups[1], L(2, 5));
  EXPECT_EQ(out.groups[2], L(3, 6));
  EXPECT_EQ(out.errors, L(E(9)));  // once, on the outer stream only
}

/// One thing the outer stream gave on sim_runtime, at its time: a group ('k', its key), an
/// error ('E', its count) or the end ('|').
struct outer_event {
  std::int64_t ms;
  char what;
  std::uint64_t n;
  friend bool operator==(const outer_event&, const outer_event&) = default;
};
void PrintTo(const outer_event& e, std::ostream* os) {
  *os << "@" << e.ms << ":" << e.what;
}

TEST(GroupBy, ExactTimesOnVirtualTime) {
  sim_runtime sim{3};
  using groups_t = std::vector<std::vector<seen<int>>>;
  auto out = sim.block_on([]() -> task<std::pair<std::vector<outer_event>, groups_t>> {
    auto g = timed_source<int>({{10, 1}, {20, 2}, {30, E(5)}, {40, 3}, {50, std::nullopt}}) |
             group_by([](int x) { return x % 2; });
    std::vector<outer_event> ev;
    std::vector<join_handle<std::vector<seen<int>>>> hs;
    while (auto x = co_await g.next()) {
      if (x->is_error()) {
        ev.push_back(outer_event{ms_of(now()), 'E', x->error().count()});
        continue;
      }
      auto grp = std::move(*x).value();
      ev.push_back(outer_event{ms_of(now()), 'k', static_cast<std::uint64_t>(grp.key)});
      hs.push_back(spawn(marble(std::move(grp.stream))));
    }
    ev.push_back(outer_event{ms_of(now()), '|', 0});
    groups_t gs;
    for (auto& h : hs) {
      auto r = co_await h;
      gs.push_back(r.value());
    }
    co_return std::pair{ev, gs};
  }());
  EXPECT_EQ(out.first,
            (std::vector<outer_event>{{10, 'k', 1}, {20, 'k', 0}, {30, 'E', 5}, {50, '|', 0}}));
  ASSERT_EQ(out.second.size(), 2u);
  EXPECT_EQ(out.second[0], (std::vector<seen<int>>{V(10, 1), V(40, 3), End<int>(50)}));
  EXPECT_EQ(out.second[1], (std::vector<seen<int>>{V(20, 2), End<int>(50)}));
}

TEST(GroupBy, MaxGroupsExceededGivesAFullErrorAndDropsTheValue) {
  local_runtime rt;
  rt.block_on([](items<int> in) -> task<void> {
    auto g = async_items(std::move(in)) | group_by(same, group_by_options{.max_groups = 2});
    auto out = co_await collect_groups(g);
    EXPECT_EQ(out.keys, (std::vector<int>{0, 1}));
    EXPECT_EQ(out.groups.size(), 2u);
    if (out.groups.size() != 2u) co_return;
    EXPECT_EQ(out.groups[0], L(0, 0));
    EXPECT_EQ(out.groups[1], L(1));
    EXPECT_EQ(out.errors.size(), 2u);  // for each 2
    for (auto& e : out.errors) EXPECT_EQ(e.error().code(), errc::full);
    EXPECT_EQ(g.dropped(), 2u);
    EXPECT_EQ(g.live_groups(), 0u);  // every group was destroyed by its collector
  }(L(0, 1, 2, 0, 2)));
}

TEST(GroupBy, ADroppedGroupReopensAndFreesItsPlace) {
  local_runtime rt;
  rt.block_on([](items<int> in) -> task<void> {
    auto g = async_items(std::move(in)) | group_by(same, group_by_options{.max_groups = 1});
    {
      auto x = co_await g.next();
      EXPECT_TRUE(x && x->is_value());
      if (!x || !x->is_value()) co_return;
      auto first = std::move(*x).value();
      EXPECT_EQ(first.key, 1);
      EXPECT_EQ(g.live_groups(), 1u);
      auto v = co_await first.stream.next();
      EXPECT_EQ(v->value(), 1);
    }  // group 1 destroyed: its place is free, key 1 reopens
    EXPECT_EQ(g.live_groups(), 0u);
    auto out = co_await collect_groups(g);
    EXPECT_EQ(out.keys, (std::vector<int>{1}));  // reopened: possible only if its place is free
    EXPECT_EQ(out.groups.size(), 1u);
    if (out.groups.size() != 1u) co_return;
    EXPECT_EQ(out.groups[0], L(1, 1));
    EXPECT_EQ(out.errors.size(), 1u);  // 2: group 1 is live again and max_groups is 1
    if (out.errors.size() == 1u) {
      EXPECT_EQ(out.errors[0].error().code(), errc::full);
    }
    EXPECT_EQ(g.dropped(), 1u);
  }(L(1, 1, 1, 2)));
}

TEST(GroupBy, ADroppedOuterStreamLetsHandedOutGroupsGoOn) {
  local_runtime rt;
  rt.block_on([](items<int> in) -> task<void> {
    std::optional<items<int>> ones;
    {
      auto g = async_items(std::move(in)) | group_by(same);
      auto x = co_await g.next();
      EXPECT_TRUE(x && x->is_value());
      if (!x || !x->is_value()) co_return;
      auto grp = std::move(*x).value();
      { auto gone = std::move(g); }  // the outer stream goes: new keys are discarded
      ones = co_await collect(std::move(grp.stream));
    }
    EXPECT_EQ(*ones, L(1, 1, 1));  // 2, 3 and the error had nowhere to go
  }(L(1, 2, 1, E(4), 3, 2, 1)));
}

TEST(GroupBy, DroppingPoliciesNeverHoldTheOtherGroupsBack) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    auto g = from_range(std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) |
             group_by([](int x) { return x % 2; },
                      group_by_options{.policy = buffer_policy::drop_oldest(2)});
    auto x0 = co_await g.next();
    auto even = std::move(*x0).value();
    auto x1 = co_await g.next();
    auto odd = std::move(*x1).value();
    {
      auto got_ = co_await collect(std::move(odd.stream));  // pulls to the end
      EXPECT_EQ(got_, L(1, 3, 5, 7, 9));
    }
    EXPECT_EQ(even.stream.dropped(), 3u);
    {
      auto got_ = co_await collect(std::move(even.stream));
      EXPECT_EQ(got_, L(6, 8));
    }
    auto rest = co_await g.next();
    EXPECT_FALSE(rest.has_value());
  }());
}

TEST(GroupBy, ComposesEmptyAndBadArguments) {
  sim_runtime sim{5};
  sim.block_on([]() -> task<void> {
    auto g =
        timed_source<int>({{1, 1}, {2, 2}, {3, 3}, {4, 4}}) | group_by([](int x) { return x > 2; });
    std::vector<join_handle<items<int>>> hs;
    while (auto x = co_await g.next()) {
      auto grp = std::move(*x).value();
      hs.push_back(spawn(collect(std::move(grp.stream) | map([](int v) { return v * 10; }))));
    }
    EXPECT_EQ(hs.size(), 2u);
    if (hs.size() != 2u) co_return;
    auto r0 = co_await hs[0];
    auto r1 = co_await hs[1];
    EXPECT_EQ(r0.value(), L(10, 20));
    EXPECT_EQ(r1.value(), L(30, 40));

    auto e = empty<int>() | group_by(same);
    auto eo = co_await collect_groups(e);
    EXPECT_TRUE(eo.keys.empty());
    EXPECT_TRUE(eo.errors.empty());

    auto zero_cap = from_range(std::vector<int>{1}) |
                    group_by(same, group_by_options{.policy = buffer_policy::wait(0)});
    auto zc = co_await collect_groups(zero_cap);
    EXPECT_EQ(zc.errors.size(), 1u);
    if (!zc.errors.empty()) {
      EXPECT_EQ(zc.errors[0].error().code(), errc::invalid_argument);
    }
    EXPECT_TRUE(zc.keys.empty());

    auto zero_groups =
        from_range(std::vector<int>{1}) | group_by(same, group_by_options{.max_groups = 0});
    auto zg = co_await collect_groups(zero_groups);
    EXPECT_EQ(zg.errors.size(), 1u);
    if (!zg.errors.empty()) {
      EXPECT_EQ(zg.errors[0].error().code(), errc::invalid_argument);
    }
    EXPECT_TRUE(zg.keys.empty());
  }());
}

TEST(GroupBy, ThrowingKeyFunctionGivesAnErrorOnTheOuterStream) {
#if EDDY_HAS_EXCEPTIONS
  local_runtime rt;
  auto out = rt.block_on([](items<int> in) -> task<grouped_out> {
    auto g = async_items(std::move(in)) | group_by([](int x) -> int {
               if (x == 2) throw std::runtime_error("no key");
               return x % 2;
             });
    co_return co_await collect_groups(g);
  }(L(1, 2, 3)));
  EXPECT_EQ(out.keys, (std::vector<int>{1}));
  ASSERT_EQ(out.groups.size(), 1u);
  EXPECT_EQ(out.groups[0], L(1, 3));
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.errors[0].error().code(), errc::exception);
#endif
}

#if EDDY_HAS_THREADS
/// 0..n-1, suspending before each (every pull goes through the pump).
generator<int> yielding(int n) {
  for (int i = 0; i < n; ++i) {
    co_await yield_now();
    co_yield i;
  }
}

template <class G>
task<long> sum_group(G s) {
  long sum = 0;
  while (auto r = co_await s.next()) sum += r->value();
  co_return sum;
}

TEST(GroupBy, GroupsReadOnAThreadPool) {
  thread_pool pool{2};
  auto sums = pool.block_on([]() -> task<std::vector<long>> {
    auto g = yielding(4000) |
             group_by([](int x) { return x % 4; },
                      group_by_options{.policy = buffer_policy::wait(2), .max_groups = 4});
    std::vector<join_handle<long>> hs;
    while (auto x = co_await g.next()) hs.push_back(spawn(sum_group(std::move(*x).value().stream)));
    std::vector<long> out;
    for (auto& h : hs) {
      auto r = co_await h;
      out.push_back(r.value());
    }
    co_return out;
  }());
  // key k: k, k + 4, ..., 3996 + k (1000 values)
  EXPECT_EQ(sums, (std::vector<long>{1998000, 1999000, 2000000, 2001000}));
}
#endif  // EDDY_HAS_THREADS

// ---- seeded exploration ---------------------------------------------------------------------

using eddy_test::pause;
using eddy_test::rng;

/// 0..n-1 with seeded pauses; an error (user, count i) before every 13th value.
generator<int> paced(int n, std::uint64_t seed) {
  rng r{seed * 13 + 5};
  for (int i = 0; i < n; ++i) {
    co_await pause(r);
    if (i % 13 == 12) co_yield error{errc::user, static_cast<std::uint64_t>(i)};
    co_yield i;
  }
}

/// Drains a group with seeded pauses, sometimes giving a `next()` up early.
template <class G>
task<std::vector<int>> drain_group(G s, std::uint64_t seed) {
  rng r{seed | 1};
  std::vector<int> out;
  for (;;) {
    co_await pause(r);
    if (r.next() % 5 == 0) {
      auto t = co_await timeout(std::chrono::microseconds(r.next() % 20), s.next());
      if (!t) continue;
      if (!*t) break;
      out.push_back((*t)->is_value() ? (*t)->value() : -1);
      continue;
    }
    auto x = co_await s.next();
    if (!x) break;
    out.push_back(x->is_value() ? x->value() : -1);
  }
  co_return out;
}

struct explored {
  std::vector<int> keys;
  std::vector<std::vector<int>> groups;
  std::vector<std::uint64_t> errors;
};

task<explored> group_schedule(std::uint64_t seed, int n, buffer_policy p) {
  auto g = paced(n, seed) | group_by([](int x) { return x % 4; }, group_by_options{.policy = p});
  rng r{seed * 7 + 3};
  explored out;
  std::vector<join_handle<std::vector<int>>> hs;
  for (;;) {
    co_await pause(r);
    auto x = co_await g.next();
    if (!x) break;
    if (x->is_error()) {
      out.errors.push_back(x->error().count());
      continue;
    }
    auto grp = std::move(*x).value();
    out.keys.push_back(grp.key);
    hs.push_back(spawn(drain_group(std::move(grp.stream), seed * 11 + out.keys.size())));
  }
  for (auto& h : hs) {
    auto v = co_await h;
    out.groups.push_back(v.value());
  }
  co_return out;
}

TEST(GroupByExplore, NothingLostOrRepeatedUnderWait) {
  constexpr int n = 40;
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    const buffer_policy p = seed % 2 ? buffer_policy::wait(1) : buffer_policy::wait(3);
    sim_runtime sim{seed};
    auto r = sim.try_block_on(group_schedule(seed, n, p));
    ASSERT_TRUE(r.has_value()) << "seed " << seed << ": " << r.error().message();
    const explored& o = r.value();
    ASSERT_EQ(o.keys, (std::vector<int>{0, 1, 2, 3})) << "seed " << seed;
    for (int k = 0; k < 4; ++k) {
      std::vector<int> want;
      for (int i = k; i < n; i += 4) want.push_back(i);
      ASSERT_EQ(o.groups[static_cast<std::size_t>(k)], want) << "seed " << seed << " key " << k;
    }
    ASSERT_EQ(o.errors, (std::vector<std::uint64_t>{12, 25, 38})) << "seed " << seed;
    sim.run();
    ASSERT_EQ(sim.live_tasks(), 0u) << "seed " << seed;
  }
}

}  // namespace
}  // namespace eddy_stream_test::group_by_test
