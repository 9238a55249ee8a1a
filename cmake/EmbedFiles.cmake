# Turns files into a C++ header of byte arrays, so that a program carries them
# in its binary (firehose-local's web console). Two uses:
#
#   include(cmake/EmbedFiles.cmake)
#   embed_files(OUTPUT <header> VARIABLE kName FILES a.html b.js)
#     adds a build step that (re)writes <header> whenever one of the files
#     changes; list <header> among a target's sources.
#
#   cmake -DEMBED_OUTPUT=<header> -DEMBED_VARIABLE=kName -DEMBED_FILES="a;b" -P EmbedFiles.cmake
#     what that build step runs.
#
# The header defines `struct EmbeddedFile {std::string_view name, data;}` and
# `inline constexpr EmbeddedFile kName[]`, one entry per file (named by its
# file name). Bytes are written as hex, so any content is safe in C++.

if(CMAKE_SCRIPT_MODE_FILE)
  set(text "// Generated at build time by cmake/EmbedFiles.cmake; do not edit.\n#pragma once\n")
  string(APPEND text "#include <string_view>\n\nnamespace firehose::local {\n\n")
  string(APPEND text "#ifndef FIREHOSE_EMBEDDED_FILE_DEFINED\n#define FIREHOSE_EMBEDDED_FILE_DEFINED\n")
  string(APPEND text "struct EmbeddedFile {\n  std::string_view name;\n  std::string_view data;\n};\n#endif\n\n")
  set(entries "")
  set(index 0)
  foreach(file IN LISTS EMBED_FILES)
    file(READ "${file}" hex HEX)
    string(LENGTH "${hex}" hex_length)
    math(EXPR size "${hex_length} / 2")
    string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
    # 20 bytes a line keeps the header readable in a diff tool.
    string(REGEX REPLACE "(('\\\\x[0-9a-f][0-9a-f]',){20})" "\\1\n  " bytes "${bytes}")
    get_filename_component(name "${file}" NAME)
    string(APPEND text "inline constexpr char ${EMBED_VARIABLE}_${index}[${size} + 1] = {\n  ${bytes}'\\0'};\n")
    string(APPEND entries "    EmbeddedFile{\"${name}\", std::string_view(${EMBED_VARIABLE}_${index}, ${size})},\n")
    math(EXPR index "${index} + 1")
  endforeach()
  string(APPEND text "\ninline constexpr EmbeddedFile ${EMBED_VARIABLE}[] = {\n${entries}};\n\n}  // namespace firehose::local\n")
  # Written only when it changes: an unchanged header rebuilds nothing.
  if(EXISTS "${EMBED_OUTPUT}")
    file(READ "${EMBED_OUTPUT}" previous)
  endif()
  if(NOT previous STREQUAL text)
    file(WRITE "${EMBED_OUTPUT}" "${text}")
  endif()
  return()
endif()

set(FIREHOSE_EMBED_FILES_SCRIPT ${CMAKE_CURRENT_LIST_FILE})
function(embed_files)
  cmake_parse_arguments(EMBED "" "OUTPUT;VARIABLE" "FILES" ${ARGN})
  add_custom_command(
    OUTPUT ${EMBED_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DEMBED_OUTPUT=${EMBED_OUTPUT} -DEMBED_VARIABLE=${EMBED_VARIABLE}
            "-DEMBED_FILES=${EMBED_FILES}" -P ${FIREHOSE_EMBED_FILES_SCRIPT}
    DEPENDS ${EMBED_FILES} ${FIREHOSE_EMBED_FILES_SCRIPT}
    COMMENT "Embedding ${EMBED_VARIABLE}"
    VERBATIM)
endfunction()
