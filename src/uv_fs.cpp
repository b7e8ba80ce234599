// SPDX-License-Identifier: BSL-1.0
// eddy/uv: files and name resolution on libuv's thread pool. See include/eddy/uv/fs.hpp and
// include/eddy/uv/dns.hpp.
#include <utility>

#include "eddy/uv/dns.hpp"
#include "eddy/uv/error.hpp"
#include "eddy/uv/fs.hpp"

namespace eddy::uv {

namespace {
// A synchronous close (no callback: libuv runs it on the calling thread).
void close_now(int fd) noexcept {
  uv_fs_t req;
  uv_fs_close(nullptr, &req, fd, nullptr);
  uv_fs_req_cleanup(&req);
}
}  // namespace

void file::reset() noexcept {
  if (fd_ >= 0) close_now(std::exchange(fd_, -1));
}

namespace detail {

// ---- files -------------------------------------------------------------------------------

void fs_op::on_done(uv_fs_t* req) noexcept {
  auto* self = static_cast<fs_op*>(req->data);
  self->result_ = req->result;
  uv_fs_req_cleanup(req);
  self->called_ = true;
  self->finish();
}

void fs_op::cancel_request(op* o) noexcept {
  // Stops a request that has not started on the thread pool (its callback then gets
  // UV_ECANCELED); one already running completes normally.
  auto* self = static_cast<fs_op*>(o);
  if (!self->called_) uv_cancel(reinterpret_cast<uv_req_t*>(&self->req_));
}

void fs_op::submitted(int st) noexcept {
  if (st == 0) return;  // on_done follows
  result_ = st;
  called_ = true;
  finish();
}

void fs_open_op::start(op* o) noexcept {
  auto* self = static_cast<fs_open_op*>(o);
  self->req_.data = self;
  self->submitted(uv_fs_open(self->rt_->loop(), &self->req_, self->path_.c_str(), self->flags_,
                             self->mode_, &on_done));
}

fs_open_op::~fs_open_op() {
  if (called_ && result_ >= 0 && !taken_) close_now(static_cast<int>(result_));
}

result<file> fs_open_op::await_resume() noexcept {
  resumed();
  if (!rt_) return error{errc::invalid_argument};
  if (result_ < 0) return to_error(static_cast<int>(result_));
  taken_ = true;
  return file{rt_, static_cast<int>(result_)};
}

void fs_rw_op::start(op* o) noexcept {
  auto* self = static_cast<fs_rw_op*>(o);
  self->req_.data = self;
  uv_buf_t buf = uv_buf_init(self->data_, static_cast<unsigned>(self->n_));
  uv_loop_t* loop = self->rt_->loop();
  self->submitted(self->write_
                      ? uv_fs_write(loop, &self->req_, self->fd_, &buf, 1, self->offset_, &on_done)
                      : uv_fs_read(loop, &self->req_, self->fd_, &buf, 1, self->offset_, &on_done));
}

result<std::size_t> fs_rw_op::await_resume() noexcept {
  resumed();
  if (!rt_) return error{errc::invalid_argument};
  if (result_ < 0) return to_error(static_cast<int>(result_));
  return static_cast<std::size_t>(result_);
}

void fs_close_op::start(op* o) noexcept {
  auto* self = static_cast<fs_close_op*>(o);
  self->req_.data = self;
  self->submitted(uv_fs_close(self->rt_->loop(), &self->req_, self->fd_, &on_done));
}

result<void> fs_close_op::await_resume() noexcept {
  resumed();
  if (!rt_) return error{errc::invalid_argument};
  if (result_ < 0) return to_error(static_cast<int>(result_));
  return {};
}

// ---- getaddrinfo -------------------------------------------------------------------------

struct dns_callbacks {
  static void on_resolved(uv_getaddrinfo_t* req, int status, addrinfo* res) noexcept {
    auto* self = static_cast<getaddrinfo_op*>(req->data);
    self->called_ = true;
    self->status_ = status;
    self->made_ = res;
    self->finish();
  }
};

getaddrinfo_op::getaddrinfo_op(uv_runtime& rt, std::string node, std::string service,
                               const addrinfo* hints) noexcept
    : op(&rt, &start, &cancel, "uv getaddrinfo"),
      node_(std::move(node)),
      service_(std::move(service)) {
  if (hints) {
    hints_.ai_flags = hints->ai_flags;
    hints_.ai_family = hints->ai_family;
    hints_.ai_socktype = hints->ai_socktype;
    hints_.ai_protocol = hints->ai_protocol;
    has_hints_ = true;
  }
}

getaddrinfo_op::~getaddrinfo_op() {
  if (made_) uv_freeaddrinfo(made_);
}

void getaddrinfo_op::start(op* o) noexcept {
  auto* self = static_cast<getaddrinfo_op*>(o);
  self->req_.data = self;
  const int st = uv_getaddrinfo(self->rt_->loop(), &self->req_, &dns_callbacks::on_resolved,
                                self->node_.empty() ? nullptr : self->node_.c_str(),
                                self->service_.empty() ? nullptr : self->service_.c_str(),
                                self->has_hints_ ? &self->hints_ : nullptr);
  if (st == 0) return;
  self->called_ = true;
  self->status_ = st;
  self->finish();
}

void getaddrinfo_op::cancel(op* o) noexcept {
  auto* self = static_cast<getaddrinfo_op*>(o);
  if (!self->called_) uv_cancel(reinterpret_cast<uv_req_t*>(&self->req_));
}

result<addrinfo_list> getaddrinfo_op::await_resume() noexcept {
  resumed();
  if (!rt_) return error{errc::invalid_argument};
  if (status_ < 0) return to_error(status_);
  return addrinfo_list{std::exchange(made_, nullptr)};
}

}  // namespace detail

void addrinfo_list::reset() noexcept {
  if (head_) uv_freeaddrinfo(std::exchange(head_, nullptr));
}

}  // namespace eddy::uv
