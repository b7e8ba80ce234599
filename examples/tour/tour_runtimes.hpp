// The runtimes the tour runs on: every one that is built. A backend adds one call here.
#pragma once
#include <utility>

#include "eddy/eddy.hpp"

namespace eddy_tour {

template <class F>
void for_each_runtime(F&& f) {
  f("local_runtime", [](auto t) {
    eddy::local_runtime rt;
    return rt.block_on(std::move(t));
  });
  f("thread_pool{2}", [](auto t) {
    eddy::thread_pool rt{2};
    return rt.block_on(std::move(t));
  });
  f("sim_runtime{seed 7} (virtual time)", [](auto t) {
    eddy::sim_runtime rt{7};
    return rt.block_on(std::move(t));
  });
}

}  // namespace eddy_tour
