// SPDX-License-Identifier: BSL-1.0
/// \file
/// Files through libuv's thread pool for eddy tasks (target `eddy::uv`): `open_file`,
/// `file::read`, `file::write`, `file::close`.
///
/// ```cpp
/// auto f = co_await eddy::uv::open_file(rt, "log.txt", O_WRONLY | O_CREAT | O_APPEND, 0644);
/// if (f) co_await f->write(std::span<const char>(line.data(), line.size()));
/// ```
///
/// - Results are `result<T>`; libuv failures are `errc::io` (eddy/uv/error.hpp). Operations on
///   a moved-from or closed file give `errc::invalid_argument`.
/// - `read(buf, offset)` gives the byte count (0 at the end of the file); `write(data, offset)`
///   the count written. `offset` -1 (the default) uses and advances the file position.
/// - Works from a task on any runtime (each request starts on `rt`'s loop thread and runs on
///   libuv's thread pool); `rt` must outlive the file's use.
/// - Cancellation (abort, `scope::cancel`, `timeout`, `with_cancellation`) is a request: the
///   awaiter calls `uv_cancel`, which stops a request that has not started yet; one already
///   running is waited for, so the buffers in the frame stay valid until libuv is done. A file
///   opened by a cancelled `open_file` is closed, never leaked.
/// - Destroying an open `file` closes it synchronously (a plain `close(2)`, on the calling
///   thread); `co_await f.close()` closes it on the thread pool and reports the error.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "eddy/core/result.hpp"
#include "eddy/uv/detail/op.hpp"

namespace eddy::uv {

class file;

namespace detail {

/// The part of every file request: one `uv_fs_t`, cancelled with `uv_cancel`.
class fs_op : public op {
 protected:
  fs_op(uv_runtime* rt, step_fn start, step_fn stop = &cancel_request) noexcept
      : op(rt, start, stop, "uv fs request") {}
  fs_op(fs_op&& o) noexcept : op(std::move(o)) {}
  static void on_done(uv_fs_t* req) noexcept;  // stores the result, cleans the request up
  static void cancel_request(op* o) noexcept;  // uv_cancel
  void submitted(int st) noexcept;             // after uv_fs_*: finishes if it failed at once
  uv_fs_t req_;
  std::int64_t result_ = 0;  // the request's result (negative: a libuv status)
  bool called_ = false;      // the request is over
};

class fs_open_op : public fs_op {
 public:
  fs_open_op(uv_runtime& rt, std::string path, int flags, int mode) noexcept
      : fs_op(&rt, &start), path_(std::move(path)), flags_(flags), mode_(mode) {}
  fs_open_op(fs_open_op&& o) noexcept = default;
  ~fs_open_op();
  result<file> await_resume() noexcept;

 private:
  static void start(op* o) noexcept;
  std::string path_;
  int flags_;
  int mode_;
  bool taken_ = false;
};

class fs_rw_op : public fs_op {
 public:
  fs_rw_op(uv_runtime* rt, int fd, char* data, std::size_t n, std::int64_t offset,
           bool write) noexcept
      : fs_op(rt, &start), fd_(fd), data_(data), n_(n), offset_(offset), write_(write) {}
  fs_rw_op(fs_rw_op&& o) noexcept = default;
  result<std::size_t> await_resume() noexcept;

 private:
  static void start(op* o) noexcept;
  int fd_;
  char* data_;
  std::size_t n_;
  std::int64_t offset_;
  bool write_;
};

class fs_close_op : public fs_op {
 public:
  // Not cancellable: a cancelled close would leak the descriptor; it is waited for.
  fs_close_op(uv_runtime* rt, int fd) noexcept : fs_op(rt, &start, &no_cancel), fd_(fd) {}
  fs_close_op(fs_close_op&& o) noexcept = default;
  result<void> await_resume() noexcept;

 private:
  static void start(op* o) noexcept;
  static void no_cancel(op*) noexcept {}
  int fd_;
};

}  // namespace detail

/// An open file (see the file comment). Move-only; made by `open_file`.
class file {
 public:
  /// An empty file (operations give `errc::invalid_argument`).
  file() noexcept = default;
  /// Adopts `fd`, opened on `rt`'s loop (used by `open_file`).
  file(uv_runtime* rt, int fd) noexcept : rt_(rt), fd_(fd) {}
  /// Moves leave the source empty; assigning closes the file held before.
  ///@{
  file(file&& o) noexcept : rt_(o.rt_), fd_(o.fd_) { o.fd_ = -1; }
  file& operator=(file&& o) noexcept {
    if (this != &o) {
      reset();
      rt_ = o.rt_;
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  ///@}
  file(const file&) = delete;
  file& operator=(const file&) = delete;
  /// Closes the file synchronously if it is open.
  ~file() { reset(); }

  /// True while the file is open.
  bool is_open() const noexcept { return fd_ >= 0; }
  /// The file descriptor (-1 when not open).
  int native_handle() const noexcept { return fd_; }

  /// Reads up to `buf.size()` bytes at `offset` (-1: the file position) into `buf`, which must
  /// stay alive until the awaiter completes: the count, 0 at the end of the file.
  detail::fs_rw_op read(std::span<char> buf, std::int64_t offset = -1) noexcept {
    return detail::fs_rw_op{fd_ >= 0 ? rt_ : nullptr, fd_, buf.data(), buf.size(), offset, false};
  }
  /// Writes `data` at `offset` (-1: the file position): the count written.
  detail::fs_rw_op write(std::span<const char> data, std::int64_t offset = -1) noexcept {
    return detail::fs_rw_op{
        fd_ >= 0 ? rt_ : nullptr, fd_, const_cast<char*>(data.data()), data.size(), offset, true};
  }
  /// Closes the file on libuv's thread pool; the object is closed from the call on.
  detail::fs_close_op close() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return detail::fs_close_op{fd >= 0 ? rt_ : nullptr, fd};
  }

 private:
  void reset() noexcept;
  uv_runtime* rt_ = nullptr;
  int fd_ = -1;
};

/// Opens `path` with `flags` (`O_RDONLY`, `O_WRONLY | O_CREAT`, ...) and `mode` on `rt`'s
/// loop: `co_await` gives `result<file>`. The path is copied.
inline detail::fs_open_op open_file(uv_runtime& rt, std::string path, int flags,
                                    int mode = 0644) noexcept {
  return detail::fs_open_op{rt, std::move(path), flags, mode};
}

}  // namespace eddy::uv
