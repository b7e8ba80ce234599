// SPDX-License-Identifier: BSL-1.0
// Conformance: post(ex, f) on every runtime: the callable runs once, never inline, on the
// executor (current_executor() inside it), from a task or from a plain thread; its exception
// goes to the runtime's unhandled-error hook; try_post reports an empty executor as a value.
#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

#include <eddy/runtime/post.hpp>

#include "conformance/runtimes.hpp"

#if EDDY_HAS_THREADS
#include <thread>
#endif

namespace eddy_test::conformance_post_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class post_conformance : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(post_conformance, eddy_test::all_runtimes, eddy_test::runtime_names);

namespace {
// What posted callables share with the test; owned by them too (shared_ptr), so that a callable
// still inside `notify_one` after it woke the test's task never touches a destroyed object.
struct shared_state {
  notify done;
  std::atomic<int> runs{0};
  std::atomic<bool> right_executor{false};
};
}  // namespace

TYPED_TEST(post_conformance, runs_once_soon_never_inline_on_its_executor) {
  executor ex = this->f.ex();
  this->f.block_on([](executor ex) -> task<void> {
    auto st = std::make_shared<shared_state>();
    auto owned = std::make_unique<int>(41);  // a move-only callable
    post(ex, [ex, st, p = std::move(owned)] {
      st->right_executor.store(current_executor() == ex && *p == 41);
      st->runs.fetch_add(1);
      st->done.notify_one();
    });
    co_await st->done.notified();
    EXPECT_EQ(st->runs.load(), 1);
    EXPECT_TRUE(st->right_executor.load());
  }(ex));
}

TYPED_TEST(post_conformance, not_inline_even_from_the_runtime_itself) {
  if (TypeParam::threads > 1) GTEST_SKIP() << "another worker may run it at once";
  this->f.block_on([](executor ex) -> task<void> {
    int runs = 0;
    notify done;
    post(ex, [&] {
      ++runs;
      done.notify_one();
    });
    EXPECT_EQ(runs, 0);  // one thread, and this task is running: it cannot have run
    co_await done.notified();
    EXPECT_EQ(runs, 1);
  }(this->f.ex()));
}

TYPED_TEST(post_conformance, posts_from_a_plain_thread_and_keeps_count) {
#if !EDDY_HAS_THREADS
  GTEST_SKIP() << "no threads";
#else
  // sim_runtime reports a deadlock when it is idle: work from outside must not be awaited there
  if (TypeParam::virtual_time) GTEST_SKIP() << "sim: no waiting for other threads";
  this->f.block_on([](executor ex) -> task<void> {
    constexpr int n = 100;
    auto st = std::make_shared<shared_state>();
    std::thread t([ex, st] {
      for (int i = 0; i < n; ++i) {
        post(ex, [st] {
          if (st->runs.fetch_add(1) + 1 == n) st->done.notify_one();
        });
      }
    });
    co_await st->done.notified();
    t.join();
    EXPECT_EQ(st->runs.load(), n);
  }(this->f.ex()));
#endif
}

TYPED_TEST(post_conformance, try_post_reports_an_empty_executor) {
  auto st = std::make_shared<shared_state>();
  result<void> r = try_post(executor{}, [st] { st->runs.fetch_add(1); });
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::invalid_argument);
  EXPECT_EQ(st->runs.load(), 0);
  r = try_post(this->f.ex(), [st] { st->runs.fetch_add(1); });
  EXPECT_TRUE(r.has_value());
  this->f.block_on([](shared_state* st) -> task<void> {
    while (st->runs.load() == 0) co_await yield_now();
  }(st.get()));
  EXPECT_EQ(st->runs.load(), 1);
}

#if EDDY_HAS_EXCEPTIONS
TYPED_TEST(post_conformance, an_exception_goes_to_the_unhandled_error_hook) {
  struct seen {
    detail::spin_lock lock;
    std::string message;
    bool right = false;
    runtime* expected = nullptr;
    notify n;
    static void hook(const unhandled_error& e, void* ctx) noexcept {
      auto* self = static_cast<seen*>(ctx);
      {
        detail::lock_guard<detail::spin_lock> g(self->lock);
        self->message = e.err.message();
        self->right = &e.rt == self->expected && e.err.code() == errc::exception;
      }
      self->n.notify_one();
    }
  } s;
  s.expected = &this->f.rt;
  this->f.rt.set_unhandled_error_hook(&seen::hook, &s);
  this->f.block_on([](executor ex, seen* s) -> task<void> {
    post(ex, [] { throw std::runtime_error("boom in a posted callable"); });
    co_await s->n.notified();
  }(this->f.ex(), &s));
  this->f.rt.set_unhandled_error_hook(nullptr);
  EXPECT_EQ(s.message, "boom in a posted callable");
  EXPECT_TRUE(s.right);
}

TYPED_TEST(post_conformance, post_panics_on_an_empty_executor) {
  EXPECT_THROW(post(executor{}, [] {}), panic_error);
}
#endif

}  // namespace eddy_test::conformance_post_test
