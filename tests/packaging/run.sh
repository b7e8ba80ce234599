#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# The packaging test: installs this build of eddy into a scratch prefix, checks what was
# installed, and builds and runs tests/packaging/main.cpp four ways, each linking eddy and every
# backend built (COMPONENTS, e.g. "asio;uv;glib"):
#   1. find_package(eddy CONFIG COMPONENTS ...) against the install (C++23);
#   2. pkg-config eddy, eddy-asio, eddy-uv, eddy-glib against the install (C++23);
#   3. FetchContent from this source tree (C++23);
#   4. add_subdirectory of this source tree (first linking only eddy::eddy: the backends must
#      not be built then).
# Usage: run.sh SOURCE_DIR BUILD_DIR CXX COMPONENTS
set -euo pipefail
src=$1 bin=$2 cxx=$3 components=${4:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
fail() {
  echo "packaging: FAILED: $*"
  exit 1
}
IFS=';' read -r -a comps <<<"$components"
echo "packaging: components: ${comps[*]:-(none)}"

# ---- install, and what an install must (not) contain
prefix=$work/prefix
cmake --install "$bin" --prefix "$prefix" >/dev/null
cmakedir=$(dirname "$(find "$prefix" -name eddyConfig.cmake)")
pcdir=$(dirname "$(find "$prefix" -name eddy.pc)")
[ -f "$prefix/include/eddy/version.hpp" ] || fail "eddy/version.hpp is not installed"
for f in "$cmakedir"/*.cmake "$pcdir"/eddy*.pc; do
  # No path of this machine's build or dependencies: the consumer's machine finds those.
  if grep -nE "$src|$bin|$prefix|/usr/(local/)?(lib|include)" "$f"; then
    fail "absolute path in the installed $(basename "$f")"
  fi
  if grep -nE "eddy_warnings|-Werror|-Wall" "$f"; then fail "internal target or warning flags exported in $(basename "$f")"; fi
done
for t in eddy ${comps[@]+"${comps[@]}"}; do
  [ "$t" = eddy ] && file=eddy-targets.cmake || file=eddy-$t-targets.cmake
  [ -f "$cmakedir/$file" ] || fail "$file is not installed"
  [ "$t" = eddy ] && pc=eddy || pc=eddy-$t
  [ -f "$pcdir/$pc.pc" ] || fail "$pc.pc is not installed"
done
includes=$(grep -c "INTERFACE_INCLUDE_DIRECTORIES" "$cmakedir/eddy-targets.cmake")
[ "$includes" = 1 ] || fail "eddy::eddy's include directories are set $includes times"
grep -q 'INTERFACE_INCLUDE_DIRECTORIES "${_IMPORT_PREFIX}/include"$' "$cmakedir/eddy-targets.cmake" ||
  fail "eddy::eddy's include directory is not exactly <prefix>/include"
if grep -q -- "^Cflags:.*-std=" "$pcdir/eddy.pc"; then fail "eddy.pc forces a language standard"; fi

# ---- 1. find_package
cmake -S "$src/tests/packaging/find_package" -B "$work/fp" "${gen[@]}" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_PREFIX_PATH="$prefix" "-DEDDY_COMPONENTS=$components" >/dev/null
cmake --build "$work/fp" >/dev/null
echo "== find_package"
"$work/fp/consumer"

# ---- 2. pkg-config, C++23 (eddy.pc must not pin -std=c++20)
pcs=(eddy)
defs=()
for c in ${comps[@]+"${comps[@]}"}; do
  pcs+=("eddy-$c")
  defs+=("-DEXPECT_${c^^}=1")
done
export PKG_CONFIG_PATH=$pcdir
"$cxx" -std=c++23 -DEXPECT_CXX=202100L ${defs[@]+"${defs[@]}"} $(pkg-config --cflags "${pcs[@]}") \
  "$src/tests/packaging/main.cpp" $(pkg-config --libs "${pcs[@]}") -o "$work/pc_consumer"
echo "== pkg-config $(pkg-config --modversion eddy): ${pcs[*]}"
"$work/pc_consumer"
unset PKG_CONFIG_PATH

# ---- 3. FetchContent from the local source tree (no network)
cmake -S "$src/tests/packaging/fetch_content" -B "$work/fc" "${gen[@]}" -DCMAKE_CXX_COMPILER="$cxx" \
  -DEDDY_SOURCE_DIR="$src" "-DEDDY_COMPONENTS=$components" >/dev/null
cmake --build "$work/fc" >/dev/null
echo "== FetchContent"
"$work/fc/consumer"

# ---- 4. add_subdirectory: first with eddy::eddy alone (no backend may be built by `all`),
# then with every component.
cmake -S "$src/tests/packaging/add_subdirectory" -B "$work/sub" "${gen[@]}" -DCMAKE_CXX_COMPILER="$cxx" \
  -DEDDY_SOURCE_DIR="$src" "-DEDDY_COMPONENTS=" >/dev/null
cmake --build "$work/sub" >/dev/null
built=$(find "$work/sub" -name 'libeddy_*.a' -printf '%f ')
[ -z "$built" ] || fail "add_subdirectory built $built though nothing links it"
cmake "$work/sub" "-DEDDY_COMPONENTS=$components" >/dev/null
cmake --build "$work/sub" >/dev/null
echo "== add_subdirectory"
"$work/sub/consumer"

echo "packaging: find_package, pkg-config, FetchContent and add_subdirectory consumers all work"
