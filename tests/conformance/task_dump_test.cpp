// SPDX-License-Identifier: BSL-1.0
// Conformance: `runtime::dump` on every runtime. A known situation (a task blocked on a named
// channel, one on a held mutex, one sleeping, one joining another) gives known lines: who,
// spawned where, by whom, waiting on what, and the chain of frames down to the suspension.
#include <string>
#include <string_view>
#include <vector>

#include "conformance/runtimes.hpp"

namespace eddy_test::conformance_task_dump_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class task_dump_conformance : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(task_dump_conformance, eddy_test::all_runtimes, eddy_test::runtime_names);

namespace {

// Joins its arguments (operator+ on strings trips g++ 12's -Wrestrict false positive).
template <class... S>
std::string cat(const S&... parts) {
  std::string r;
  (r.append(std::string_view(parts)), ...);
  return r;
}

[[maybe_unused]] constexpr int recv_line = __LINE__ + 2;  // the co_await in recv_one
task<int> recv_one(mpsc::receiver<int>& rx) {
  auto v = co_await rx.recv();
  co_return v ? *v : -1;
}
[[maybe_unused]] constexpr int consume_line = __LINE__ + 2;  // the co_await in consume
task<void> consume(mpsc::receiver<int> rx) {
  (void)co_await recv_one(rx);
}
task<void> hold(mutex* m, notify* release) {
  auto g = co_await m->lock();
  co_await release->notified();
}
task<void> take(mutex* m) {
  auto g = co_await m->lock();
}
task<void> nap() {
  co_await sleep(1h);
}
task<void> join_it(join_handle<void> h) {
  (void)co_await h;
}

// The line of `dump` that describes the task named `name`, and the lines under it.
std::string_view task_lines(std::string_view dump, std::string_view name) {
  const std::string key = cat("'", name, "' spawned at ");
  std::size_t at = dump.find(key);
  if (at == std::string_view::npos) return {};
  at = dump.rfind('\n', at) + 1;
  std::size_t end = dump.find("\ntask ", at);
  return dump.substr(at, end == std::string_view::npos ? end : end + 1 - at);
}

// The id in "task <id> ..." at the start of `lines`.
std::string id_of(std::string_view lines) {
  lines.remove_prefix(5);
  return std::string(lines.substr(0, lines.find(' ')));
}

bool has(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

// The frame line that starts with `head` ("    co_await at file:12 in "), up to its end: the
// function's name as the compiler spells it (a bare name, or a whole signature).
[[maybe_unused]] std::string_view frame_line(std::string_view lines, std::string_view head) {
  const std::size_t at = lines.find(head);
  if (at == std::string_view::npos) return {};
  const std::size_t end = lines.find('\n', at + head.size());
  return lines.substr(at + head.size(), end - at - head.size());
}

}  // namespace

TYPED_TEST(task_dump_conformance, lists_who_waits_on_what) {
  mutex m{"state"};
  notify release;
  auto [tx, rx] = mpsc::channel<int>(4, "jobs");
  std::string dump;
  this->f.block_on([](TypeParam* f, mutex* m, notify* release, mpsc::receiver<int> rx,
                      mpsc::sender<int>* tx, std::string* dump) -> task<void> {
    const executor ex = current_executor();
    auto holder = spawn(ex, hold(m, release), "holder");
    while (!m->is_locked()) co_await yield_now();
    auto consumer = spawn(ex, consume(std::move(rx)), "consumer");
    auto locker = spawn(ex, take(m), "locker");
    auto sleeper = spawn(ex, nap(), "sleeper");
    auto joiner = spawn(ex, join_it(std::move(consumer)), "joiner");
    // Until all five wait (on a thread pool they start on other workers); bounded.
    for (int i = 0; i < 200000; ++i) {
      *dump = f->rt.dump_string();
      std::size_t waiting = 0;
      for (std::size_t p = 0; (p = dump->find(": waiting on ", p)) != std::string::npos; ++p)
        ++waiting;
      if (waiting == 5) break;
      co_await yield_now();
    }
    { mpsc::sender<int> last = std::move(*tx); }  // the consumer's recv ends
    release->notify_one();
    sleeper.abort();
    (void)co_await holder;
    (void)co_await locker;
    (void)co_await sleeper;
    (void)co_await joiner;
  }(&this->f, &m, &release, std::move(rx), &tx, &dump));

  SCOPED_TRACE(dump);
  EXPECT_TRUE(has(dump, "eddy task dump: 6 live tasks\n"));
  EXPECT_TRUE(has(dump, ": running (the caller)\n"));
  const std::string file = __FILE__;
  const std::string_view holder = task_lines(dump, "holder");
  const std::string_view consumer = task_lines(dump, "consumer");
  const std::string_view locker = task_lines(dump, "locker");
  const std::string_view sleeper = task_lines(dump, "sleeper");
  const std::string_view joiner = task_lines(dump, "joiner");
  ASSERT_FALSE(holder.empty() || consumer.empty() || locker.empty() || sleeper.empty() ||
               joiner.empty());

  EXPECT_TRUE(has(holder, cat("spawned at ", file, ":"))) << holder;
  EXPECT_TRUE(has(holder, ": waiting on notify::notified\n")) << holder;
  EXPECT_TRUE(has(consumer, ": waiting on mpsc::recv on channel 'jobs'\n")) << consumer;
  EXPECT_TRUE(
      has(locker, cat(": waiting on mutex::lock 'state' (held by task ", id_of(holder), ")\n")))
      << locker;
  EXPECT_TRUE(has(sleeper, ": waiting on sleep until ")) << sleeper;
  if (TypeParam::virtual_time) {
    EXPECT_TRUE(has(sleeper, "sleep until 3600.000 s\n")) << sleeper;
  }
  EXPECT_TRUE(has(joiner, cat(": waiting on join of task ", id_of(consumer), "\n"))) << joiner;
  // Every task was spawned by the root task.
  const std::string_view root = std::string_view(dump).substr(dump.find("\ntask ") + 1);
  EXPECT_TRUE(has(consumer, cat(" by task ", id_of(root), ": "))) << consumer;
#if EDDY_TASK_FRAMES
  // The frame chain, from the root frame down to the suspension.
  const std::string awaits =
      cat("\n    co_await at ", file, ":", std::to_string(consume_line), " in ");
  const std::string suspended = cat("suspended at ", file, ":", std::to_string(recv_line), " in ");
  EXPECT_TRUE(has(frame_line(consumer, awaits), "consume")) << consumer;
  // The suspension is the line right after the awaiting frame's.
  EXPECT_TRUE(has(consumer, cat(frame_line(consumer, awaits), "\n    ", suspended))) << consumer;
  EXPECT_TRUE(has(frame_line(consumer, cat("\n    ", suspended)), "recv_one")) << consumer;
#endif
}

// The runtime keeps its live tasks in several lists (by id); a dump shows them all, in spawn
// order, whichever list holds them.
TYPED_TEST(task_dump_conformance, lists_every_live_task_oldest_first) {
  constexpr int waiting = 20;  // more tasks than the runtime has lists
  notify release;
  std::string dump;
  this->f.block_on([](TypeParam* f, notify* release, std::string* dump) -> task<void> {
    const executor ex = current_executor();
    std::vector<join_handle<void>> hs;
    for (int i = 0; i < waiting; ++i)
      hs.push_back(spawn(ex, [](notify* n) -> task<void> { co_await n->notified(); }(release)));
    // Until all of them wait (on a thread pool they start on other workers); bounded.
    for (int i = 0; i < 200000; ++i) {
      *dump = f->rt.dump_string();
      std::size_t n = 0;
      for (std::size_t p = 0; (p = dump->find(": waiting on ", p)) != std::string::npos; ++p) ++n;
      if (n == waiting) break;
      co_await yield_now();
    }
    release->notify_waiters();
    for (auto& h : hs) (void)co_await h;
  }(&this->f, &release, &dump));

  SCOPED_TRACE(dump);
  EXPECT_TRUE(has(dump, cat("eddy task dump: ", std::to_string(waiting + 1), " live tasks\n")));
  std::vector<std::uint64_t> ids;
  for (std::size_t p = 0; (p = dump.find("\ntask ", p)) != std::string::npos; ++p)
    ids.push_back(std::stoull(id_of(std::string_view(dump).substr(p + 1))));
  ASSERT_EQ(ids.size(), std::size_t{waiting + 1});
  for (std::size_t i = 1; i < ids.size(); ++i) EXPECT_LT(ids[i - 1], ids[i]) << i;
}

}  // namespace eddy_test::conformance_task_dump_test
