// SPDX-License-Identifier: BSL-1.0
#include "eddy/core/cancellation.hpp"

#include <new>
#include <utility>

#include "eddy/runtime/task_header.hpp"

namespace eddy {
namespace detail {

class token_state : public token_flag {
 public:
  explicit token_state(token_state* parent) noexcept : parent_(parent) {}

  void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    parent_link_.detach();  // drops the reference to the parent (may free it)
#if EDDY_HAS_STOP_TOKEN
    source_link_.detach();
    delete std_source_;
    delete std_follow_;
#endif
    delete this;
  }
  bool is_cancelled() const noexcept { return cancelled_.load(std::memory_order_acquire); }

  void cancel() noexcept {
    // Checked before the lock too: a callback may cancel its own token or an ancestor (whose
    // lock its thread holds); that is a no-op, not a deadlock.
    if (is_cancelled()) return;
    lock_guard<spin_lock> g(lock_);
    if (cancelled_.exchange(true, std::memory_order_acq_rel)) return;
    while (callback_node* c = head_) {
      unlink(c);
      c->fn_(c->ctx_);
    }
  }
  /// Links `c`; false (not linked) when already cancelled.
  bool link(callback_node* c) noexcept {
    lock_guard<spin_lock> g(lock_);
    if (is_cancelled()) return false;
    c->prev_ = nullptr;
    c->next_ = head_;
    if (head_) head_->prev_ = c;
    head_ = c;
    c->linked_ = true;
    return true;
  }
  void remove(callback_node* c) noexcept {
    lock_guard<spin_lock> g(lock_);  // also waits for a running cancel() to be done with c
    if (c->linked_) unlink(c);
  }

  /// Makes this state a child of `parent_` (the link holds a reference to the parent).
  void attach() noexcept { parent_link_.attach(parent_, true); }

#if EDDY_HAS_STOP_TOKEN
  std::stop_source* std_source_ = nullptr;  // lazily, under std_lock_
  struct follow {
    token_state* s;
    void operator()() const noexcept { s->cancel(); }
  };
  std::stop_callback<follow>* std_follow_ = nullptr;
  spin_lock std_lock_;
  static void request_stop(void* self) noexcept {
    static_cast<token_state*>(self)->std_source_->request_stop();
  }
  // On this state itself: no reference (it would keep the state alive for ever).
  callback_node source_link_{&request_stop, this};
#endif

 private:
  static void cancel_thunk(void* self) noexcept { static_cast<token_state*>(self)->cancel(); }
  void unlink(callback_node* c) noexcept {
    if (c->prev_)
      c->prev_->next_ = c->next_;
    else
      head_ = c->next_;
    if (c->next_) c->next_->prev_ = c->prev_;
    c->prev_ = c->next_ = nullptr;
    c->linked_ = false;
  }

  std::atomic<std::uint32_t> refs_{1};
  spin_lock lock_;
  callback_node* head_ = nullptr;
  token_state* parent_;
  callback_node parent_link_{&cancel_thunk, this};  // on the parent's list
};

/// The whole state behind a token's flag (null stays null).
inline token_state* st(token_flag* f) noexcept {
  return static_cast<token_state*>(f);
}

// --- callback_node ---
void callback_node::attach(token_flag* f, bool hold) noexcept {
  token_state* s = st(f);
  if (!s) return;
  state_ = s;
  hold_ = hold;
  if (hold) s->add_ref();
  if (!s->link(this)) fn_(ctx_);
}
void callback_node::detach() noexcept {
  token_state* s = state_;
  if (!s) return;
  state_ = nullptr;
  s->remove(this);
  if (hold_) s->release();
}

}  // namespace detail

// --- cancellation_callback<void> ---
cancellation_callback<void>::cancellation_callback(const cancellation_token& t, fn_type fn,
                                                   void* ctx) noexcept
    : node_(fn, ctx) {
  node_.attach(t.s_, true);
}

// --- cancellation_token ---
cancellation_token::cancellation_token() : s_(new detail::token_state(nullptr)) {}
cancellation_token::cancellation_token(const cancellation_token& o) noexcept : s_(o.s_) {
  if (s_) detail::st(s_)->add_ref();
}
cancellation_token::cancellation_token(cancellation_token&& o) noexcept : s_(o.s_) {
  o.s_ = nullptr;
}
// Copy and move assignment, not one by-value operator=: clang 16 may skip destroying a by-value
// parameter at `t = {}` inside a template (llvm#51037), which leaked the old state.
cancellation_token& cancellation_token::operator=(const cancellation_token& o) noexcept {
  cancellation_token t{o};
  std::swap(s_, t.s_);
  return *this;
}
cancellation_token& cancellation_token::operator=(cancellation_token&& o) noexcept {
  cancellation_token t{std::move(o)};
  std::swap(s_, t.s_);
  return *this;
}
cancellation_token::~cancellation_token() {
  if (s_) detail::st(s_)->release();
}
void cancellation_token::cancel() const noexcept {
  if (s_) detail::st(s_)->cancel();
}
cancellation_token cancellation_token::child() const {
  auto* c = new detail::token_state(detail::st(s_));
  if (s_) c->attach();
  return cancellation_token{c};
}

// --- awaiter ---
cancellation_token::awaiter::awaiter(detail::token_flag* s) noexcept : s_(detail::st(s)) {
  if (s_) detail::st(s_)->add_ref();
}
cancellation_token::awaiter::~awaiter() {
  cb_.detach();
  if (s_) detail::st(s_)->release();
}
bool cancellation_token::awaiter::await_ready() const noexcept {
  return !s_ || detail::st(s_)->is_cancelled();
}
bool cancellation_token::awaiter::await_suspend(coro::coroutine_handle<> h) noexcept {
  // If the token is cancelled meanwhile, the callback runs inline and the wake is recorded
  // while the task runs: it resumes right after suspending.
  static constexpr detail::wait_kind kind{"cancellation_token::cancelled", nullptr};
  w_ = detail::suspend_here(h, kind);
  cb_.attach(s_, false);  // this awaiter holds the reference
  return true;
}
void cancellation_token::awaiter::on_cancel(void* self) noexcept {
  static_cast<awaiter*>(self)->w_.wake();
}

#if EDDY_HAS_STOP_TOKEN
std::stop_token cancellation_token::get_stop_token() const {
  if (!s_) return {};
  detail::lock_guard<detail::spin_lock> g(detail::st(s_)->std_lock_);
  if (!detail::st(s_)->std_source_) {
    detail::st(s_)->std_source_ = new std::stop_source();
    detail::st(s_)->source_link_.attach(s_, false);
  }
  return detail::st(s_)->std_source_->get_token();
}

cancellation_token cancellation_token::from(std::stop_token st) {
  cancellation_token t;
  detail::st(t.s_)->std_follow_ = new std::stop_callback<detail::token_state::follow>(
      std::move(st), detail::token_state::follow{detail::st(t.s_)});
  return t;
}
#endif

}  // namespace eddy
