// SPDX-License-Identifier: BSL-1.0
// trace_recorder: the Chrome trace it writes parses, its spans match the polls and do not
// overlap on a track, and each wake's flow starts in the waking poll and ends at a later poll.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <eddy/eddy.hpp>
#include <eddy/runtime/trace_recorder.hpp>

#if __has_include(<nlohmann/json.hpp>)
#include <nlohmann/json.hpp>
#define EDDY_TEST_HAVE_JSON 1
#else
#define EDDY_TEST_HAVE_JSON 0
#endif

namespace eddy_test::unit_trace_recorder_test {

using namespace eddy;

namespace {
task<void> pong(mpsc::receiver<int> rx, mpsc::sender<int> back) {
  while (auto v = co_await rx.recv()) (void)co_await back.send(*v + 1);
}
task<int> ping_pong(int rounds) {
  auto [tx, rx] = mpsc::channel<int>(1);
  auto [btx, brx] = mpsc::channel<int>(1);
  auto p = spawn(pong(std::move(rx), std::move(btx)), "pong");
  int last = 0;
  for (int i = 0; i < rounds; ++i) {
    (void)co_await tx.send(i);
    last = *co_await brx.recv();
    if (i % 4 == 0) co_await yield_now();
  }
  { auto drop = std::move(tx); }
  (void)co_await p;
  co_return last;
}

#if EDDY_TEST_HAVE_JSON
std::int64_t ns(const nlohmann::json& v) {
  return std::llround(v.get<double>() * 1000.0);
}

struct span {
  std::int64_t start, end;
  std::string name;
};

// Checks the trace's structure; returns the number of spans. `full`: nothing was dropped, so
// every flow has its start, its end and the polls they belong to.
std::size_t check_trace(const std::string& text, std::size_t* flows_out, bool full = true) {
  const nlohmann::json doc = nlohmann::json::parse(text);
  EXPECT_TRUE(doc.is_object());
  const auto& evs = doc.at("traceEvents");
  EXPECT_TRUE(evs.is_array());
  std::map<int, std::vector<span>> tracks;
  std::map<std::uint64_t, std::pair<int, std::int64_t>> starts, ends;
  std::size_t named_threads = 0;
  for (const auto& e : evs) {
    const std::string ph = e.at("ph").get<std::string>();
    EXPECT_EQ(e.at("pid").get<int>(), 1);
    const int tid = e.at("tid").get<int>();
    if (ph == "M") {
      if (e.at("name") == "thread_name") ++named_threads;
      continue;
    }
    const std::int64_t ts = ns(e.at("ts"));
    if (ph == "X") {
      EXPECT_EQ(e.at("cat"), "poll");
      EXPECT_GT(e.at("args").at("task").get<std::uint64_t>(), 0u);
      tracks[tid].push_back(span{ts, ts + ns(e.at("dur")), e.at("name").get<std::string>()});
    } else if (ph == "s") {
      starts[e.at("id").get<std::uint64_t>()] = {tid, ts};
    } else if (ph == "f") {
      EXPECT_EQ(e.at("bp"), "e");
      ends[e.at("id").get<std::uint64_t>()] = {tid, ts};
    } else {
      ADD_FAILURE() << "unexpected phase " << ph;
    }
  }
  EXPECT_EQ(named_threads, tracks.size());
  std::size_t spans = 0;
  for (auto& [tid, v] : tracks) {
    std::sort(v.begin(), v.end(), [](const span& a, const span& b) { return a.start < b.start; });
    for (std::size_t i = 0; i < v.size(); ++i) {
      EXPECT_LE(v[i].start, v[i].end);
      if (i + 1 < v.size()) {
        EXPECT_LE(v[i].end, v[i + 1].start) << "overlap on track " << tid;
      }
    }
    spans += v.size();
  }
  auto inside = [&](int tid, std::int64_t ts, bool at_start) {
    for (const span& s : tracks[tid])
      if (at_start ? s.start == ts : (s.start <= ts && ts <= s.end)) return true;
    return false;
  };
  std::size_t flows = 0;
  if (!full) {
    *flows_out = 0;
    return spans;
  }
  for (const auto& [id, s] : starts) {
    EXPECT_TRUE(inside(s.first, s.second, false)) << "flow " << id << " starts outside a poll";
    auto f = ends.find(id);
    if (f == ends.end()) continue;  // the woken task never ran again (it was aborted)
    ++flows;
    EXPECT_LE(s.second, f->second.second) << "flow " << id << " ends before it starts";
    EXPECT_TRUE(inside(f->second.first, f->second.second, true))
        << "flow " << id << " does not end at a poll's start";
  }
  for (const auto& [id, f] : ends) EXPECT_TRUE(starts.count(id)) << "flow " << id;
  *flows_out = flows;
  return spans;
}
#endif
}  // namespace

#if EDDY_HAS_THREADS
TEST(trace_recorder, thread_pool_trace_matches_the_polls) {
#if !EDDY_TEST_HAVE_JSON
  GTEST_SKIP() << "nlohmann-json3-dev is not installed";
#else
  thread_pool pool{2};
  trace_recorder rec{1 << 16};
  ASSERT_TRUE(rec.attach(pool));
  EXPECT_FALSE(rec.attach(pool));  // once
  pool.enable_metrics(true);
  EXPECT_EQ(pool.block_on(ping_pong(200)), 200);
  ASSERT_TRUE(rec.detach());
  EXPECT_EQ(pool.installed_task_hooks(), nullptr);
  EXPECT_EQ(rec.dropped(), 0u);
  std::size_t flows = 0;
  const std::size_t spans = check_trace(rec.to_json(), &flows);
  EXPECT_EQ(spans, rec.polls());
  EXPECT_EQ(spans, pool.metrics().polls);  // the hooks and the metrics saw the same polls
  EXPECT_GE(spans, 400u);
  EXPECT_GE(flows, 100u);  // the sends and receives wake each other
  EXPECT_NE(rec.to_json().find("\"name\":\"pong\""), std::string::npos);
#endif
}

#endif

TEST(trace_recorder, sim_trace_is_well_formed) {
#if !EDDY_TEST_HAVE_JSON
  GTEST_SKIP() << "nlohmann-json3-dev is not installed";
#else
  sim_runtime sim{7};
  trace_recorder rec;
  ASSERT_TRUE(rec.attach(sim));
  EXPECT_EQ(sim.block_on(ping_pong(20)), 20);
  ASSERT_TRUE(rec.detach());
  std::size_t flows = 0;
  EXPECT_EQ(check_trace(rec.to_json(), &flows), rec.polls());
  EXPECT_GE(flows, 20u);
#endif
}

TEST(trace_recorder, bounded_memory_counts_what_did_not_fit) {
  local_runtime rt;
  trace_recorder rec{8};
  ASSERT_TRUE(rec.attach(rt));
  rt.block_on(ping_pong(50));
  ASSERT_TRUE(rec.detach());
  EXPECT_EQ(rec.recorded(), 8u);
  EXPECT_GT(rec.dropped(), 0u);
  EXPECT_GT(rec.polls(), 8u);
#if EDDY_TEST_HAVE_JSON
  std::size_t flows = 0;
  (void)check_trace(rec.to_json(), &flows, false);  // still a valid trace
#endif
}

TEST(trace_recorder, refuses_while_tasks_live_and_when_hooks_are_taken) {
  local_runtime rt;
  trace_recorder a, b;
  rt.block_on([](runtime* r, trace_recorder* rec) -> task<void> {
    EXPECT_FALSE(rec->attach(*r));
    co_return;
  }(&rt, &a));
  ASSERT_TRUE(a.attach(rt));
  EXPECT_FALSE(b.attach(rt));  // one set of hooks per runtime
  EXPECT_TRUE(a.detach());
  EXPECT_TRUE(b.detach());  // not attached: nothing to do
}

}  // namespace eddy_test::unit_trace_recorder_test
