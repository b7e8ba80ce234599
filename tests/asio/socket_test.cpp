// SPDX-License-Identifier: BSL-1.0
// The shared sockets cases (tests/asio_common/sockets_cases.hpp) on standalone Asio.
#include "asio_common/flavour_asio.hpp"
// (the flavour header first)
#include "asio_common/sockets_cases.hpp"
