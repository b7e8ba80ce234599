// SPDX-License-Identifier: BSL-1.0
/// \file
/// `rpc::client`: the calling side of an RPC session over any `message_transport` (the
/// in-memory pair, TCP, a WebSocket). The same source on every runtime: only eddy primitives.
///
/// ```cpp
/// eddy::rpc::client<eddy::rpc::asio_tcp_transport> c{std::move(transport)};
/// eddy::result<eddy::rpc::bytes> r = co_await c.call("square", eddy::rpc::from_int(7), 1s);
/// auto s = c.open_stream("ticks", {});                 // an eddy stream of item<bytes>
/// co_await eddy::subscribe(std::move(s), on_item, on_error);
/// ```
///
/// - **Calls.** Each call gets a fresh id; any number may be in flight on one connection (a
///   table id → waiting call; one reader task dispatches the replies). `call` resumes with the
///   reply's payload, the server's error (its `errc` and count, message "rpc: remote error"),
///   `errc::timed_out` after `limit` (runtime clock), or `errc::closed` when the connection is
///   or goes down.
/// - **Cancellation.** A call that stops waiting after it was sent (timed out, its task aborted,
///   a `with_cancellation` token, a dropped stream) sends `cancel` with its id: the server aborts
///   the handler. A reply that arrives afterwards is dropped and counted (`stats().dropped`).
/// - **Streams.** `open_stream` gives a `client_stream`, an eddy stream of `item<bytes>`. The
///   server may send at most `window` items the client has not consumed; each `next()` that
///   takes an item gives credit back (in batches of half the window; `next()` never suspends
///   after it has taken an item, so an aborted `next()` loses nothing). So a slow consumer slows
///   the server, and `buffered()` never exceeds the window: a server that sends more is a
///   protocol error (the stream ends with an `errc::invalid_argument` item and is cancelled).
///   A server error ends the stream with that error item; connection loss with an
///   `errc::closed` item.
/// - **Bad input.** A frame that does not decode closes the connection (`stats().malformed`);
///   a reply for an unknown id (never used, already answered, cancelled) or a message kind a
///   server never sends is dropped and counted (`stats().dropped`).
/// - **Connection loss** (the peer closed, a transport error, `close()`, the client destroyed):
///   every pending call completes with `errc::closed`, every open stream ends with an
///   `errc::closed` item, and the reader and writer tasks end. Reconnecting is making a new
///   client on a new transport.
/// - **Threads and lifetime.** Construct it inside a task: its reader and writer are spawned
///   on the current executor (or pass one). Methods are thread-safe; the transport is used only
///   by the session's tasks; `close()` and the destructor close it, so with a socket transport
///   call them from a task of the runtime that drives the socket (or while it is not running).
///   Per call: the request's buffer, a table entry and a oneshot; the reader allocates nothing
///   per reply beyond the payload it hands over.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
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
#include "eddy/runtime/timeout.hpp"
#include "eddy/stream/item.hpp"
#include "eddy/sync/oneshot.hpp"

namespace eddy::rpc {

/// Settings of a client.
struct client_options {
  std::size_t outbox = 64;    ///< messages queued for the writer before senders wait
  std::uint32_t window = 16;  ///< stream items the server may send ahead of the consumer (>= 1)
};

/// What a client counted (a snapshot; see the file comment).
struct client_stats {
  std::uint64_t calls = 0;        ///< calls sent
  std::uint64_t cancels = 0;      ///< cancel messages sent (calls and streams given up)
  std::uint64_t dropped = 0;      ///< replies for unknown ids and unexpected kinds
  std::uint64_t malformed = 0;    ///< frames that did not decode (each closes the connection)
  std::uint64_t over_window = 0;  ///< stream items beyond the window (each ends its stream)
};

namespace detail {

/// What a stream's consumer and the reader share.
struct stream_shared {
  std::atomic<std::size_t> buffered{0};
  std::uint32_t window = 1;
};

struct stream_entry {
  mpsc::sender<item<bytes>> tx;
  std::shared_ptr<stream_shared> sh;
};

template <message_transport T>
struct client_state : connection<T> {
  client_state(T t, client_options o) : connection<T>(std::move(t), o.outbox), opts(o) {
    if (opts.window == 0) opts.window = 1;
  }

  /// Connection loss: fails every pending call and stream, closes the transport, stops the
  /// tasks. Idempotent.
  void shutdown(bool from_reader, bool from_writer) noexcept {
    this->close_transport(from_writer);
    std::unordered_map<std::uint64_t, oneshot::sender<result<bytes>>> calls;
    std::unordered_map<std::uint64_t, stream_entry> streams;
    {
      eddy::detail::lock_guard<eddy::detail::spin_lock> g(this->lock);
      calls.swap(pending);
      streams.swap(open);
    }
    for (auto& [id, tx] : calls) (void)tx.send(error{errc::closed});
    for (auto& [id, s] : streams) (void)s.tx.try_send(item<bytes>(error{errc::closed}));
    if (!from_reader) reader.abort();
  }

  /// A call or stream whose waiter is gone: forget it, and tell the server if it was sent.
  void give_up(std::uint64_t id, bool is_stream, bool sent) noexcept {
    bool found;
    {
      eddy::detail::lock_guard<eddy::detail::spin_lock> g(this->lock);
      found = is_stream ? open.erase(id) != 0 : pending.erase(id) != 0;
    }
    if (!found || !sent || this->closed.load(std::memory_order_acquire)) return;
    stats_cancels.fetch_add(1, std::memory_order_relaxed);
    if (this->try_post(kind::cancel, id, {})) return;
    // The outbox is full: a small task waits for room (only in this rare case).
    spawn(reader.get_executor(), send_cancel(this->self.lock(), id)).detach();
  }
  static task<void> send_cancel(std::shared_ptr<client_state> s, std::uint64_t id) {
    if (s) (void)co_await s->post(kind::cancel, id, {}, {});
  }
  /// Gives `n` credits back to the server for stream `id`, without suspending.
  void send_credit(std::uint64_t id, std::uint32_t n) {
    std::byte c[4];
    credit_payload(c, n);
    if (this->try_post(kind::stream_credit, id, c)) return;
    spawn(reader.get_executor(), send_credit_later(this->self.lock(), id, n)).detach();
  }
  static task<void> send_credit_later(std::shared_ptr<client_state> s, std::uint64_t id,
                                      std::uint32_t n) {
    std::byte c[4];
    credit_payload(c, n);
    if (s) (void)co_await s->post(kind::stream_credit, id, {}, c);
  }

  void dispatch(const message& m) {
    switch (m.kind) {
      case kind::response:
      case kind::error: {
        oneshot::sender<result<bytes>> tx;
        std::optional<stream_entry> s;
        {
          eddy::detail::lock_guard<eddy::detail::spin_lock> g(this->lock);
          if (auto it = pending.find(m.id); it != pending.end()) {
            tx = std::move(it->second);
            pending.erase(it);
          } else if (auto st = open.find(m.id); st != open.end() && m.kind == kind::error) {
            s.emplace(std::move(st->second));
            open.erase(st);
          }
        }
        if (tx.valid()) {
          if (m.kind == kind::response)
            (void)tx.send(bytes(m.payload.begin(), m.payload.end()));
          else
            (void)tx.send(error_of(m));
        } else if (s) {
          (void)s->tx.try_send(item<bytes>(error_of(m)));
        } else {
          stats_dropped.fetch_add(1, std::memory_order_relaxed);
        }
        return;
      }
      case kind::stream_item:
      case kind::stream_end: {
        std::optional<stream_entry> ended;
        bool over = false, found = false;
        {
          eddy::detail::lock_guard<eddy::detail::spin_lock> g(this->lock);
          if (auto it = open.find(m.id); it != open.end()) {
            found = true;
            auto& e = it->second;
            if (m.kind == kind::stream_end) {
              ended.emplace(std::move(e));
              open.erase(it);
            } else if (e.sh->buffered.load(std::memory_order_acquire) >= e.sh->window) {
              over = true;
              ended.emplace(std::move(e));
              open.erase(it);
            } else {
              e.sh->buffered.fetch_add(1, std::memory_order_acq_rel);
              (void)e.tx.try_send(item<bytes>(bytes(m.payload.begin(), m.payload.end())));
            }
          }
        }
        if (!found) {
          stats_dropped.fetch_add(1, std::memory_order_relaxed);
        } else if (over) {
          stats_over_window.fetch_add(1, std::memory_order_relaxed);
          (void)ended->tx.try_send(
              item<bytes>(error{errc::invalid_argument, 0, "rpc: stream item beyond the window"}));
          stats_cancels.fetch_add(1, std::memory_order_relaxed);
          if (!this->try_post(kind::cancel, m.id, {}))
            spawn(reader.get_executor(), send_cancel(this->self.lock(), m.id)).detach();
        }
        return;  // `ended` goes: its sender closes the consumer's channel
      }
      default:  // call, cancel, stream_open, stream_credit: never sent by a server
        stats_dropped.fetch_add(1, std::memory_order_relaxed);
        return;
    }
  }

  client_options opts;
  std::weak_ptr<client_state> self;
  join_handle<void> reader;
  std::uint64_t next_id = 1;                                                  // under lock
  std::unordered_map<std::uint64_t, oneshot::sender<result<bytes>>> pending;  // under lock
  std::unordered_map<std::uint64_t, stream_entry> open;                       // under lock
  std::atomic<std::uint64_t> stats_calls{0}, stats_cancels{0}, stats_dropped{0}, stats_malformed{0},
      stats_over_window{0};
};

template <class S>
task<void> client_read_loop(std::shared_ptr<S> s) {
  bytes buf;
  for (;;) {
    auto n = co_await s->transport.receive(buf);
    if (!n) break;
    auto m = decode(std::span<const std::byte>(buf.data(), *n));
    if (!m) {
      s->stats_malformed.fetch_add(1, std::memory_order_relaxed);
      break;
    }
    s->dispatch(*m);
  }
  s->shutdown(/*from_reader=*/true, /*from_writer=*/false);
}

}  // namespace detail

template <message_transport T>
class client;

/// A server stream seen from the client: an eddy stream of `item<bytes>` (see the file comment).
/// Move-only; one consumer. The first `next()` opens the stream on the server; destroying the
/// stream before its end cancels it there. `next()` resumes on the consumer's runtime.
template <message_transport T>
class client_stream {
 public:
  /// Moves the stream (only while no `next()` is in flight).
  client_stream(client_stream&& o) noexcept = default;
  client_stream& operator=(client_stream&&) = delete;
  client_stream(const client_stream&) = delete;
  /// Cancels the stream on the server if it was opened and has not ended.
  ~client_stream() {
    if (s_ && opened_ && !ended_) s_->give_up(id_, /*is_stream=*/true, /*sent=*/true);
  }

  /// The next item, or empty at the end. Gives credit back to the server as items are taken.
  task<std::optional<item<bytes>>> next() {
    if (ended_ || !s_) co_return std::nullopt;
    if (!opened_) {
      opened_ = true;
      std::byte w[4];
      credit_payload(w, sh_->window);
      bytes p(std::begin(w), std::end(w));
      p.insert(p.end(), payload_.begin(), payload_.end());
      auto r = co_await s_->post(kind::stream_open, id_, method_, p);
      if (!r) {
        ended_ = true;
        s_->give_up(id_, true, false);
        co_return item<bytes>(error{errc::closed});
      }
    }
    auto it = co_await rx_.recv();
    if (!it) {
      ended_ = true;
      co_return std::nullopt;
    }
    if (it->is_value()) {
      sh_->buffered.fetch_sub(1, std::memory_order_acq_rel);
      if (++consumed_ >= std::max<std::uint32_t>(1, sh_->window / 2)) {
        // Without suspending: an item taken from the channel is never lost to an abort here.
        s_->send_credit(id_, consumed_);
        consumed_ = 0;
      }
    }
    co_return std::move(*it);
  }
  /// Items received and not yet taken by `next()` (never above `window()`). Thread-safe.
  std::size_t buffered() const noexcept {
    return sh_ ? sh_->buffered.load(std::memory_order_acquire) : 0;
  }
  /// The credit window.
  std::uint32_t window() const noexcept { return sh_ ? sh_->window : 0; }

 private:
  friend class client<T>;
  client_stream(std::shared_ptr<detail::client_state<T>> s, std::uint64_t id, std::string method,
                bytes payload, mpsc::receiver<item<bytes>> rx,
                std::shared_ptr<detail::stream_shared> sh) noexcept
      : s_(std::move(s)),
        id_(id),
        method_(std::move(method)),
        payload_(std::move(payload)),
        rx_(std::move(rx)),
        sh_(std::move(sh)) {}
  std::shared_ptr<detail::client_state<T>> s_;
  std::uint64_t id_ = 0;
  std::string method_;
  bytes payload_;
  mpsc::receiver<item<bytes>> rx_;
  std::shared_ptr<detail::stream_shared> sh_;
  std::uint32_t consumed_ = 0;
  bool opened_ = false;
  bool ended_ = false;
};

/// The calling side of a session over a transport of type `T` (see the file comment).
/// Not copyable or movable; destroying it closes the connection.
template <message_transport T>
class client {
 public:
  /// Starts the session over `transport` on the current executor (call it inside a task).
  explicit client(T transport, client_options o = {})
      : client(current_executor(), std::move(transport), o) {}
  /// Starts the session over `transport`, its reader and writer on `ex`.
  client(executor ex, T transport, client_options o = {})
      : s_(std::make_shared<detail::client_state<T>>(std::move(transport), o)) {
    s_->self = s_;
    s_->writer = spawn(ex, detail::write_loop(s_, &s_->out_rx));
    s_->reader = spawn(ex, detail::client_read_loop(s_));
  }
  client(const client&) = delete;
  client& operator=(const client&) = delete;
  /// Closes the connection (see "Connection loss").
  ~client() { close(); }

  /// Calls `method` with `payload`; waits at most `limit` for the reply (see the file comment).
  task<result<bytes>> call(std::string method, bytes payload, duration limit = duration::max()) {
    auto s = s_;
    auto [tx, rx] = oneshot::channel<result<bytes>>();
    std::uint64_t id;
    {
      eddy::detail::lock_guard<eddy::detail::spin_lock> g(s->lock);
      if (s->closed.load(std::memory_order_acquire)) co_return error{errc::closed};
      id = s->next_id++;
      s->pending.emplace(id, std::move(tx));
    }
    struct guard {  // runs when the call ends, however it ends
      detail::client_state<T>* s;
      std::uint64_t id;
      bool sent = false;
      ~guard() { s->give_up(id, false, sent); }
    } g{s.get(), id};
    auto posted = co_await s->post(kind::call, id, method, payload);
    if (!posted) co_return error{errc::closed};
    g.sent = true;
    s->stats_calls.fetch_add(1, std::memory_order_relaxed);
    auto r = co_await timeout(limit, rx.recv());
    if (!r) co_return error{errc::timed_out};
    if (!r->has_value()) co_return error{errc::closed};  // the table was dropped
    co_return std::move(*r).value();
  }

  /// A stream from the server's stream method `method` (see `client_stream`). Never suspends;
  /// the stream opens on its first `next()`.
  client_stream<T> open_stream(std::string method, bytes payload) {
    auto sh = std::make_shared<detail::stream_shared>();
    sh->window = s_->opts.window;
    auto [tx, rx] = mpsc::channel<item<bytes>>(std::size_t{sh->window} + 1);
    std::uint64_t id;
    {
      eddy::detail::lock_guard<eddy::detail::spin_lock> g(s_->lock);
      id = s_->next_id++;
      if (!s_->closed.load(std::memory_order_acquire))
        s_->open.emplace(id, detail::stream_entry{std::move(tx), sh});
      else
        (void)tx.try_send(item<bytes>(error{errc::closed}));
    }
    return client_stream<T>{s_, id, std::move(method), std::move(payload), std::move(rx), sh};
  }

  /// Closes the connection: pending calls complete with `errc::closed`. Idempotent.
  void close() noexcept {
    if (s_) s_->shutdown(false, false);
  }
  /// True once the connection is down.
  bool is_closed() const noexcept { return s_->closed.load(std::memory_order_acquire); }
  /// Calls waiting for their reply now.
  std::size_t pending() const noexcept {
    eddy::detail::lock_guard<eddy::detail::spin_lock> g(s_->lock);
    return s_->pending.size();
  }
  /// The counters (see `client_stats`).
  client_stats stats() const noexcept {
    return {s_->stats_calls.load(), s_->stats_cancels.load(), s_->stats_dropped.load(),
            s_->stats_malformed.load(), s_->stats_over_window.load()};
  }
  /// Waits until the reader has ended (the connection is down).
  task<void> closed() {
    auto s = s_;
    auto& h = s->reader;
    (void)co_await h;
  }

 private:
  std::shared_ptr<detail::client_state<T>> s_;
};

}  // namespace eddy::rpc
