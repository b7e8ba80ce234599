// SPDX-License-Identifier: BSL-1.0
/// \file
/// `rpc::serve`: the answering side of an RPC session over any `message_transport`, with the
/// application's `rpc::methods`. The same source on every runtime: only eddy primitives.
///
/// ```cpp
/// eddy::rpc::methods m;
/// m.add("square", [](eddy::rpc::bytes p) -> eddy::task<eddy::result<eddy::rpc::bytes>> {
///   co_return eddy::rpc::from_int(*eddy::rpc::to_int(p) * *eddy::rpc::to_int(p));
/// });
/// m.add_stream("ticks", [](eddy::rpc::bytes, eddy::rpc::stream_writer& out)
///                           -> eddy::task<eddy::result<void>> {
///   for (int i = 0; i < 100; ++i)
///     if (auto r = co_await out.send(eddy::rpc::from_int(i)); !r) co_return r.error();
///   co_return eddy::result<void>{};
/// });
/// eddy::rpc::server_stats st = co_await eddy::rpc::serve(std::move(transport), m);
/// ```
///
/// - `serve` reads the connection until it ends and returns what it counted. Each call and
///   stream runs in its own task (spawned on the executor running `serve`), kept in a table
///   id → task. Its result goes back as `response` or `error` (the error's `errc` and count
///   travel; the message does not).
/// - **Cancellation.** A `cancel` from the client aborts the handler's task (at its current or
///   next suspension point) and nothing is sent for it. So do connection loss and the end of
///   `serve` (also when the task running `serve` is itself aborted): every handler is aborted
///   and, except on abort of `serve`, waited for before `serve` returns.
/// - **Streams.** A stream handler writes items with `co_await out.send(bytes)`, which waits for
///   the client's credit: at most the client's window of items are unconsumed at any time, so
///   a slow client slows the handler. The handler's end sends `stream_end`, its error `error`.
/// - **Bad input.** A frame that does not decode closes the connection (`malformed`); a call
///   whose id is in use, a cancel or credit for an unknown id, a method nobody registered
///   (answered with `errc::invalid_argument`), or a kind a client never sends, are counted in
///   `dropped` and otherwise ignored.
/// - Thread-safety: `methods` is filled before serving and then only read (it must outlive every
///   `serve` using it); a `stream_writer` is used by its handler only.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "eddy/core/result.hpp"
#include "eddy/core/task.hpp"
#include "eddy/rpc/detail/connection.hpp"
#include "eddy/rpc/frame.hpp"
#include "eddy/rpc/transport.hpp"
#include "eddy/sync/semaphore.hpp"

namespace eddy::rpc {

/// The sending end of one server stream, given to a stream handler (see the file comment).
class stream_writer {
 public:
  /// Used by `serve`: `post` queues a message of this stream.
  using post_fn = std::function<task<result<unit>>(kind, std::span<const std::byte>)>;
  /// Used by `serve`: the stream's credit and how to queue its messages.
  stream_writer(std::shared_ptr<semaphore> credit, post_fn post) noexcept
      : credit_(std::move(credit)), post_(std::move(post)) {}
  /// Sends one item once the client has room for it: waits for credit, then for the outbox.
  /// `errc::closed` once the connection is down.
  task<result<void>> send(bytes v) {
    auto p = co_await credit_->acquire(1);
    if (!p) co_return p.error();
    p->forget();  // a credit is used up by the item it let through
    auto r = co_await post_(kind::stream_item, v);
    if (!r) co_return r.error();
    co_return result<void>{};
  }
  /// Items the client has room for right now.
  std::size_t credit() const noexcept { return credit_->available_permits(); }

 private:
  std::shared_ptr<semaphore> credit_;
  post_fn post_;
};

/// A call handler: the payload in, the reply's payload or an error out.
using handler = std::function<task<result<bytes>>(bytes)>;
/// A stream handler: the payload in; items go out through the writer; the end or an error out.
using stream_handler = std::function<task<result<void>>(bytes, stream_writer&)>;

/// The methods a server answers, by name. Fill it, then serve with it (read-only then).
class methods {
 public:
  /// Registers (or replaces) the call method `name`.
  void add(std::string name, handler h) { calls_[std::move(name)] = std::move(h); }
  /// Registers (or replaces) the stream method `name`.
  void add_stream(std::string name, stream_handler h) { streams_[std::move(name)] = std::move(h); }
  /// The call method `name`, or null.
  const handler* find(std::string_view name) const {
    auto it = calls_.find(name);
    return it == calls_.end() ? nullptr : &it->second;
  }
  /// The stream method `name`, or null.
  const stream_handler* find_stream(std::string_view name) const {
    auto it = streams_.find(name);
    return it == streams_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::string, handler, std::less<>> calls_;
  std::map<std::string, stream_handler, std::less<>> streams_;
};

/// Settings of a server connection.
struct server_options {
  std::size_t outbox = 64;  ///< messages queued for the writer before handlers wait
};

/// What `serve` counted on one connection.
struct server_stats {
  std::uint64_t calls = 0;           ///< calls started
  std::uint64_t streams = 0;         ///< streams started
  std::uint64_t cancelled = 0;       ///< handlers aborted by a client's cancel
  std::uint64_t dropped = 0;         ///< messages ignored (see the file comment)
  std::uint64_t malformed = 0;       ///< frames that did not decode (each closes the connection)
  std::uint64_t aborted_at_end = 0;  ///< handlers still running when the connection ended
};

namespace detail {

struct handler_entry {
  join_handle<void> task;
  std::shared_ptr<semaphore> credit;  ///< streams only
};

template <message_transport T>
struct server_state : connection<T> {
  server_state(T t, server_options o) : connection<T>(std::move(t), o.outbox) {}

  void shutdown(bool, bool from_writer) noexcept { this->close_transport(from_writer); }

  /// Takes every running handler out of the table (at the end).
  std::unordered_map<std::uint64_t, handler_entry> take_all() {
    std::unordered_map<std::uint64_t, handler_entry> all;
    eddy::detail::lock_guard<eddy::detail::spin_lock> g(this->lock);
    all.swap(running);
    return all;
  }
  /// The handler of `id` has finished: true if it was still in the table (not cancelled).
  bool finish(std::uint64_t id) {
    eddy::detail::lock_guard<eddy::detail::spin_lock> g(this->lock);
    return running.erase(id) != 0;
  }

  std::unordered_map<std::uint64_t, handler_entry> running;  // under lock
  server_stats stats;                                        // the reader's task only
};

template <class S>
task<void> run_call(std::shared_ptr<S> s, std::uint64_t id, const handler* h, bytes payload) {
  auto r = co_await (*h)(std::move(payload));
  if (!s->finish(id)) co_return;  // cancelled meanwhile: the client has given up
  if (r) {
    (void)co_await s->post(kind::response, id, {}, *r);
  } else {
    std::byte e[9];
    error_payload(e, r.error());
    (void)co_await s->post(kind::error, id, {}, e);
  }
}

template <class S>
task<void> run_stream(std::shared_ptr<S> s, std::uint64_t id, const stream_handler* h,
                      bytes payload, std::shared_ptr<semaphore> credit) {
  // One permit stays taken for the stream's life: the semaphore's maximum (lowered by each
  // forgotten credit) never reaches 0, so a send without credit waits instead of failing.
  auto reserve = credit->try_acquire(1);
  stream_writer w{credit,
                  [s, id](kind k, std::span<const std::byte> p) { return s->post(k, id, {}, p); }};
  auto r = co_await (*h)(std::move(payload), w);
  if (!s->finish(id)) co_return;
  if (r) {
    (void)co_await s->post(kind::stream_end, id, {}, {});
  } else {
    std::byte e[9];
    error_payload(e, r.error());
    (void)co_await s->post(kind::error, id, {}, e);
  }
}

/// Registers `id` and starts its handler task; false if the id is in use.
template <class S>
bool start_handler(S& s, std::uint64_t id, task<void> t, std::shared_ptr<semaphore> credit) {
  {
    eddy::detail::lock_guard<eddy::detail::spin_lock> g(s.lock);
    if (!s.running.emplace(id, handler_entry{{}, credit}).second) return false;
  }
  auto h = spawn(std::move(t));
  eddy::detail::lock_guard<eddy::detail::spin_lock> g(s.lock);
  if (auto it = s.running.find(id); it != s.running.end()) it->second.task = std::move(h);
  return true;  // (if it finished already, dropping `h` detaches a finished task)
}

template <class S>
void server_dispatch(const std::shared_ptr<S>& s, const methods& ms, const message& m) {
  auto& st = s->stats;
  switch (m.kind) {
    case kind::call: {
      const handler* h = ms.find(m.method);
      if (!h) {
        std::byte e[9];
        error_payload(e, error{errc::invalid_argument});
        if (!s->try_post(kind::error, m.id, e)) ++st.dropped;
        ++st.dropped;
        return;
      }
      bool in_use;
      {
        eddy::detail::lock_guard<eddy::detail::spin_lock> g(s->lock);
        in_use = s->running.count(m.id) != 0;
      }
      if (in_use) {
        ++st.dropped;
        return;
      }
      ++st.calls;
      (void)start_handler(*s, m.id, run_call(s, m.id, h, bytes(m.payload.begin(), m.payload.end())),
                          nullptr);
      return;
    }
    case kind::stream_open: {
      const stream_handler* h = ms.find_stream(m.method);
      bool in_use;
      {
        eddy::detail::lock_guard<eddy::detail::spin_lock> g(s->lock);
        in_use = s->running.count(m.id) != 0;
      }
      if (!h || in_use) {
        if (!h) {
          std::byte e[9];
          error_payload(e, error{errc::invalid_argument});
          (void)s->try_post(kind::error, m.id, e);
        }
        ++st.dropped;
        return;
      }
      ++st.streams;
      auto credit = std::make_shared<semaphore>(std::size_t{credit_of(m)} + 1);
      auto p = m.payload.subspan(4);
      (void)start_handler(*s, m.id, run_stream(s, m.id, h, bytes(p.begin(), p.end()), credit),
                          credit);
      return;
    }
    case kind::cancel: {
      join_handle<void> t;
      bool found = false;
      {
        eddy::detail::lock_guard<eddy::detail::spin_lock> g(s->lock);
        if (auto it = s->running.find(m.id); it != s->running.end()) {
          t = std::move(it->second.task);
          s->running.erase(it);
          found = true;
        }
      }
      if (!found) {
        ++st.dropped;  // e.g. the reply crossed the cancel: nothing left to stop
        return;
      }
      ++st.cancelled;
      t.abort();
      return;
    }
    case kind::stream_credit: {
      std::shared_ptr<semaphore> c;
      {
        eddy::detail::lock_guard<eddy::detail::spin_lock> g(s->lock);
        if (auto it = s->running.find(m.id); it != s->running.end()) c = it->second.credit;
      }
      if (!c || !c->add_permits(credit_of(m))) ++st.dropped;
      return;
    }
    default:  // response, error, stream items: never sent by a client
      ++st.dropped;
      return;
  }
}

/// Closes the connection and aborts the handlers if `serve` is left early (its task aborted).
template <class S>
struct serve_guard {
  std::shared_ptr<S> s;
  ~serve_guard() {
    if (!s) return;
    s->shutdown(false, false);
    for (auto& [id, e] : s->take_all()) e.task.abort();
  }
};

}  // namespace detail

/// Serves one connection with `ms` until it ends (see the file comment); the counters then.
/// Starts its handlers and writer on the current executor.
template <message_transport T>
task<server_stats> serve(T transport, const methods& ms, server_options o = {}) {
  auto s = std::make_shared<detail::server_state<T>>(std::move(transport), o);
  detail::serve_guard<detail::server_state<T>> guard{s};
  s->writer = spawn(detail::write_loop(s, &s->out_rx));
  bytes buf;
  for (;;) {
    auto n = co_await s->transport.receive(buf);
    if (!n) break;
    auto m = decode(std::span<const std::byte>(buf.data(), *n));
    if (!m) {
      ++s->stats.malformed;
      break;
    }
    detail::server_dispatch(s, ms, *m);
  }
  s->shutdown(true, false);
  auto left = s->take_all();
  s->stats.aborted_at_end = left.size();
  for (auto& [id, e] : left) e.task.abort();
  for (auto& [id, e] : left)
    if (e.task.valid()) (void)co_await e.task;
  guard.s.reset();
  co_return s->stats;
}

}  // namespace eddy::rpc
