# SPDX-License-Identifier: BSL-1.0
# Shared by scripts/test-browser and scripts/demo-browser: build examples/browser with emcc.
# Usage: eddy_build_page <build dir> <-O2|-Os>   -> <build dir>/page/{index.html,browser.js,browser.wasm}
eddy_build_page() {
  local dir=$1 opt=$2
  export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
  export EMSDK_PYTHON=${EMSDK_PYTHON:-/usr/bin/python3}
  mkdir -p "$dir"
  if ! emcmake cmake -S examples/browser -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      "-DEDDY_PAGE_OPT=$opt" >"$dir/configure.log" 2>&1; then
    cat "$dir/configure.log"
    return 1
  fi
  cmake --build "$dir" -j "$(eddy_jobs)"
}
