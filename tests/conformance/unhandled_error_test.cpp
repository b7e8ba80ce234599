// SPDX-License-Identifier: BSL-1.0
// Conformance: an exception escaping a detached task is never silently dropped. Each runtime
// calls its unhandled-error hook (default: one line on stderr), and `error::message()` carries
// the exception's `what()`. Joined tasks, scope children, error values and handles dropped
// after the task finished are not reported.
#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "conformance/runtimes.hpp"

#if EDDY_HAS_EXCEPTIONS

namespace eddy_test::conformance_unhandled_error_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class unhandled_error_hook : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(unhandled_error_hook, eddy_test::all_runtimes, eddy_test::runtime_names);

namespace {
// What a hook saw; signals a waiting task for each report.
struct reports {
  detail::spin_lock lock;
  std::vector<std::string> messages;  // under lock
  std::vector<bool> right_runtime;    // under lock
  runtime* expected = nullptr;
  notify seen;
  static void hook(const unhandled_error& e, void* ctx) noexcept {
    auto* self = static_cast<reports*>(ctx);
    {
      detail::lock_guard<detail::spin_lock> g(self->lock);
      self->messages.emplace_back(e.err.message());
      self->right_runtime.push_back(&e.rt == self->expected && e.task_name == nullptr &&
                                    e.err.code() == errc::exception);
    }
    self->seen.notify_one();
  }
  std::size_t count() {
    detail::lock_guard<detail::spin_lock> g(lock);
    return messages.size();
  }
};

// Each fails once `go` is cancelled: after the test has dropped or detached the handle.
task<int> throws_when(cancellation_token go, const char* what) {
  co_await go.cancelled();
  throw std::runtime_error(what);
}
task<int> throws_int_when(cancellation_token go) {
  co_await go.cancelled();
  throw 42;
}
task<result<int>> error_value_when(cancellation_token go) {
  co_await go.cancelled();
  co_return error{errc::user, 7};
}
// Gives the other tasks a few chances to run (and report) on every runtime.
task<void> settle() {
  for (int i = 0; i < 5; ++i) co_await sleep(1ms);
}
}  // namespace

TYPED_TEST(unhandled_error_hook, a_detached_task_that_throws_is_reported_with_its_what) {
  reports rep;
  rep.expected = &this->f.rt;
  this->f.rt.set_unhandled_error_hook(&reports::hook, &rep);
  this->f.block_on([](reports* rep) -> task<void> {
    cancellation_token go;
    spawn(throws_when(go, "boom in a detached task")).detach();  // detached while running
    { auto dropped = spawn(throws_int_when(go)); }               // dropped while running
    go.cancel();
    co_await rep->seen.notified();
    co_await rep->seen.notified();
  }(&rep));
  this->f.rt.set_unhandled_error_hook(nullptr);
  ASSERT_EQ(rep.count(), 2u);
  std::vector<std::string> got = rep.messages;
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"boom in a detached task",
                                           "exception (not derived from std::exception)"}));
  EXPECT_EQ(rep.right_runtime, (std::vector<bool>{true, true}));
}

TYPED_TEST(unhandled_error_hook, what_is_not_reported) {
  reports rep;
  rep.expected = &this->f.rt;
  this->f.rt.set_unhandled_error_hook(&reports::hook, &rep);
  auto joined_message = this->f.block_on([]() -> task<std::string> {
    cancellation_token go;
    go.cancel();
    // 1. joined: the joiner gets the error, with the what() as its message
    auto h = spawn(throws_when(go, "joined"));
    auto r = co_await h;
    std::string msg = r.has_value() ? "" : r.error().message();
    // 2. a scope's child: the scope's join gets it
    scope s;
    (void)s.spawn(throws_when(go, "in a scope"));
    auto sr = co_await s.join();
    if (sr.has_value() || std::string(sr.error().message()) != "in a scope") msg += "!scope";
    // 3. an error value, detached: it was returned on purpose
    cancellation_token go_later;
    spawn(error_value_when(go_later)).detach();
    go_later.cancel();
    // 4. a handle dropped after the task finished: the owner could have joined it
    auto late = spawn(throws_when(go, "dropped late"));
    while (!late.is_finished()) co_await sleep(1ms);
    late = join_handle<int>{};
    co_await settle();
    co_return msg;
  }());
  this->f.rt.set_unhandled_error_hook(nullptr);
  EXPECT_EQ(joined_message, "joined");
  EXPECT_EQ(rep.count(), 0u);
}

// A handle consumed by `co_await std::move(h)` belongs to the join: when the joiner is aborted
// while it waits, the task is detached, and the exception it ends with later is reported.
TYPED_TEST(unhandled_error_hook, a_consumed_handle_whose_joiner_is_aborted_is_detached) {
  reports rep;
  rep.expected = &this->f.rt;
  this->f.rt.set_unhandled_error_hook(&reports::hook, &rep);
  const bool emptied = this->f.block_on([](reports* rep) -> task<bool> {
    cancellation_token go, joining;
    auto worker = spawn(throws_when(go, "consumed, then abandoned"));
    auto joiner = spawn([](join_handle<int>* w, cancellation_token j) -> task<int> {
      j.cancel();  // an abort from here on takes effect at the join's suspension
      auto r = co_await std::move(*w);
      co_return r.value();
    }(&worker, joining));
    co_await joining.cancelled();
    joiner.abort();
    auto j = co_await joiner;
    EXPECT_EQ(j.error().code(), errc::aborted);
    const bool empty = !worker.valid();  // the joiner's end is seen after its join
    go.cancel();
    for (int i = 0; i < 5000 && rep->count() == 0; ++i) co_await sleep(1ms);
    co_return empty;
  }(&rep));
  this->f.rt.set_unhandled_error_hook(nullptr);
  EXPECT_TRUE(emptied);
  ASSERT_EQ(rep.count(), 1u);
  EXPECT_EQ(rep.messages[0], "consumed, then abandoned");
}

#if !defined(__EMSCRIPTEN__)
// The default hook (no hook set, or reset with nullptr): one line on stderr (the browser
// console under Emscripten, not captured here). Called directly, so that the line is written
// before it is read.
TYPED_TEST(unhandled_error_hook, the_default_hook_prints_one_line_on_stderr) {
  std::exception_ptr ex;
  try {
    throw std::runtime_error("default hook line");
  } catch (...) {
    ex = std::current_exception();
  }
  const error e = error::from_exception(ex);
  this->f.rt.set_unhandled_error_hook(nullptr);
  ::testing::internal::CaptureStderr();
  this->f.rt.report_unhandled_error(unhandled_error{e, nullptr, this->f.rt});
  this->f.rt.report_unhandled_error(unhandled_error{e, "worker", this->f.rt});
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err,
            "eddy: a detached task ended with an exception: default hook line\n"
            "eddy: detached task 'worker' ended with an exception: default hook line\n");
}
#endif

#if EDDY_HAS_THREADS
// Setting the hook is thread-safe: swapped from another thread while detached tasks fail, every
// report reaches one of the hooks and none after it was replaced by the default.
TYPED_TEST(unhandled_error_hook, setting_the_hook_races_reports) {
  static std::atomic<int> a{0}, b{0};
  a = 0;
  b = 0;
  auto hook_a = [](const unhandled_error&, void*) noexcept { a.fetch_add(1); };
  auto hook_b = [](const unhandled_error&, void*) noexcept { b.fetch_add(1); };
  this->f.rt.set_unhandled_error_hook(hook_a);
  std::atomic<bool> stop{false};
  std::thread swapper([&] {
    for (int i = 0; !stop.load(); ++i) {
      this->f.rt.set_unhandled_error_hook(i % 2 ? +hook_a : +hook_b);
    }
  });
  constexpr int n = 40;
  this->f.block_on([]() -> task<void> {
    cancellation_token go;
    for (int i = 0; i < n; ++i) spawn(throws_when(go, "x")).detach();
    go.cancel();
    for (int i = 0; i < 5000 && a.load() + b.load() < n; ++i) co_await sleep(1ms);
  }());
  stop = true;
  swapper.join();
  this->f.rt.set_unhandled_error_hook(nullptr);
  EXPECT_EQ(a.load() + b.load(), n);
}
#endif

}  // namespace eddy_test::conformance_unhandled_error_test

#endif  // EDDY_HAS_EXCEPTIONS
