// SPDX-License-Identifier: BSL-1.0
// emscripten_runtime: the ready queue and timer heap, pumped from the JavaScript event loop.
// See include/eddy/runtime/emscripten_runtime.hpp for the contract.
#ifdef __EMSCRIPTEN__
#include "eddy/runtime/emscripten_runtime.hpp"

#include <emscripten.h>
#include <emscripten/eventloop.h>

#include <cmath>
#include <exception>

#include "eddy/runtime/detail/timer_heap.hpp"
#include "eddy/runtime/detail/work_queue.hpp"

// ---- JavaScript glue ------------------------------------------------------------------------
// clang-format off

// True in node, where the main thread may block in Atomics.wait.
EM_JS(int, eddy_em_can_block, (), {
  return (typeof process === 'object' && process.versions && process.versions.node &&
          typeof SharedArrayBuffer === 'function' && typeof Atomics === 'object') ? 1 : 0;
});

// Sleeps the thread for `ms` milliseconds (node only): a real wait, not a spin.
EM_JS(void, eddy_em_block_ms, (double ms), {
  if (!Module['__eddySleepCell']) Module['__eddySleepCell'] = new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(Module['__eddySleepCell'], 0, 0, ms);
});

// The promise table behind start_promise / Module.eddyPromise(id).
EM_JS(void, eddy_em_promise_init, (), {
  if (Module['__eddyPromises']) return;
  var table = {next: 1, entries: new Map()};
  Module['__eddyPromises'] = table;
  Module['eddyPromise'] = function(id) {
    var e = table.entries.get(id);
    if (!e || e.taken) return Promise.reject(new Error('eddy: no promise with id ' + id));
    e.taken = true;
    if (e.settled) table.entries.delete(id);
    return e.promise;
  };
});

EM_JS(int, eddy_em_promise_new_js, (), {
  var table = Module['__eddyPromises'];
  var id = table.next++;
  var e = {taken: false, settled: false};
  e.promise = new Promise(function(resolve, reject) { e.resolve = resolve; e.reject = reject; });
  table.entries.set(id, e);
  return id;
});

// kind: 0 undefined, 1 number, 2 boolean, 3 string (ptr, len), 4 reject (message ptr, code).
EM_JS(void, eddy_em_promise_settle_js, (int id, int kind, double num, const char* ptr, int len), {
  var table = Module['__eddyPromises'];
  var e = table.entries.get(id);
  if (!e || e.settled) return;
  e.settled = true;
  if (e.taken) table.entries.delete(id);
  if (kind === 0) e.resolve(undefined);
  else if (kind === 1) e.resolve(num);
  else if (kind === 2) e.resolve(num !== 0);
  else if (kind === 3) e.resolve(UTF8ToString(ptr, len));
  else {
    var err = new Error(UTF8ToString(ptr));
    err.code = num;
    e.reject(err);
  }
});

// clang-format on

namespace eddy {

namespace {
constexpr double pump_budget_ms = 8.0;     // ready work run per pump before painting/input
constexpr double max_timeout_ms = 86.4e6;  // one day; setTimeout overflows past 2^31-1 ms
}  // namespace

struct emscripten_runtime::impl {
  emscripten_runtime* self;
  double epoch_ms = emscripten_get_now();
  detail::work_queue ready;
  detail::timer_heap timers;
  std::size_t ready_count = 0;
  int depth = 0;  // > 0 while a pump or a driver runs: posts need no JS callback then
  bool immediate_pending = false;
  long immediate_id = 0;
  bool timeout_armed = false;
  long timeout_id = 0;
  time_point timeout_at{};

  explicit impl(emscripten_runtime* s) : self(s) {}

  void push_ready(work_node* n) noexcept {
    ready.push(n);
    ++ready_count;
  }
  work_node* pop_ready() noexcept {
    work_node* n = ready.pop();
    if (n) --ready_count;
    return n;
  }

  static void on_immediate(void* arg) {
    auto* p = static_cast<impl*>(arg);
    p->immediate_pending = false;
    p->pump();
  }
  static void on_timeout(void* arg) {
    auto* p = static_cast<impl*>(arg);
    p->timeout_armed = false;
    p->pump();
  }

  // Runs the timers due now. Returns how many ran.
  std::size_t fire_due() noexcept {
    std::size_t ran = 0;
    const time_point t = self->now();
    while (!timers.empty() && timers.top()->deadline <= t) {
      timer_node* n = timers.pop();
      n->run(n);
      ++ran;
    }
    return ran;
  }

  // One event-loop turn: due timers, then ready work within the budget; then re-arm.
  void pump() noexcept {
    runtime* prev = detail::set_thread_runtime(self);
    ++depth;
    const double start = emscripten_get_now();
    fire_due();
    for (std::size_t i = 1;; ++i) {
      work_node* n = pop_ready();
      if (!n) break;
      n->run(n);
      if (i % 64 == 0 && emscripten_get_now() - start > pump_budget_ms) break;
    }
    --depth;
    detail::set_thread_runtime(prev);
    rearm();
  }

  // Makes the JS side match the queues: a pump soon if work is ready, a timeout for the
  // earliest deadline. No-op while a pump or driver is on the stack (it re-arms on exit).
  void rearm() noexcept {
    if (depth) return;
    if (!ready.empty() && !immediate_pending) {
      immediate_pending = true;
      immediate_id = emscripten_set_immediate(&on_immediate, this);
    }
    if (timers.empty() || timers.top()->deadline == never) {  // a timer at `never` never fires
      clear_timeout();
      return;
    }
    const time_point t = timers.top()->deadline;
    if (timeout_armed && timeout_at <= t) return;  // fires early at worst, then re-arms
    clear_timeout();
    const double ms =
        std::chrono::duration<double, std::milli>(saturating_sub(t, self->now())).count();
    timeout_at = t;
    timeout_armed = true;
    timeout_id = emscripten_set_timeout(&on_timeout,
                                        std::ceil(ms < 0                ? 0
                                                  : ms > max_timeout_ms ? max_timeout_ms
                                                                        : ms),
                                        this);
  }
  void clear_timeout() noexcept {
    if (!timeout_armed) return;
    timeout_armed = false;
    emscripten_clear_timeout(timeout_id);
  }
  void clear_immediate() noexcept {
    if (!immediate_pending) return;
    immediate_pending = false;
    emscripten_clear_immediate(immediate_id);
  }

  // Up to one batch of work on the caller's stack (driver mode). Returns items run.
  std::size_t step() noexcept {
    std::size_t ran = fire_due();
    for (int i = 0; i < 256; ++i) {
      work_node* n = pop_ready();
      if (!n) break;
      n->run(n);
      ++ran;
    }
    return ran;
  }
};

emscripten_runtime::emscripten_runtime() : p_(new impl(this)) {
  eddy_em_promise_init();  // Module.eddyPromise exists from here on
}

emscripten_runtime::~emscripten_runtime() {
  // Abort what is left and run it here, so its destructors run and nothing leaks; then drop
  // the JS callbacks that would reach a dead runtime.
  abort_all_tasks();
  run_until_idle();
  p_->clear_immediate();
  p_->clear_timeout();
}

bool emscripten_runtime::can_block() noexcept {
  return eddy_em_can_block() != 0;
}

time_point emscripten_runtime::now() const noexcept {
  const double ms = emscripten_get_now() - p_->epoch_ms;
  return time_point{duration{static_cast<std::int64_t>(ms * 1e6)}};
}

void emscripten_runtime::post(work_node& n) noexcept {
  p_->push_ready(&n);
  if (!p_->depth && !p_->immediate_pending) p_->rearm();
}

void emscripten_runtime::post_at(time_point t, timer_node& n) noexcept {
  n.deadline = t;
  p_->timers.push(&n);
  p_->rearm();
}

bool emscripten_runtime::cancel(timer_node& n) noexcept {
  if (!p_->timers.remove(&n)) return false;
  if (p_->timers.empty()) p_->rearm();  // lets node exit when nothing else is pending
  return true;
}

std::size_t emscripten_runtime::pending() const noexcept {
  return p_->ready_count + p_->timers.size();
}

std::size_t emscripten_runtime::run_until_idle() {
  runtime* prev = detail::set_thread_runtime(this);
  ++p_->depth;
  std::size_t total = 0;
  while (std::size_t n = p_->step()) total += n;
  --p_->depth;
  detail::set_thread_runtime(prev);
  p_->rearm();
  return total;
}

bool emscripten_runtime::drive(done_fn done, void* ctx) {
  runtime* prev = detail::set_thread_runtime(this);
  impl& p = *p_;
  ++p.depth;
  bool ok = true;
  while (!done(ctx)) {
    if (p.step()) continue;
    // Nothing can make progress (JS callbacks cannot run meanwhile; a timer at `never` never
    // fires).
    if (p.timers.empty() || p.timers.top()->deadline == never) {
      ok = false;
      break;
    }
    const double ms =
        std::chrono::duration<double, std::milli>(saturating_sub(p.timers.top()->deadline, now()))
            .count();
    if (ms > 0) eddy_em_block_ms(ms);
  }
  --p.depth;
  detail::set_thread_runtime(prev);
  p.rearm();  // what is left (detached tasks, timers) goes on on the event loop
  return ok;
}

// ---- start_promise ----------------------------------------------------------------------------
namespace detail {
int em_promise_new() noexcept {
  eddy_em_promise_init();
  return eddy_em_promise_new_js();
}
void em_promise_resolve_undefined(int id) noexcept {
  eddy_em_promise_settle_js(id, 0, 0, nullptr, 0);
}
void em_promise_resolve_number(int id, double v) noexcept {
  eddy_em_promise_settle_js(id, 1, v, nullptr, 0);
}
void em_promise_resolve_bool(int id, bool v) noexcept {
  eddy_em_promise_settle_js(id, 2, v ? 1 : 0, nullptr, 0);
}
void em_promise_resolve_string(int id, const char* data, std::size_t size) noexcept {
  eddy_em_promise_settle_js(id, 3, 0, data, static_cast<int>(size));
}
void em_promise_reject(int id, const error& e) noexcept {
  const char* msg = e.message();
#if EDDY_HAS_EXCEPTIONS
  std::string what;
  if (e.code() == errc::exception && e.exception()) {
    try {
      std::rethrow_exception(e.exception());
    } catch (const std::exception& ex) {
      what = ex.what();
      msg = what.c_str();
    } catch (...) {
    }
  }
#endif
  eddy_em_promise_settle_js(id, 4, static_cast<double>(e.code()), msg, 0);
}
}  // namespace detail

void emscripten_runtime::add_backend_metrics(runtime_metrics& m) const {
  m.pending_timers = p_->timers.size();
}

}  // namespace eddy
#endif  // __EMSCRIPTEN__
