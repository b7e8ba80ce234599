// SPDX-License-Identifier: BSL-1.0
// The shared basics cases (tests/asio_common/basics_cases.hpp) on Boost.Asio.
#include "asio_common/flavour_boost_asio.hpp"
// (the flavour header first)
#include "asio_common/basics_cases.hpp"
