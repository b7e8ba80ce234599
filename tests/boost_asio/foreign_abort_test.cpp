// SPDX-License-Identifier: BSL-1.0
// The shared foreign_abort cases (tests/asio_common/foreign_abort_cases.hpp) on Boost.Asio.
#include "asio_common/flavour_boost_asio.hpp"
// (the flavour header first)
#include "asio_common/foreign_abort_cases.hpp"
