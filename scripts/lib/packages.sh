# SPDX-License-Identifier: BSL-1.0
# Shared by scripts/test, scripts/demo and scripts/bench: install missing Debian packages.
# Usage: ensure_packages pkg...   (runs apt-get update once, only when something is missing)

ensure_packages() {
  local missing=()
  local p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if ((${#missing[@]})); then
    echo "== installing: ${missing[*]}"
    local sudo=""
    if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# The packages every native build needs.
EDDY_NATIVE_PACKAGES=(cmake ninja-build g++ pkg-config clang-16 libclang-rt-16-dev llvm-16 libgtest-dev googletest
  libbenchmark-dev librapidcheck-dev libasio-dev libuv1-dev libboost1.81-dev qt6-base-dev libglib2.0-dev doxygen
  nlohmann-json3-dev)

# Jobs for the build: the machine's cores.
eddy_jobs() { nproc 2>/dev/null || echo 2; }
