// SPDX-License-Identifier: BSL-1.0
// trace_recorder: task hooks that record polls and wakes, and a Chrome trace-event writer.
#include "eddy/runtime/trace_recorder.hpp"

#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace eddy {

struct trace_recorder::event {
  enum kind_t : unsigned char { span, flow_start, flow_end };
  kind_t kind;
  std::uint32_t track;
  std::int64_t ts;   // ns, runtime clock
  std::int64_t dur;  // ns (spans)
  std::uint64_t task;
  std::uint64_t parent;  // spans
  std::uint64_t flow;    // flows
  const char* file;      // spans: the spawn location (a literal of the program)
  std::uint_least32_t line;
  char name[48];  // spans: the task's name, cut; "" when unnamed
};

namespace {
std::atomic<std::uint64_t> g_generation{0};

struct thread_state {
  std::uint64_t generation = 0;  // of the recorder `track` belongs to; 0: none
  std::uint32_t track = 0;
  std::uint64_t task = 0;  // the task polled last on this thread (0: none)
  std::int64_t start = 0;  // of that poll
  std::int64_t end = 0;    // of that poll, once it has returned
  bool in_poll = false;
};
EDDY_THREAD_LOCAL thread_state t_state;

std::int64_t now_ns(task_view t) noexcept {
  return t.get_runtime()->now().time_since_epoch().count();
}

void json_string(std::string& out, const char* s) {
  out += '"';
  for (; *s; ++s) {
    const unsigned char c = static_cast<unsigned char>(*s);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

void micros(std::string& out, std::int64_t ns) {
  char buf[40];
  const char* sign = ns < 0 ? "-" : "";
  const std::uint64_t a =
      ns < 0 ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  std::snprintf(buf, sizeof buf, "%s%" PRIu64 ".%03u", sign, a / 1000,
                static_cast<unsigned>(a % 1000));
  out += buf;
}

void number(std::string& out, std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%" PRIu64, v);
  out += buf;
}
}  // namespace

trace_recorder::trace_recorder(std::size_t capacity)
    : capacity_(capacity),
      events_(new event[capacity]),
      generation_(g_generation.fetch_add(1, std::memory_order_relaxed) + 1) {
  hooks_.ctx = this;
  hooks_.before_poll = &on_before;
  hooks_.after_poll = &on_after;
  hooks_.on_wake = &on_wake;
}

trace_recorder::~trace_recorder() {
  detach();
}

bool trace_recorder::attach(runtime& rt) noexcept {
  if (rt_ || rt.installed_task_hooks()) return false;
  if (!rt.set_task_hooks(&hooks_)) return false;
  rt_ = &rt;
  return true;
}

bool trace_recorder::detach() noexcept {
  if (!rt_) return true;
  if (!rt_->set_task_hooks(nullptr)) return false;
  rt_ = nullptr;
  return true;
}

std::size_t trace_recorder::recorded() const noexcept {
  const std::size_t n = next_.load(std::memory_order_acquire);
  return n < capacity_ ? n : capacity_;
}

void trace_recorder::clear() noexcept {
  next_.store(0, std::memory_order_relaxed);
  dropped_.store(0, std::memory_order_relaxed);
  polls_.store(0, std::memory_order_relaxed);
  detail::lock_guard<detail::spin_lock> g(pending_lock_);
  pending_n_ = 0;
  pending_hint_.store(0, std::memory_order_relaxed);
}

trace_recorder::event* trace_recorder::claim() noexcept {
  const std::size_t i = next_.fetch_add(1, std::memory_order_relaxed);
  if (i >= capacity_) {
    next_.store(capacity_, std::memory_order_relaxed);  // keeps the counter from wrapping
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  return &events_[i];
}

std::uint32_t trace_recorder::thread_track() noexcept {
  if (t_state.generation != generation_) {
    t_state.generation = generation_;
    t_state.track = tracks_.fetch_add(1, std::memory_order_relaxed) + 1;
  }
  return t_state.track;
}

void trace_recorder::on_before(void* ctx, task_view t) noexcept {
  auto* self = static_cast<trace_recorder*>(ctx);
  const std::uint32_t track = self->thread_track();
  t_state.task = t.id();
  t_state.in_poll = true;
  std::uint64_t flow = 0;
  if (self->pending_hint_.load(std::memory_order_acquire) != 0) {
    detail::lock_guard<detail::spin_lock> g(self->pending_lock_);
    for (std::size_t i = 0; i < self->pending_n_; ++i) {
      if (self->pending_[i].task == t.id()) {
        flow = self->pending_[i].flow;
        self->pending_[i] = self->pending_[--self->pending_n_];
        self->pending_hint_.store(self->pending_n_, std::memory_order_release);
        break;
      }
    }
  }
  // Read after the flow was taken: the wake's time was read before it was put there, so the
  // arrow never points back in time.
  t_state.start = now_ns(t);
  if (flow == 0) return;
  if (event* e = self->claim()) {
    e->kind = event::flow_end;
    e->track = track;
    e->ts = t_state.start;
    e->dur = 0;
    e->task = t.id();
    e->flow = flow;
  }
}

void trace_recorder::on_after(void* ctx, task_view t) noexcept {
  auto* self = static_cast<trace_recorder*>(ctx);
  self->polls_.fetch_add(1, std::memory_order_relaxed);
  const std::int64_t end = now_ns(t);
  t_state.end = end;
  t_state.in_poll = false;  // `task` stays: its completion may still wake its joiner
  event* e = self->claim();
  if (!e) return;
  e->kind = event::span;
  e->track = self->thread_track();
  e->ts = t_state.start;
  e->dur = end - t_state.start;
  e->task = t.id();
  e->parent = t.parent_id();
  const source_location loc = t.location();
  e->file = loc.file_name();
  e->line = loc.line();
  const char* n = t.name() ? t.name() : "";
  std::size_t len = std::strlen(n);
  if (len >= sizeof e->name) len = sizeof e->name - 1;
  std::memcpy(e->name, n, len);
  e->name[len] = '\0';
}

void trace_recorder::on_wake(void* ctx, task_view waker, task_view woken) noexcept {
  auto* self = static_cast<trace_recorder*>(ctx);
  // A flow starts in a poll this recorder sees: the waker's, running on this thread, or just
  // returned (a task that ended wakes its joiner after its last poll: the arrow starts at the
  // end of that poll).
  if (!waker || t_state.generation != self->generation_ || t_state.task != waker.id()) return;
  // Read before the flow is visible to the woken task's poll.
  const std::int64_t ts = t_state.in_poll ? now_ns(woken) : t_state.end;
  std::uint64_t flow = 0;
  {
    detail::lock_guard<detail::spin_lock> g(self->pending_lock_);
    for (std::size_t i = 0; i < self->pending_n_; ++i)
      if (self->pending_[i].task == woken.id()) return;  // already woken: one arrow per poll
    if (self->pending_n_ == max_pending) {
      self->dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    flow = self->flows_.fetch_add(1, std::memory_order_relaxed) + 1;
    self->pending_[self->pending_n_++] = pending_flow{woken.id(), flow};
    self->pending_hint_.store(self->pending_n_, std::memory_order_release);
  }
  if (event* e = self->claim()) {
    e->kind = event::flow_start;
    e->track = t_state.track;
    e->ts = ts;
    e->dur = 0;
    e->task = waker.id();
    e->flow = flow;
  }
}

std::string trace_recorder::to_json() const {
  std::string out;
  const std::size_t n = recorded();
  out.reserve(64 + n * 160);
  out += "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"dropped\":";
  number(out, dropped());
  out += ",\"polls\":";
  number(out, polls());
  out += "},\"traceEvents\":[\n";
  out += R"({"ph":"M","pid":1,"tid":0,"name":"process_name","args":{"name":"eddy"}})";
  const std::uint32_t tracks = tracks_.load(std::memory_order_relaxed);
  for (std::uint32_t t = 1; t <= tracks; ++t) {
    out += ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":";
    number(out, t);
    out += ",\"name\":\"thread_name\",\"args\":{\"name\":\"eddy thread ";
    number(out, t);
    out += "\"}}";
  }
  for (std::size_t i = 0; i < n; ++i) {
    const event& e = events_[i];
    out += ",\n{\"pid\":1,\"tid\":";
    number(out, e.track);
    out += ",\"ts\":";
    micros(out, e.ts);
    if (e.kind == event::span) {
      out += ",\"ph\":\"X\",\"cat\":\"poll\",\"dur\":";
      micros(out, e.dur);
      out += ",\"name\":";
      if (e.name[0]) {
        json_string(out, e.name);
      } else {
        out += "\"task ";
        number(out, e.task);
        out += '"';
      }
      out += ",\"args\":{\"task\":";
      number(out, e.task);
      out += ",\"parent\":";
      number(out, e.parent);
      out += ",\"spawned_at\":";
      std::string where = e.file;
      where += ':';
      where += std::to_string(e.line);
      json_string(out, where.c_str());
      out += "}}";
    } else {
      out += e.kind == event::flow_start ? ",\"ph\":\"s\"" : ",\"ph\":\"f\",\"bp\":\"e\"";
      out += ",\"cat\":\"wake\",\"name\":\"wake\",\"id\":";
      number(out, e.flow);
      out += ",\"args\":{\"task\":";
      number(out, e.task);
      out += "}}";
    }
  }
  out += "\n]}\n";
  return out;
}

bool trace_recorder::write_json(const char* path) const {
  std::FILE* f = std::fopen(path, "wb");
  if (!f) return false;
  const std::string s = to_json();
  const bool ok = std::fwrite(s.data(), 1, s.size(), f) == s.size();
  return std::fclose(f) == 0 && ok;
}

}  // namespace eddy
