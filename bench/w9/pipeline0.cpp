// SPDX-License-Identifier: BSL-1.0
// W9 baseline: pipeline20.cpp with no operator (same headers). See pipeline20.cpp.
#define EDDY_W9_OPERATORS 0
#include "pipeline20.cpp"
