// ObjectDecoder: GZIP (any number of members) or plain content, streamed.
#include <zlib.h>

#include <string>

#include <fmt/format.h>

#include "firehose/s3_client.hpp"

namespace firehose {
namespace {

constexpr std::size_t kOutputChunk = 256 * 1024;

Error corrupt(std::string_view why) {
  return make_error(ErrorKind::Client, "CorruptObject", fmt::format("not a valid GZIP object: {}", why));
}

}  // namespace

struct ObjectDecoder::State {
  std::string head;  // the first bytes, until two decide the format
  bool decided = false;
  bool gzip = false;
  bool in_member = false;  // inside a gzip member (its end not seen yet)
  bool zlib_ready = false;
  z_stream zlib{};
  std::string output = std::string(kOutputChunk, '\0');

  ~State() {
    if (zlib_ready) inflateEnd(&zlib);
  }
};

ObjectDecoder::ObjectDecoder() : state_(std::make_unique<State>()) {}
ObjectDecoder::~ObjectDecoder() = default;

bool ObjectDecoder::gzip() const { return state_->gzip; }

Status ObjectDecoder::feed(std::string_view bytes, const std::function<void(std::string_view)>& on_decoded) {
  State& s = *state_;
  if (!s.decided) {
    s.head.append(bytes);
    if (s.head.size() < 2) return {};
    s.decided = true;
    s.gzip = static_cast<unsigned char>(s.head[0]) == 0x1f && static_cast<unsigned char>(s.head[1]) == 0x8b;
    if (s.gzip) {
      // windowBits 15 + 16: gzip framing only (no zlib or raw deflate).
      if (inflateInit2(&s.zlib, 15 + 16) != Z_OK) return corrupt("inflateInit2 failed");
      s.zlib_ready = true;
    }
    std::string head = std::move(s.head);
    s.head.clear();
    return feed(head, on_decoded);
  }
  if (!s.gzip) {
    if (!bytes.empty()) on_decoded(bytes);
    return {};
  }
  s.zlib.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  s.zlib.avail_in = static_cast<uInt>(bytes.size());
  for (;;) {
    if (!s.in_member) {
      if (s.zlib.avail_in == 0) break;
      // Another member follows the last one (gzip -d reads them all).
      if (inflateReset(&s.zlib) != Z_OK) return corrupt("inflateReset failed");
      s.in_member = true;
    }
    s.zlib.next_out = reinterpret_cast<Bytef*>(s.output.data());
    s.zlib.avail_out = static_cast<uInt>(s.output.size());
    const int result = inflate(&s.zlib, Z_NO_FLUSH);
    const std::size_t produced = s.output.size() - s.zlib.avail_out;
    if (produced > 0) on_decoded(std::string_view(s.output.data(), produced));
    if (result == Z_STREAM_END) {
      s.in_member = false;
      continue;
    }
    if (result == Z_BUF_ERROR) break;  // needs more input
    if (result != Z_OK) return corrupt(s.zlib.msg != nullptr ? s.zlib.msg : "inflate failed");
    // All input taken and the output not full: nothing is pending inside zlib.
    if (s.zlib.avail_in == 0 && s.zlib.avail_out != 0) break;
  }
  return {};
}

Status ObjectDecoder::finish(const std::function<void(std::string_view)>& on_decoded) {
  State& s = *state_;
  if (!s.decided) {
    // Fewer than two bytes: plain content.
    s.decided = true;
    if (!s.head.empty()) on_decoded(s.head);
    s.head.clear();
    return {};
  }
  if (s.gzip && s.in_member) return corrupt("the stream ends inside a member (cut short)");
  return {};
}

}  // namespace firehose
