#include "input_file.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace firehose::cli {

std::string input_name(const std::string& path) { return path == "-" ? "stdin" : path; }

Result<std::FILE*> open_input(const std::string& path) {
  auto refused = [&](int error_number) {
    return make_error(ErrorKind::Client, "UnreadableInput",
                      fmt::format("cannot read {}: {}", input_name(path), std::strerror(error_number)));
  };
  std::FILE* file = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (file == nullptr) return refused(errno);
  struct stat info {};
  if (::fstat(fileno(file), &info) == 0 && S_ISDIR(info.st_mode)) {
    close_input(file);
    return refused(EISDIR);
  }
  return file;
}

void close_input(std::FILE* file) {
  if (file != nullptr && file != stdin) std::fclose(file);
}

std::string read_error_message(const std::string& path, int error_number) {
  return fmt::format("error reading {}: {}", input_name(path), std::strerror(error_number));
}

std::string torn_line_message(std::size_t size) {
  return fmt::format(
      "its last line ({} bytes, no newline) was cut: the file changed size while it was read "
      "(a writer appending, or a truncation)",
      size);
}

}  // namespace firehose::cli
