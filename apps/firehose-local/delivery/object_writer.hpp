#pragma once
// Writes one delivered object so that it appears atomically: the content goes
// to a temp file in the object's own directory (".<name>.tmp", which readers
// skip), and commit() renames it to the final name. A writer destroyed
// without commit() removes its temp file. GZIP objects are one gzip member
// (readable by `gzip -d` and Python's gzip).
#include <filesystem>
#include <memory>
#include <string_view>

#include "firehose/result.hpp"

namespace firehose::local {

struct ObjectWriterOptions {
  bool gzip = false;
  int gzip_level = 1;    // zlib level; the emulation cares about the format, not the ratio
  bool durable = false;  // fsync the file and its directory
};

class ObjectWriter {
 public:
  static Result<std::unique_ptr<ObjectWriter>> open(std::filesystem::path final_path, ObjectWriterOptions options);
  ~ObjectWriter();
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  // Appends raw (uncompressed) bytes.
  Status append(std::string_view data);
  // Finishes the content and renames it into place. After an error the temp
  // file is removed and the final name never appears.
  Status commit();

  // ".<name>.tmp" next to `final_path`.
  static std::filesystem::path temp_path_for(const std::filesystem::path& final_path);

 private:
  struct State;
  explicit ObjectWriter(std::unique_ptr<State> state);
  Status write_through(std::string_view data, bool finish);
  Status drain_input(bool finish);
  void discard();

  std::unique_ptr<State> state_;
};

}  // namespace firehose::local
