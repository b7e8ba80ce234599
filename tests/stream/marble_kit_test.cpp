// SPDX-License-Identifier: BSL-1.0
// The public marble-test kit (eddy/testing/marble.hpp, eddy/testing/gtest.hpp): parsing,
// cold and hot sources, recording with exact virtual times, comparison and its messages, and
// the kit on a few time operators.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <chrono>
#include <eddy/eddy.hpp>
#include <eddy/testing/gtest.hpp>
#include <eddy/testing/marble.hpp>
#include <string>

namespace eddy_stream_test::marble_kit_test {

namespace {

using namespace eddy;
using namespace eddy::testing;
using namespace std::chrono_literals;

const marble_values<int> abc{{'a', 1}, {'b', 2}, {'c', 3}};

// ---- parsing ------------------------------------------------------------------------------

TEST(marble_parse, frames_groups_errors_and_the_end) {
  auto r = parse_marble<int>("-a-b-(c#|)", abc);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  const auto& ev = r.value().events;
  ASSERT_EQ(ev.size(), 5u);
  EXPECT_EQ(ev[0].frame, 1);
  EXPECT_EQ(ev[0].it->value(), 1);
  EXPECT_EQ(ev[1].frame, 3);
  EXPECT_EQ(ev[1].it->value(), 2);
  EXPECT_EQ(ev[2].frame, 5);
  EXPECT_EQ(ev[2].it->value(), 3);
  EXPECT_EQ(ev[3].frame, 5);
  ASSERT_TRUE(ev[3].it->is_error());
  EXPECT_EQ(ev[3].it->error(), marble_error());
  EXPECT_EQ(ev[4].frame, 5);
  EXPECT_FALSE(ev[4].it.has_value());
}

TEST(marble_parse, a_group_takes_one_frame_per_character_and_spaces_take_none) {
  auto r = parse_marble<int>(" -(ab)- c ", abc);
  ASSERT_TRUE(r.has_value());
  const auto& ev = r.value().events;
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].frame, 1);
  EXPECT_EQ(ev[1].frame, 1);
  EXPECT_EQ(ev[2].frame, 6);  // '(' 'a' 'b' ')' are frames 1-4, '-' is 5
}

TEST(marble_parse, malformed_marbles_name_the_position) {
  struct bad {
    const char* text;
    std::uint64_t at;
  };
  for (const bad& b : {bad{"-a-x", 3}, bad{"-(a(b))", 3}, bad{"-a)", 2}, bad{"-a|-", 3},
                       bad{"-()", 2}, bad{"-(ab", 4}, bad{"(a-)", 2}, bad{"-(a|b)", 3}}) {
    auto r = parse_marble<int>(b.text, abc);
    ASSERT_FALSE(r.has_value()) << b.text;
    EXPECT_EQ(r.error().code(), errc::invalid_argument) << b.text;
    EXPECT_EQ(r.error().count(), b.at) << b.text << ": " << r.error().message();
  }
}

TEST(marble_parse, a_custom_error_for_hash) {
  const error mine{errc::user, 42};
  auto r = parse_marble<int>("#", abc, mine);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r.value().events[0].it->error(), mine);
}

// ---- sources and recording ----------------------------------------------------------------

TEST(marble_kit, a_cold_marble_records_as_itself) {
  for (const char* m : {"-a--b|", "a", "(ab)-c-|", "--#-a|", "|", "---(a|)"}) {
    sim_runtime sim;
    auto out = sim.block_on(record(cold_marble<int>(m, abc), 1ms, 50));
    EDDY_EXPECT_MARBLE(out, m, abc);
  }
}

TEST(marble_kit, the_frame_sets_the_time_scale) {
  sim_runtime sim;
  auto out = sim.block_on([]() -> task<marble_events<int>> {
    const time_point t0 = now();
    auto r = co_await record(cold_marble<int>("-a-b|", abc, 10ms), 10ms);
    EXPECT_EQ(now() - t0, 40ms);  // the end at frame 4 of 10 ms
    co_return r;
  }());
  EDDY_EXPECT_MARBLE(out, "-a-b|", abc);
  // Recorded at 5 ms per frame, the same items fall on frames twice as far apart.
  sim_runtime sim2;
  auto fine = sim2.block_on(record(cold_marble<int>("-a-b|", abc, 10ms), 5ms));
  EDDY_EXPECT_MARBLE(fine, "--a---b-|", abc);
}

TEST(marble_kit, a_marble_without_an_end_is_cut_at_max_frames) {
  sim_runtime sim;
  auto out = sim.block_on([]() -> task<marble_events<int>> {
    const time_point t0 = now();
    auto r = co_await record(cold_marble<int>("-a-", abc), 1ms, 20);
    EXPECT_EQ(now() - t0, 20ms);
    co_return r;
  }());
  EDDY_EXPECT_MARBLE(out, "-a", abc);  // no end recorded
}

TEST(marble_kit, a_hot_marble_is_missed_by_a_late_subscriber) {
  sim_runtime sim;
  auto [early, late] =
      sim.block_on([]() -> task<std::pair<marble_events<int>, marble_events<int>>> {
        hot_marble<int> src("-a--b-c|", abc);
        auto first = src.subscribe();
        co_await sleep(2ms);  // after a (frame 1)
        auto second = src.subscribe();
        auto h = spawn(record(std::move(first)));
        auto l = co_await record(std::move(second));
        auto e = co_await h;
        co_return std::pair{std::move(e).value(), std::move(l)};
      }());
  // Both recordings start at frame 2 of the source: the early subscriber has a buffered, the
  // late one never sees it.
  EDDY_EXPECT_MARBLE(early, "a-b-c|", abc);
  EDDY_EXPECT_MARBLE(late, "--b-c|", abc);
}

TEST(marble_kit, a_hot_marble_seen_from_its_start_and_its_error_ends_it) {
  sim_runtime sim;
  auto out = sim.block_on([]() -> task<marble_events<int>> {
    hot_marble<int> src("-a-(b#|)", abc);
    co_return co_await record(src.subscribe());
  }());
  EDDY_EXPECT_MARBLE(out, "-a-(b#|)", abc);
}

TEST(marble_kit, a_hot_marble_rejects_items_after_an_error) {
  sim_runtime sim;
  auto out = sim.block_on([]() -> task<marble_events<int>> {
    hot_marble<int> src("-#-a|", abc);
    co_return co_await record(src.subscribe());
  }());
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(out.events[0].it->error().code(), errc::invalid_argument);
  EXPECT_FALSE(out.events[1].it.has_value());
}

TEST(marble_kit, a_malformed_cold_marble_yields_its_error) {
  sim_runtime sim;
  auto out = sim.block_on(record(cold_marble<int>("-a-z|", abc)));
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(out.events[0].it->error().code(), errc::invalid_argument);
  EXPECT_EQ(out.events[0].it->error().count(), 3u);
}

// ---- comparing ----------------------------------------------------------------------------

TEST(marble_compare, names_the_first_difference_and_draws_both_diagrams) {
  sim_runtime sim;
  auto out = sim.block_on(record(cold_marble<int>("-a--b|", abc)));
  marble_diff same = compare_marble(out, "-a--b|", abc);
  EXPECT_TRUE(same);
  EXPECT_EQ(same.actual, "-a--b|");
  EXPECT_TRUE(same.detail.empty());

  marble_diff late = compare_marble(out, "-a-b-|", abc);
  EXPECT_FALSE(late);
  EXPECT_EQ(late.actual, "-a--b|");
  EXPECT_EQ(late.expected, "-a-b-|");
  EXPECT_EQ(late.detail, "event 2: expected 'b' at frame 3, got it at frame 4");

  marble_diff wrong = compare_marble(out, "-a--c|", abc);
  EXPECT_FALSE(wrong);
  EXPECT_EQ(wrong.detail, "event 2: expected 'c' at frame 4, got 'b' at frame 4");

  marble_diff missing = compare_marble(out, "-a--b-c|", abc);
  EXPECT_FALSE(missing);
  EXPECT_EQ(missing.detail, "event 3: expected 'c' at frame 6, got the end at frame 5");

  marble_diff malformed = compare_marble(out, "-a--b|)", abc);
  EXPECT_FALSE(malformed);
  EXPECT_NE(malformed.detail.find("malformed at character 6"), std::string::npos);
}

TEST(marble_compare, unknown_values_and_foreign_errors_are_drawn_apart) {
  marble_events<int> rec;
  rec.events.push_back({0, item<int>(7)});
  rec.events.push_back({1, item<int>(error{errc::closed})});
  rec.events.push_back({1, item<int>(2)});
  rec.events.push_back({3, std::nullopt});
  EXPECT_EQ(format_marble(rec, abc), "?(!b)|");
  marble_diff d = compare_marble(rec, "a(#b)|", abc);
  EXPECT_FALSE(d);
  EXPECT_EQ(d.detail,
            "event 1: expected 'a' at frame 0, got a value that is not in the map at frame 0");
}

TEST(marble_compare, an_item_between_frames_fails_the_comparison) {
  sim_runtime sim;
  auto out = sim.block_on(record(cold_marble<int>("-a|", abc, 3ms), 2ms));
  EXPECT_TRUE(out.off_frame);
  marble_diff d = compare_marble(out, "-a-|", abc);
  EXPECT_FALSE(d);
  EXPECT_NE(d.detail.find("between two frame boundaries"), std::string::npos);
}

TEST(marble_compare, the_gtest_assertion_prints_both_diagrams) {
  sim_runtime sim;
  auto out = sim.block_on(record(cold_marble<int>("-a|", abc)));
  EXPECT_NONFATAL_FAILURE(
      EDDY_EXPECT_MARBLE(out, "a-|", abc),
      "expected: a-|\n    actual: -a|\n  event 1: expected 'a' at frame 0, got it at frame 1");
}

// ---- the kit on operators -----------------------------------------------------------------

TEST(marble_operators, map_keeps_the_frames) {
  const marble_values<int> v{{'a', 1}, {'b', 2}, {'x', 10}, {'y', 20}};
  sim_runtime sim;
  auto out =
      sim.block_on(record(cold_marble<int>("-a-#-b|", v) | map([](int x) { return x * 10; })));
  EDDY_EXPECT_MARBLE(out, "-x-#-y|", v);
}

TEST(marble_operators, delay_shifts_values_and_the_end_follows_the_last) {
  sim_runtime sim;
  auto out = sim.block_on(record(cold_marble<int>("-a-b|", abc) | delay(2ms)));
  EDDY_EXPECT_MARBLE(out, "---a-(b|)", abc);
}

TEST(marble_operators, debounce_emits_after_a_quiet_frame_count) {
  sim_runtime sim;
  auto out = sim.block_on([]() -> task<marble_events<int>> {
    hot_marble<int> src("-a--b-c--|", abc);
    co_return co_await record(src.subscribe() | debounce(2ms));
  }());
  // a is quiet from 1 to 3; c arrives exactly 2 frames after b, so b goes first; c is due at 8.
  EDDY_EXPECT_MARBLE(out, "---a--b-c|", abc);
}

}  // namespace

}  // namespace eddy_stream_test::marble_kit_test
