// SPDX-License-Identifier: BSL-1.0
// A thread-safe `task_hooks` that counts what it sees and checks that polls pair up (shared by
// the conformance, wasm and firmware cases of the task hooks).
#pragma once
#include <atomic>

#include <eddy/runtime/task_hooks.hpp>

namespace eddy_test {

struct counting_hooks {
  std::atomic<int> spawns{0}, ends{0}, before{0}, after{0}, wakes{0}, wakes_by_task{0};
  std::atomic<int> ended[4] = {};  // by eddy::task_end
  std::atomic<bool> bad_pairing{false};
  eddy::task_hooks h;

  counting_hooks() {
    h.ctx = this;
    h.on_spawn = [](void* c, eddy::task_view t) noexcept {
      if (!t || t.id() == 0) self(c).bad_pairing = true;
      self(c).spawns.fetch_add(1);
    };
    h.on_terminate = [](void* c, eddy::task_view, eddy::task_end how) noexcept {
      self(c).ends.fetch_add(1);
      self(c).ended[static_cast<int>(how)].fetch_add(1);
    };
    h.before_poll = [](void* c, eddy::task_view t) noexcept {
      if (depth()++ != 0) self(c).bad_pairing = true;  // a poll inside a poll
      polled() = t.id();
      self(c).before.fetch_add(1);
    };
    h.after_poll = [](void* c, eddy::task_view t) noexcept {
      if (--depth() != 0 || polled() != t.id()) self(c).bad_pairing = true;
      self(c).after.fetch_add(1);
    };
    h.on_wake = [](void* c, eddy::task_view waker, eddy::task_view woken) noexcept {
      if (!woken) self(c).bad_pairing = true;
      self(c).wakes.fetch_add(1);
      if (waker) self(c).wakes_by_task.fetch_add(1);
    };
  }
  int ended_how(eddy::task_end e) const { return ended[static_cast<int>(e)].load(); }

 private:
  static counting_hooks& self(void* c) { return *static_cast<counting_hooks*>(c); }
  static int& depth() {
    static EDDY_THREAD_LOCAL int d = 0;
    return d;
  }
  static std::uint64_t& polled() {
    static EDDY_THREAD_LOCAL std::uint64_t id = 0;
    return id;
  }
};

}  // namespace eddy_test
