/// \file
/// The stream library (eddy/stream/*) and its consumers (eddy/exec/*). Add each header here.
#pragma once
