// SPDX-License-Identifier: BSL-1.0
#include "eddy/runtime/scope.hpp"

namespace eddy {
namespace detail {

void spawn_misuse(const char* what) {
  panic(what);
}

scope_state::scope_state(scope_policy p) noexcept
    : task_header::observer{&on_child_complete}, policy_(p) {}

void scope_state::add_ref() noexcept {
  refs_.fetch_add(1, std::memory_order_relaxed);
}
void scope_state::release() noexcept {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

bool scope_state::adopt(task_header* child) noexcept {
  add_ref();  // released when the child completes
  lock_guard<spin_lock> g(lock);
  child->observed()->next = children_;
  if (children_) children_->observed()->prev = child;
  children_ = child;
  ++live_;
  return cancelled;
}

void scope_state::cancel() noexcept {
  lock_guard<spin_lock> g(lock);
  cancelled = true;
  for (task_header* c = children_; c; c = c->observed()->next) c->abort();
}

std::size_t scope_state::live() noexcept {
  lock_guard<spin_lock> g(lock);
  return live_;
}

void scope_state::on_child_complete(observer* o, task_header* t, const error* e) noexcept {
  auto* self = static_cast<scope_state*>(o);
  {
    lock_guard<spin_lock> g(self->lock);
    self->children_ = task_header::unlink(self->children_, t);
    --self->live_;
    if (e && e->code() != errc::aborted) self->note_error(*e);
    if (self->live_ == 0 && self->joiner) {
      const waker w = self->joiner;
      self->joiner = waker{};
      w.wake();
    }
  }
  t->release();     // the scope's reference to the child
  self->release();  // the child's reference to the scope
}

void scope_state::note_error(const error& e) noexcept {
  if (has_error) return;
  has_error = true;
  first_error = e;
  if (policy_ == scope_policy::cancel_on_error) {
    cancelled = true;
    for (task_header* c = children_; c; c = c->observed()->next) c->abort();
  }
}

void scope_state::fail(const error& e) noexcept {
  lock_guard<spin_lock> g(lock);
  note_error(e);
}

}  // namespace detail

scope::scope(scope_policy p) : state_(new detail::scope_state(p)) {}
scope::~scope() {
  state_->cancel();
  state_->release();
}

scope::join_awaiter::~join_awaiter() {
  if (registered_) {
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    s_->joiner = waker{};
  }
}
bool scope::join_awaiter::await_ready() noexcept {
  return s_->live() == 0;
}
bool scope::join_awaiter::await_suspend(coro::coroutine_handle<> h) noexcept {
  detail::lock_guard<detail::spin_lock> g(s_->lock);
  if (s_->live_ == 0) return false;
  static constexpr detail::wait_kind join_wait{"scope::join", nullptr};
  s_->joiner = detail::suspend_here(h, join_wait);
  registered_ = true;
  return true;
}
result<void> scope::join_awaiter::await_resume() noexcept {
  registered_ = false;
  detail::lock_guard<detail::spin_lock> g(s_->lock);
  if (s_->has_error) return s_->first_error;
  return {};
}

}  // namespace eddy
