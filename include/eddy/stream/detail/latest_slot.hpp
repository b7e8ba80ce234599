// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::latest_slot<T>`: the newest value and one error, in stream order, for the stages
/// that keep only the newest value while their consumer is busy (`conflate`,
/// `subscribe_latest`). A newer value replaces the pending one (counted in `dropped()`); an
/// error is never replaced: a producer must wait while `accepts` is false (one error pending).
/// When both are pending, `error_next()` says which came first. Not synchronized: the owner
/// keeps it under its lock.
#pragma once
#include <cstdint>
#include <optional>
#include <utility>

#include "eddy/core/error.hpp"
#include "eddy/stream/item.hpp"

namespace eddy::detail {

template <class T>
class latest_slot {
 public:
  /// False for an error while another error is pending (the producer waits).
  bool accepts(const item<T>& it) const noexcept { return it.is_value() || !err_; }
  /// An error is pending.
  bool has_error() const noexcept { return err_.has_value(); }
  /// A value is pending.
  bool has_value() const noexcept { return latest_.has_value(); }
  bool empty() const noexcept { return !latest_ && !err_; }
  /// Values replaced before they were taken.
  std::uint64_t dropped() const noexcept { return dropped_; }

  void put_value(T&& v) {
    if (latest_) ++dropped_;
    latest_.emplace(std::move(v));
    value_first_ = !err_;
  }
  /// Only when no error is pending (`accepts`).
  void put_error(error&& e) {
    err_.emplace(std::move(e));
    value_first_ = latest_.has_value();
  }
  void put(item<T>&& it) {
    if (it.is_value())
      put_value(std::move(it).value());
    else
      put_error(std::move(it).error());
  }
  /// The pending error comes next in stream order (it is pending, and no value came before it).
  bool error_next() const noexcept { return err_ && !(latest_ && value_first_); }
  error take_error() {
    error e = std::move(*err_);
    err_.reset();
    return e;
  }
  T take_value() {
    T v = std::move(*latest_);
    latest_.reset();
    return v;
  }

 private:
  std::optional<T> latest_;
  std::optional<error> err_;
  bool value_first_ = false;  ///< with both pending: the value came before the error
  std::uint64_t dropped_ = 0;
};

}  // namespace eddy::detail
