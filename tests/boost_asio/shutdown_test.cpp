// SPDX-License-Identifier: BSL-1.0
// The shared shutdown cases (tests/asio_common/shutdown_cases.hpp) on Boost.Asio.
#include "asio_common/flavour_boost_asio.hpp"
// (the flavour header first)
#include "asio_common/shutdown_cases.hpp"
