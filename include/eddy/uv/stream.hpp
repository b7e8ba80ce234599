// SPDX-License-Identifier: BSL-1.0
/// \file
/// `eddy::uv::tcp_stream`: a connected libuv TCP stream for eddy tasks (target `eddy::uv`):
/// `co_await s.read(buf)`, `s.write(data)`, `s.shutdown()`, `s.close()`.
///
/// ```cpp
/// std::array<char, 512> buf;                       // frame-local buffers are fine
/// eddy::result<std::size_t> n = co_await s.read(buf);   // 0: the peer closed
/// eddy::result<void> w = co_await s.write(std::span<const char>(buf.data(), *n));
/// ```
///
/// - Results are `result<T>`; libuv failures are `errc::io` (see eddy/uv/error.hpp). An
///   operation on a stream that is closed or closing gives `errc::closed`; on a moved-from
///   stream `errc::invalid_argument`.
/// - One read and any number of writes may be in flight on a stream; a second concurrent read
///   gives `errc::invalid_argument`. Writes go out in order; `write` completes when libuv has
///   handed all of `data` to the kernel. An empty read buffer is `errc::io` (`UV_EINVAL`).
/// - The awaitables work from a task on any runtime: the libuv calls run on the loop's thread
///   (posted to the stream's `uv_runtime` when the task runs elsewhere) and the task resumes on
///   its own runtime. The `uv_runtime` must outlive the stream's use, and the app runs the loop.
/// - Cancellation (abort, `scope::cancel`, `timeout`, `with_cancellation`) is a request, and
///   the task's frame, with the buffers, lives until libuv is done with them: a read stops
///   reading at once; a write or shutdown cannot be taken back by libuv, so cancelling one closes
///   the stream and waits for the request's callback (`UV_ECANCELED`); a close is waited for.
///   Bytes a cancelled read had already received are dropped with its frame.
/// - Destroying the stream closes the handle (`uv_close`); the handle's memory lives until
///   libuv's close callback, so the object may go at any time. `co_await s.close()` closes and
///   waits for the callback. Thread-safety: one task at a time uses a stream.
#pragma once
#include <cstddef>
#include <span>

#include "eddy/core/result.hpp"
#include "eddy/uv/detail/op.hpp"

namespace eddy::uv {

class tcp_stream;

namespace detail {

class stream_op : public op {
 protected:
  stream_op(handle_block* b, step_fn start, step_fn stop) noexcept
      : op(b ? b->rt : nullptr, start, stop, "uv stream read/write"), b_(b) {}
  handle_block* b_;
  int status_ = 0;
};

class read_op : public stream_op {
 public:
  read_op(handle_block* b, std::span<char> buf) noexcept
      : stream_op(b, &start, &cancel), buf_(buf) {}
  result<std::size_t> await_resume() noexcept;

 private:
  friend struct handle_block;
  friend struct stream_callbacks;
  static void start(op* o) noexcept;
  static void cancel(op* o) noexcept;
  std::span<char> buf_;
  std::size_t got_ = 0;
};

class write_op : public stream_op {
 public:
  write_op(handle_block* b, std::span<const char> data) noexcept
      : stream_op(b, &start, &cancel), data_(data) {}
  result<void> await_resume() noexcept;

 private:
  friend struct stream_callbacks;
  static void start(op* o) noexcept;
  static void cancel(op* o) noexcept;
  std::span<const char> data_;
  uv_write_t req_;
};

class shutdown_op : public stream_op {
 public:
  explicit shutdown_op(handle_block* b) noexcept : stream_op(b, &start, &cancel) {}
  result<void> await_resume() noexcept;

 private:
  friend struct stream_callbacks;
  static void start(op* o) noexcept;
  static void cancel(op* o) noexcept;
  uv_shutdown_t req_;
};

class close_op : public stream_op {
 public:
  explicit close_op(handle_block* b) noexcept : stream_op(b, &start, &cancel) {}
  result<void> await_resume() noexcept;

 private:
  friend struct handle_block;
  friend struct stream_callbacks;
  static void start(op* o) noexcept;
  static void cancel(op*) noexcept {}  // a close completes promptly by itself: wait for it
};

}  // namespace detail

/// A connected TCP stream on a libuv loop (see the file comment). Move-only. Made by
/// `connect` and `tcp_listener::accept` (eddy/uv/tcp.hpp).
class tcp_stream {
 public:
  /// An empty stream (every operation gives `errc::invalid_argument`).
  tcp_stream() noexcept = default;
  /// Adopts the owner's reference to `b` (used by `connect` and `accept`).
  explicit tcp_stream(detail::handle_block* b) noexcept : b_(b) {}
  /// Moves leave the source empty; assigning closes the stream held before.
  ///@{
  tcp_stream(tcp_stream&& o) noexcept : b_(o.b_) { o.b_ = nullptr; }
  tcp_stream& operator=(tcp_stream&& o) noexcept {
    if (this != &o) {
      reset();
      b_ = o.b_;
      o.b_ = nullptr;
    }
    return *this;
  }
  ///@}
  tcp_stream(const tcp_stream&) = delete;
  tcp_stream& operator=(const tcp_stream&) = delete;
  /// Closes the handle if it is open; its memory is freed by libuv's close callback.
  ~tcp_stream() { reset(); }

  /// True unless empty (a closed stream stays valid: its operations report the error).
  bool valid() const noexcept { return b_ != nullptr; }
  /// Turns Nagle's algorithm off (`on`) or on again (`TCP_NODELAY`, `uv_tcp_nodelay`). On the
  /// loop's thread. False when the stream is empty or closed, or libuv refuses.
  bool set_no_delay(bool on) noexcept {
    return b_ && !b_->closing && uv_tcp_nodelay(&b_->tcp, on ? 1 : 0) == 0;
  }

  /// Reads what is available, at most `buf.size()` bytes, into `buf` (which must stay alive
  /// until the awaiter completes): the count, 0 once the peer has closed, or an error.
  detail::read_op read(std::span<char> buf) noexcept { return detail::read_op{b_, buf}; }
  /// Writes all of `data` (kept alive by the caller until the awaiter completes).
  detail::write_op write(std::span<const char> data) noexcept { return detail::write_op{b_, data}; }
  /// Shuts the sending side down after the pending writes (the peer reads the end).
  detail::shutdown_op shutdown() noexcept { return detail::shutdown_op{b_}; }
  /// Closes the stream and waits for libuv's close callback. Pending operations end with an
  /// error. Closing twice is harmless.
  detail::close_op close() noexcept { return detail::close_op{b_}; }

 private:
  void reset() noexcept {
    if (b_) {
      detail::handle_block* b = b_;
      b_ = nullptr;
      b->drop_owner();
    }
  }
  detail::handle_block* b_ = nullptr;
};

}  // namespace eddy::uv
