// SPDX-License-Identifier: BSL-1.0
// eddy/uv: the awaiter base (`op`), handle memory (`handle_block`), errors and stream
// operations. See include/eddy/uv/detail/op.hpp and include/eddy/uv/stream.hpp.
#include <new>
#include <utility>

#include "eddy/core/panic.hpp"
#include "eddy/uv/error.hpp"
#include "eddy/uv/stream.hpp"
#include "eddy/uv/tcp.hpp"

namespace eddy::uv {

error to_error(int status) noexcept {
  if (status >= 0) return error{errc::invalid_argument};
  return error{errc::io, static_cast<std::uint64_t>(-static_cast<std::int64_t>(status)),
               uv_strerror(status)};
}

int status_of(const error& e) noexcept {
  return e.code() == errc::io ? -static_cast<int>(e.count()) : 0;
}

namespace detail {

// ---- op ----------------------------------------------------------------------------------

op::op(uv_runtime* rt, step_fn start, step_fn cancel, const char* what) noexcept
    : foreign_wait(&cancel_entry), rt_(rt), what_(what), start_(start), cancel_(cancel) {
  start_node_.run = &run_start;
  start_node_.self = this;
  cancel_node_.run = &run_cancel;
  cancel_node_.self = this;
}

op::op(op&& o) noexcept : op(o.rt_, o.start_, o.cancel_, o.what_) {}

void op::describe(const eddy::detail::wait_kind&, const void* obj, dump_sink& out) {
  out << static_cast<const op*>(obj)->what_;
}

op::~op() {
  bool pending;
  {
    eddy::detail::lock_guard<eddy::detail::spin_lock> g(lock_);
    pending = loop_refs_ > 0;
  }
  // The task runner keeps a frame with a pending foreign wait alive (task_header.hpp); only a
  // frame destroyed behind its back gets here.
  if (pending) panic("eddy::uv: an awaiter was destroyed while libuv still uses it");
  if (task_) task_->end_foreign(this);
}

void op::await_suspend(coro::coroutine_handle<> h) noexcept {
  static constexpr eddy::detail::wait_kind kind{"uv operation", &describe};
  const waker w = eddy::detail::suspend_here(h, kind, this);
  task_ = w.task();
  task_->begin_foreign(this);
  {
    eddy::detail::lock_guard<eddy::detail::spin_lock> g(lock_);
    w_ = w;
    loop_refs_ = 1;
  }
  if (rt_->in_loop_thread())
    start_(this);
  else
    rt_->post(start_node_);
}

void op::resumed() noexcept {
  if (task_) {
    task_->end_foreign(this);
    task_ = nullptr;
  }
}

void op::cancel_entry(eddy::detail::foreign_wait* f) noexcept {
  op* self = static_cast<op*>(f);
  {
    eddy::detail::lock_guard<eddy::detail::spin_lock> g(self->lock_);
    if (self->loop_refs_ == 0) return;  // finished meanwhile
    ++self->loop_refs_;                 // the cancellation on its way keeps the frame
  }
  if (self->rt_->in_loop_thread()) {
    self->cancel_(self);
    self->release();
  } else {
    self->rt_->post(self->cancel_node_);
  }
}

void op::run_start(work_node* n) noexcept {
  op* self = static_cast<node*>(n)->self;
  self->start_(self);
}

void op::run_cancel(work_node* n) noexcept {
  op* self = static_cast<node*>(n)->self;
  self->cancel_(self);
  self->release();
}

void op::release() noexcept {
  eddy::detail::lock_guard<eddy::detail::spin_lock> g(lock_);
  if (--loop_refs_ == 0) {
    complete();
    w_.wake();  // under the lock: the destructor waits for it
  }
}

// ---- handle_block ------------------------------------------------------------------------

struct stream_callbacks {
  static void on_close(uv_handle_t* h) noexcept {
    auto* b = static_cast<handle_block*>(h->data);
    b->closed = true;
    if (close_op* c = std::exchange(b->closer, nullptr)) c->finish();
    unref(b);
  }
  static void unref(handle_block* b) noexcept {
    if (--b->refs == 0) delete b;
  }
  static void run_drop(work_node* n) noexcept {
    handle_block* b = static_cast<handle_block::drop_node_t*>(n)->self;
    b->begin_close();
    unref(b);
  }
  static void on_alloc(uv_handle_t* h, std::size_t, uv_buf_t* buf) noexcept {
    auto* b = static_cast<handle_block*>(h->data);
    if (read_op* r = b->reader)
      *buf = uv_buf_init(r->buf_.data(), static_cast<unsigned>(r->buf_.size()));
    else
      *buf = uv_buf_init(nullptr, 0);
  }
  static void on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t*) noexcept {
    if (nread == 0) return;  // nothing this time (EAGAIN)
    auto* b = static_cast<handle_block*>(s->data);
    uv_read_stop(s);  // one read per awaiter: nothing more is taken from the socket
    read_op* r = std::exchange(b->reader, nullptr);
    if (!r) return;
    if (nread > 0)
      r->got_ = static_cast<std::size_t>(nread);
    else if (nread != UV_EOF)
      r->status_ = static_cast<int>(nread);
    r->finish();
  }
  static void on_write(uv_write_t* req, int status) noexcept {
    auto* w = static_cast<write_op*>(req->data);
    w->status_ = status;
    w->b_ = nullptr;  // the callback ran: nothing to cancel any more
    w->finish();
  }
  static void on_shutdown(uv_shutdown_t* req, int status) noexcept {
    auto* w = static_cast<shutdown_op*>(req->data);
    w->status_ = status;
    w->b_ = nullptr;
    w->finish();
  }
};

namespace {
constexpr int closed_status = 1;  // the stream is closed (or closing): errc::closed
constexpr int busy_status = 2;    // another read / accept / close is in progress

result<void> stream_result(int status) noexcept {
  if (status == closed_status || status == UV_ECANCELED) return error{errc::closed};
  if (status == busy_status) return error{errc::invalid_argument};
  if (status < 0) return to_error(status);
  return {};
}
}  // namespace

handle_block* handle_block::new_tcp(uv_runtime* rt, int* status) noexcept {
  auto* b = new (std::nothrow) handle_block;
  if (!b) {
    *status = UV_ENOMEM;
    return nullptr;
  }
  b->rt = rt;
  b->loop_thread = std::this_thread::get_id();
  b->drop_node.run = &stream_callbacks::run_drop;
  b->drop_node.self = b;
  const int st = uv_tcp_init(rt->loop(), &b->tcp);
  if (st < 0) {
    delete b;
    *status = st;
    return nullptr;
  }
  b->handle.data = b;
  return b;
}

void handle_block::begin_close() noexcept {
  if (closing) return;
  closing = true;
  if (read_op* r = std::exchange(reader, nullptr)) {
    uv_read_stop(&stream);
    r->status_ = closed_status;
    r->finish();
  }
  if (accept_op* a = std::exchange(acceptor, nullptr)) a->fail_closed();
  uv_close(&handle, &stream_callbacks::on_close);
}

void handle_block::drop_owner() noexcept {
  if (std::this_thread::get_id() == loop_thread) {
    begin_close();
    stream_callbacks::unref(this);
  } else {
    rt->post(drop_node);
  }
}

// ---- stream operations -------------------------------------------------------------------

void read_op::start(op* o) noexcept {
  auto* self = static_cast<read_op*>(o);
  handle_block* b = self->b_;
  if (b->closing) {
    self->status_ = closed_status;
  } else if (b->reader) {
    self->status_ = busy_status;
  } else if (self->buf_.empty()) {
    self->status_ = UV_EINVAL;
  } else {
    b->reader = self;
    const int st =
        uv_read_start(&b->stream, &stream_callbacks::on_alloc, &stream_callbacks::on_read);
    if (st == 0) return;
    b->reader = nullptr;
    self->status_ = st;
  }
  self->finish();
}

void read_op::cancel(op* o) noexcept {
  auto* self = static_cast<read_op*>(o);
  handle_block* b = self->b_;
  if (b->reader != self) return;  // done already
  b->reader = nullptr;
  uv_read_stop(&b->stream);  // synchronous: libuv reads nothing more into the buffer
  self->status_ = UV_ECANCELED;
  self->finish();
}

result<std::size_t> read_op::await_resume() noexcept {
  resumed();
  if (!rt_) return error{errc::invalid_argument};
  if (status_ != 0) return stream_result(status_).error();
  return got_;
}

void write_op::start(op* o) noexcept {
  auto* self = static_cast<write_op*>(o);
  handle_block* b = self->b_;
  if (b->closing) {
    self->status_ = closed_status;
    self->b_ = nullptr;
    self->finish();
    return;
  }
  uv_buf_t buf =
      uv_buf_init(const_cast<char*>(self->data_.data()), static_cast<unsigned>(self->data_.size()));
  self->req_.data = self;
  const int st = uv_write(&self->req_, &b->stream, &buf, 1, &stream_callbacks::on_write);
  if (st < 0) {
    self->status_ = st;
    self->b_ = nullptr;
    self->finish();
  }
}

void write_op::cancel(op* o) noexcept {
  // libuv cannot take a write back: closing the stream ends it (its callback: UV_ECANCELED).
  auto* self = static_cast<write_op*>(o);
  if (self->b_) self->b_->begin_close();
}

result<void> write_op::await_resume() noexcept {
  resumed();
  if (!rt_) return error{errc::invalid_argument};
  return stream_result(status_);
}

void shutdown_op::start(op* o) noexcept {
  auto* self = static_cast<shutdown_op*>(o);
  handle_block* b = self->b_;
  int st = closed_status;
  if (!b->closing) {
    self->req_.data = self;
    st = uv_shutdown(&self->req_, &b->stream, &stream_callbacks::on_shutdown);
    if (st == 0) return;
  }
  self->status_ = st;
  self->b_ = nullptr;
  self->finish();
}

void shutdown_op::cancel(op* o) noexcept {
  auto* self = static_cast<shutdown_op*>(o);
  if (self->b_) self->b_->begin_close();
}

result<void> shutdown_op::await_resume() noexcept {
  resumed();
  if (!rt_) return error{errc::invalid_argument};
  return stream_result(status_);
}

void close_op::start(op* o) noexcept {
  auto* self = static_cast<close_op*>(o);
  handle_block* b = self->b_;
  if (b->closed) {
    self->finish();
  } else if (b->closer) {
    self->status_ = busy_status;
    self->finish();
  } else {
    b->closer = self;  // finished by the close callback
    b->begin_close();
  }
}

result<void> close_op::await_resume() noexcept {
  resumed();
  if (!rt_) return error{errc::invalid_argument};
  return stream_result(status_);
}

}  // namespace detail
}  // namespace eddy::uv
