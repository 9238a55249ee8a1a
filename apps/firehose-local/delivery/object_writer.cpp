#include "delivery/object_writer.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "delivery/file_io.hpp"

namespace firehose::local {
namespace {

// Small records are gathered before they reach write(2) or deflate(), whose
// per-call cost would otherwise dominate.
constexpr std::size_t kInputBufferSize = 1 << 20;
constexpr std::size_t kOutputChunkSize = 256 * 1024;

}  // namespace

struct ObjectWriter::State {
  std::filesystem::path final_path;
  std::filesystem::path temp_path;
  ObjectWriterOptions options;
  UniqueFd fd;
  std::string input;
  std::string output;
  z_stream zlib{};
  bool zlib_ready = false;
  bool done = false;

  ~State() {
    if (zlib_ready) deflateEnd(&zlib);
  }
};

std::filesystem::path ObjectWriter::temp_path_for(const std::filesystem::path& final_path) {
  // Appended piecewise: `"." + name + ".tmp"` trips a g++ 12 -Wrestrict false positive.
  std::string name(1, '.');
  name += final_path.filename().string();
  name += ".tmp";
  return final_path.parent_path() / name;
}

ObjectWriter::ObjectWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}

ObjectWriter::~ObjectWriter() {
  if (!state_->done) discard();
}

Result<std::unique_ptr<ObjectWriter>> ObjectWriter::open(std::filesystem::path final_path,
                                                         ObjectWriterOptions options) {
  auto state = std::make_unique<State>();
  state->temp_path = temp_path_for(final_path);
  state->final_path = std::move(final_path);
  state->options = options;
  if (auto made = make_directories(state->final_path.parent_path()); !made) return made.error();
  state->fd.reset(::open(state->temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!state->fd.valid()) return io_error("open", state->temp_path, errno);
  if (options.gzip) {
    // windowBits 15 + 16: a gzip header and trailer instead of a zlib one.
    if (deflateInit2(&state->zlib, std::clamp(options.gzip_level, 0, 9), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
      ::unlink(state->temp_path.c_str());
      return make_error(ErrorKind::Transient, "InternalFailure", "deflateInit2 failed");
    }
    state->zlib_ready = true;
    state->output.resize(kOutputChunkSize);
  }
  state->input.reserve(kInputBufferSize);
  return std::unique_ptr<ObjectWriter>(new ObjectWriter(std::move(state)));
}

Status ObjectWriter::write_through(std::string_view data, bool finish) {
  State& s = *state_;
  if (!s.options.gzip) return write_all(s.fd.get(), data, s.temp_path);
  std::string_view pending = data;
  for (;;) {
    // zlib counts in uInt; feed huge inputs in pieces.
    const std::size_t piece = std::min<std::size_t>(pending.size(), std::numeric_limits<uInt>::max() / 2);
    s.zlib.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(pending.data()));
    s.zlib.avail_in = static_cast<uInt>(piece);
    const bool last_piece = piece == pending.size();
    const int flush = finish && last_piece ? Z_FINISH : Z_NO_FLUSH;
    int result = Z_OK;
    do {
      s.zlib.next_out = reinterpret_cast<Bytef*>(s.output.data());
      s.zlib.avail_out = static_cast<uInt>(s.output.size());
      result = deflate(&s.zlib, flush);
      if (result == Z_STREAM_ERROR) return make_error(ErrorKind::Transient, "InternalFailure", "deflate failed");
      const std::size_t produced = s.output.size() - s.zlib.avail_out;
      if (auto written = write_all(s.fd.get(), std::string_view(s.output.data(), produced), s.temp_path); !written) {
        return written;
      }
    } while (s.zlib.avail_out == 0 || (flush == Z_FINISH && result != Z_STREAM_END));
    pending.remove_prefix(piece);
    if (last_piece) break;
  }
  return {};
}

Status ObjectWriter::drain_input(bool finish) {
  auto written = write_through(state_->input, finish);
  state_->input.clear();
  return written;
}

Status ObjectWriter::append(std::string_view data) {
  State& s = *state_;
  if (s.input.size() + data.size() > kInputBufferSize && !s.input.empty()) {
    if (auto drained = drain_input(false); !drained) return drained;
  }
  if (data.size() >= kInputBufferSize) return write_through(data, false);  // large: no copy
  s.input.append(data);
  return {};
}

Status ObjectWriter::commit() {
  State& s = *state_;
  auto finish = [&]() -> Status {
    if (auto drained = drain_input(true); !drained) return drained;
    if (s.options.durable && ::fsync(s.fd.get()) != 0) return io_error("fsync", s.temp_path, errno);
    if (::close(s.fd.release()) != 0) return io_error("close", s.temp_path, errno);
    if (::rename(s.temp_path.c_str(), s.final_path.c_str()) != 0) return io_error("rename", s.temp_path, errno);
    s.done = true;
    if (s.options.durable) {
      // The object is in place either way; reporting a failure now would
      // get its records delivered a second time.
      if (auto synced = sync_directory(s.final_path.parent_path()); !synced) {
        spdlog::warn("{}", synced.error().message);
      }
    }
    return {};
  };
  auto status = finish();
  if (!status && !s.done) discard();
  return status;
}

void ObjectWriter::discard() {
  state_->fd.reset();
  ::unlink(state_->temp_path.c_str());
  state_->done = true;
}

}  // namespace firehose::local
