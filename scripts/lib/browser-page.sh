# SPDX-License-Identifier: BSL-1.0
# Shared by scripts/test-browser, scripts/demo-browser and scripts/demo-rpc: build a page with emcc.
# Usage: eddy_build_page <build dir> <-O2|-Os> [source dir, default examples/browser]
#   -> <build dir>/page/ (examples/browser: index.html, browser.js, browser.wasm;
#      examples/rpc_browser: index.html, rpc_browser.js, rpc_browser.wasm)
eddy_build_page() {
  local dir=$1 opt=$2 src=${3:-examples/browser}
  export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
  export EMSDK_PYTHON=${EMSDK_PYTHON:-/usr/bin/python3}
  mkdir -p "$dir"
  if ! emcmake cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      "-DEDDY_PAGE_OPT=$opt" >"$dir/configure.log" 2>&1; then
    cat "$dir/configure.log"
    return 1
  fi
  cmake --build "$dir" -j "$(eddy_jobs)"
}
