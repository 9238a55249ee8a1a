#pragma once
// The files records are read from (send, put-record-batch, workflow): opened
// and named in errors one way. A directory opens fine with fopen() on Linux
// and failed later as "error reading input"; here it is refused up front
// with its name and the reason.
#include <cstdio>
#include <string>

#include "firehose/result.hpp"

namespace firehose::cli {

// "-" is stdin. Errors: Client, "UnreadableInput", "cannot read PATH: <reason>".
Result<std::FILE*> open_input(const std::string& path);
// Closes what open_input() opened (stdin stays open).
void close_input(std::FILE* file);

// "stdin" for "-", else the path.
std::string input_name(const std::string& path);
// "error reading PATH: <strerror(error_number)>".
std::string read_error_message(const std::string& path, int error_number);

// How a torn last line is reported (see LineLimit::on_torn_last_line).
std::string torn_line_message(std::size_t size);

}  // namespace firehose::cli
