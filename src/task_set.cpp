// SPDX-License-Identifier: BSL-1.0
#include "eddy/runtime/task_set.hpp"

#include <new>

#include "eddy/core/panic.hpp"

namespace eddy {
namespace detail {

task_set_state::task_set_state() noexcept : task_header::observer{&on_child_complete} {}

task_set_state* new_task_set_state() {
  auto* s = new (std::nothrow) task_set_state;
  if (!s) panic("eddy::task_set: out of memory");
  return s;
}

void task_set_state::release() noexcept {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

void task_set_state::adopt(task_header* child) noexcept {
  refs_.fetch_add(1, std::memory_order_relaxed);  // released when the child completes
  lock_guard<spin_lock> g(lock);
  child->observed()->next = running_list_;
  if (running_list_) running_list_->observed()->prev = child;
  running_list_ = child;
  ++running_;
}

void task_set_state::fail() noexcept {
  lock_guard<spin_lock> g(lock);
  ++failures_;
  if (joiner) {
    const waker w = joiner;
    joiner = waker{};
    w.wake();
  }
}

void task_set_state::abort_all() noexcept {
  lock_guard<spin_lock> g(lock);
  for (task_header* c = running_list_; c; c = c->observed()->next) c->abort();
}

std::size_t task_set_state::size() noexcept {
  lock_guard<spin_lock> g(lock);
  return running_ + done_ + failures_;
}

task_header* task_set_state::pop_locked(bool* failed) noexcept {
  if (failures_) {
    --failures_;
    *failed = true;
    return nullptr;
  }
  task_header* c = done_head_;
  if (!c) return nullptr;
  done_head_ = c->observed()->next;
  if (!done_head_) done_tail_ = nullptr;
  c->observed()->next = nullptr;
  --done_;
  return c;
}

void task_set_state::drop() noexcept {
  task_header* finished;
  {
    lock_guard<spin_lock> g(lock);
    dropped_ = true;
    joiner = waker{};
    for (task_header* c = running_list_; c; c = c->observed()->next) c->abort();
    finished = done_head_;
    done_head_ = done_tail_ = nullptr;
    done_ = failures_ = 0;
  }
  while (finished) {  // their results are dropped here
    task_header* next = finished->observed()->next;
    finished->release();
    finished = next;
  }
  release();  // the set's reference
}

void task_set_state::on_child_complete(observer* o, task_header* t, const error*) noexcept {
  auto* self = static_cast<task_set_state*>(o);
  bool drop_child;
  {
    lock_guard<spin_lock> g(self->lock);
    self->running_list_ = task_header::unlink(self->running_list_, t);
    --self->running_;
    drop_child = self->dropped_;
    if (!drop_child) {  // completion order: append to the FIFO of finished children
      if (self->done_tail_)
        self->done_tail_->observed()->next = t;
      else
        self->done_head_ = t;
      self->done_tail_ = t;
      ++self->done_;
      if (self->joiner) {
        const waker w = self->joiner;
        self->joiner = waker{};
        w.wake();
      }
    }
  }
  if (drop_child) t->release();  // the set is gone: nobody joins this child
  self->release();               // the child's reference to the state
}

}  // namespace detail
}  // namespace eddy
