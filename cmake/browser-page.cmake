# SPDX-License-Identifier: BSL-1.0
# The web pages of the examples (examples/browser, examples/rpc_browser): eddy compiled to wasm
# with Emscripten, a page folder with index.html, <name>.js and <name>.wasm. Each example's
# CMakeLists.txt calls project() when it is the top level, then:
#
#   include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/browser-page.cmake)
#   eddy_browser_page_setup()
#   eddy_browser_page(<target> OUTPUT_NAME <name> TITLE <title> LINK <libraries...>
#                     [LINK_OPTIONS <options...>] [CARDS <card...>])
#
# As part of a native build (examples/CMakeLists.txt) both do nothing.

# The page's own build (the example is the top level): Emscripten only, C++20, the page's
# optimisation EDDY_PAGE_OPT (-O2 or -Os, the cache variable scripts/lib/browser-page.sh sets),
# no exceptions (smaller, and every TU agrees: eddy's error layout), then eddy itself.
macro(eddy_browser_page_setup)
  if(CMAKE_SOURCE_DIR STREQUAL CMAKE_CURRENT_SOURCE_DIR)
    get_filename_component(eddy_page_example ${CMAKE_CURRENT_SOURCE_DIR} NAME)
    if(NOT EMSCRIPTEN)
      message(FATAL_ERROR "examples/${eddy_page_example} is built with Emscripten: use `emcmake cmake` (scripts/test-browser)")
    endif()
    set(CMAKE_CXX_STANDARD 20)
    set(CMAKE_CXX_STANDARD_REQUIRED ON)
    set(EDDY_PAGE_OPT "-O2" CACHE STRING "Optimisation of the page: -O2 or -Os")
    if(NOT CMAKE_BUILD_TYPE)
      set(CMAKE_BUILD_TYPE Release)
    endif()
    set(CMAKE_CXX_FLAGS_RELEASE "${EDDY_PAGE_OPT} -DNDEBUG")
    add_compile_options(-fno-exceptions)
    set(EDDY_WERROR ON)
    add_subdirectory(${CMAKE_CURRENT_SOURCE_DIR}/../.. eddy)
    if(EXISTS /usr/share/nodejs/acorn AND NOT CMAKE_CXX_LINKER_LAUNCHER)
      set(CMAKE_CXX_LINKER_LAUNCHER ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs)
    endif()
  endif()
endmacro()

# <target> from the calling folder's main.cpp, linked with LINK and LINK_OPTIONS, written as
# page/<OUTPUT_NAME>.js and .wasm in the build folder, and page/index.html: the page shell
# (cmake/browser-page.html.in) with TITLE, the folder's page.css as its style and page.html as
# its body (their first line, the SPDX comment, left out). With CARDS, each @EDDY_CARD_<NAME>@
# of the body is the C++ behind that card: the lines of main.cpp between "// [card <name>]" and
# "// [end card]", HTML-escaped. Re-done whenever main.cpp, page.css or page.html changes.
function(eddy_browser_page target)
  if(NOT EMSCRIPTEN)
    return()
  endif()
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "OUTPUT_NAME;TITLE" "LINK;LINK_OPTIONS;CARDS")
  set(here ${CMAKE_CURRENT_SOURCE_DIR})
  add_executable(${target} ${here}/main.cpp)
  target_link_libraries(${target} PRIVATE ${arg_LINK})
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${arg_OUTPUT_NAME}
                                             RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/page)
  target_link_options(${target} PRIVATE -sENVIRONMENT=web -sALLOW_MEMORY_GROWTH=1 ${arg_LINK_OPTIONS})

  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
               ${here}/main.cpp ${here}/page.css ${here}/page.html)
  set(spdx "^[^\n]*SPDX-License-Identifier[^\n]*\n")
  file(READ ${here}/page.css style)
  string(REGEX REPLACE "${spdx}" "" EDDY_PAGE_STYLE "${style}")
  file(READ ${here}/page.html body)
  string(REGEX REPLACE "${spdx}" "" body "${body}")
  if(arg_CARDS)
    _eddy_browser_page_cards(${here}/main.cpp ${arg_CARDS})
    string(CONFIGURE "${body}" body @ONLY)  # the @EDDY_CARD_<NAME>@
  endif()
  set(EDDY_PAGE_BODY "${body}")
  set(EDDY_PAGE_TITLE "${arg_TITLE}")
  set(EDDY_PAGE_SCRIPT "${arg_OUTPUT_NAME}.js")
  configure_file(${CMAKE_CURRENT_FUNCTION_LIST_DIR}/browser-page.html.in
                 ${CMAKE_BINARY_DIR}/page/index.html @ONLY)
endfunction()

# Sets EDDY_CARD_<NAME> in the caller for each card of `src` (see eddy_browser_page). One list
# element per line: ';', '[' and ']' (which CMake lists treat specially) are encoded first and
# restored in each line taken.
function(_eddy_browser_page_cards src)
  file(READ ${src} page_src)
  string(REPLACE ";" "%SC%" page_src "${page_src}")
  string(REPLACE "[" "%LB%" page_src "${page_src}")
  string(REPLACE "]" "%RB%" page_src "${page_src}")
  string(REPLACE "\n" ";" page_src_lines "${page_src}")
  foreach(card IN LISTS ARGN)
    set(in_card OFF)
    set(code "")
    foreach(line IN LISTS page_src_lines)
      if(line STREQUAL "// %LB%card ${card}%RB%")
        set(in_card ON)
      elseif(in_card AND line STREQUAL "// %LB%end card%RB%")
        set(in_card OFF)
      elseif(in_card)
        string(REPLACE "%SC%" ";" line "${line}")
        string(REPLACE "%LB%" "[" line "${line}")
        string(REPLACE "%RB%" "]" line "${line}")
        string(REPLACE "&" "&amp;" line "${line}")
        string(REPLACE "<" "&lt;" line "${line}")
        string(REPLACE ">" "&gt;" line "${line}")
        string(APPEND code "${line}\n")
      endif()
    endforeach()
    if(code STREQUAL "")
      message(FATAL_ERROR "${src} has no \"// [card ${card}]\" ... \"// [end card]\"")
    endif()
    string(TOUPPER ${card} CARD)
    string(STRIP "${code}" code)
    set(EDDY_CARD_${CARD} "${code}" PARENT_SCOPE)
  endforeach()
endfunction()
