/// \file
/// The runtime-agnostic channels and locks (eddy/sync/*). Add each new primitive here.
#pragma once
