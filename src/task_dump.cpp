// SPDX-License-Identifier: BSL-1.0
// Task dumps: `runtime::dump` and the waits described by the runtime layer itself. See
// runtime.hpp (`dump`) and core/detail/wait.hpp.
#include <cstdio>
#include <string>

#include "eddy/core/task.hpp"
#include "eddy/runtime/task_header.hpp"

namespace eddy {
namespace detail {

void describe_join(const wait_kind& k, const void* obj, dump_sink& out) {
  out << k.what << " of task " << static_cast<const task_header*>(obj)->id();
}

std::uint64_t current_task_id() noexcept {
  const task_header* t = current_task();
  return t ? t->id() : 0;
}

#if EDDY_TASK_DUMP
namespace {

void write_location(dump_sink& out, const source_location& l) {
  out << (*l.file_name() ? l.file_name() : "?") << ':' << static_cast<std::uint64_t>(l.line());
}

// The task's lines; its frames only when `held` (it does not run).
void dump_task(dump_sink& out, const task_header& t, bool held, bool current) {
  const std::uint32_t s = t.state_bits();
  out << "task " << t.id();
  out.name(t.name());
  out << " spawned at ";
  write_location(out, t.location());
  if (t.parent_id()) out << " by task " << t.parent_id();
  if (!held) {
    out << (current ? ": running (the caller)\n" : ": running\n");
    return;
  }
  const bool ready = s & (task_header::scheduled | task_header::notified | task_header::unstarted |
                          task_header::interrupted);
  if (s & task_header::unstarted || t.wait.kind == nullptr) {
    out << ": ready (not started)\n";
    return;
  }
  out << (ready ? ": ready (woken from " : ": waiting on ");
  describe_wait(t.wait, out);
  out << (ready ? ")\n" : "\n");
  // The frame chain, as far as it was recorded (EDDY_TASK_FRAMES).
  int depth = 0;
  for (const promise_base* p = t.root_promise(); p && depth < 64; ++depth) {
    const await_site* a = p->awaiting();
    if (!a) break;  // not recorded (code built without EDDY_TASK_FRAMES)
    out << "    " << (a->child ? "co_await at " : "suspended at ");
    write_location(out, a->at);
    if (*a->at.function_name()) out << " in " << a->at.function_name();
    out << '\n';
    p = a->child;
  }
}

}  // namespace
#endif

}  // namespace detail

#if EDDY_TASK_DUMP
void runtime::dump(dump_sink out) const {
  const detail::task_header* self = detail::current_task();
  lock_lists();
  const std::size_t live = live_locked();
  detail::task_header* at[task_lists];  // each part's oldest task not yet written
  for (std::size_t i = 0; i < task_lists; ++i) {
    detail::task_header* t = lists_[i].head;
    while (t && t->rt_next) t = t->rt_next;
    at[i] = t;
  }
  out << "eddy task dump: " << static_cast<std::uint64_t>(live)
      << (live == 1 ? " live task\n" : " live tasks\n");
  for (;;) {  // oldest first: the parts merged by id
    std::size_t pick = task_lists;
    for (std::size_t i = 0; i < task_lists; ++i)
      if (at[i] && (pick == task_lists || at[i]->id() < at[pick]->id())) pick = i;
    if (pick == task_lists) break;
    detail::task_header* t = at[pick];
    at[pick] = t->rt_prev;
    const bool held = t != self && t->try_inspect();
    detail::dump_task(out, *t, held, t == self);
    if (held) t->end_inspect();
  }
  unlock_lists();
}
#else
void runtime::dump(dump_sink out) const {
  out << "eddy: task dumps are compiled out (EDDY_TASK_DUMP=0)\n";
}
#endif

void runtime::dump(std::FILE* f) const {
  dump(dump_sink{[](void* c, std::string_view s) {
                   std::fwrite(s.data(), 1, s.size(), static_cast<std::FILE*>(c));
                 },
                 f});
  std::fflush(f);
}

std::string runtime::dump_string() const {
  std::string s;
  dump(dump_sink{[](void* c, std::string_view t) { static_cast<std::string*>(c)->append(t); }, &s});
  return s;
}

}  // namespace eddy
