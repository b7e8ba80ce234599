// SPDX-License-Identifier: BSL-1.0
// The shared interop cases (tests/asio_common/interop_cases.hpp) on standalone Asio.
#include "asio_common/flavour_asio.hpp"
// (the flavour header first)
#include "asio_common/interop_cases.hpp"
