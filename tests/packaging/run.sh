#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Builds the tiny consumer against eddy installed with `cmake --install` (find_package and
# pkg-config), and through FetchContent from a local path. Usage: run.sh SOURCE_DIR BUILD_DIR CXX
set -euo pipefail
src=$1 bin=$2 cxx=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$bin" --prefix "$work/prefix" >/dev/null
# find_package
cmake -S "$src/tests/packaging/consumer" -B "$work/fp" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/fp" >/dev/null
"$work/fp/consumer"
# pkg-config
flags=$(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig:$work/prefix/lib64/pkgconfig" pkg-config --cflags --libs eddy)
"$cxx" "$src/tests/packaging/main.cpp" $flags -o "$work/pc_consumer"
"$work/pc_consumer"
# FetchContent / add_subdirectory from a local path
cmake -S "$src/tests/packaging/subdir" -B "$work/sub" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" \
  -DEDDY_SOURCE_DIR="$src" -DEDDY_BUILD_BENCH=OFF -DEDDY_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$work/sub" >/dev/null
"$work/sub/consumer"
echo "packaging: find_package, pkg-config and FetchContent consumers all work"
