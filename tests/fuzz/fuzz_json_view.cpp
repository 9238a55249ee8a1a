// The JSON reader of the put path (json_view): the tree parser and the
// streaming cursor must accept and refuse the same documents, and neither
// may crash, loop or overflow its stack on deep nesting.
#include <cstdint>
#include <optional>

#include "core/json_view.hpp"
#include "fuzz_input.hpp"

namespace {

using firehose::Status;
using firehose::aws::json_view::Cursor;
using firehose::aws::json_view::Value;

// Walks a document with the cursor the way the producer reads an answer:
// objects member by member, arrays item by item, anything else as a value.
Status walk(Cursor& cursor, int depth) {
  Value scalar;
  if (depth > 0) {
    if (auto object = cursor.begin_object(); object.ok()) {
      for (;;) {
        auto member = cursor.next_member();
        if (!member.ok()) return member.error();
        if (!member->has_value()) return {};
        if (auto inner = walk(cursor, depth - 1); !inner.ok()) return inner;
      }
    }
  }
  return cursor.value(scalar);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = firehose::fuzz::as_text(data, size);
  auto document = firehose::aws::json_view::Document::parse(text);
  Cursor cursor(text);
  Value whole;
  Status walked = cursor.value(whole);
  if (walked.ok()) walked = cursor.end();
  if (document.ok() != walked.ok()) __builtin_trap();  // one grammar for both readers

  Cursor nested(text);
  Status read = walk(nested, 3);
  if (read.ok()) read = nested.end();
  (void)read;
  return 0;
}
