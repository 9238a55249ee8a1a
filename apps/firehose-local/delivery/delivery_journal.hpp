#pragma once
// A stream's delivery journal: the file that makes delivery exactly-once
// across a kill. It records how far the spool has been delivered and, while
// an object is being written, which object and up to where:
//
//   1. journal {delivered = P0, object = K}            before the temp file exists
//   2. write the object under its temp name
//   3. journal {delivered = P0, object = K, end = P1}  the content is complete
//   4. rename the temp file to K                       the object appears
//   5. journal {delivered = P1}
//   6. delete the spool segments before P1
//
// After a kill, recovery reads the journal: with `end` set and K present, the
// rename happened, so delivered = P1 (no duplicate); otherwise the object never
// appeared, its temp file (if any) is removed and P0 is redelivered (no loss).
// Each journal write is itself atomic (temp file + rename). Without the fsync
// option this holds for a killed process, not for a power cut.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "delivery/spool_reader.hpp"
#include "firehose/result.hpp"

namespace firehose::local {

struct JournalState {
  SpoolPosition delivered;
  std::optional<std::string> object;        // path relative to the data directory
  std::optional<SpoolPosition> object_end;  // set once the object's content is complete
  bool operator==(const JournalState&) const = default;
};

std::string encode_journal(const JournalState& state);
std::optional<JournalState> decode_journal(std::string_view text);

// A missing file is the initial state (nothing delivered); an unreadable or
// undecodable one is an error.
Result<JournalState> read_journal(const std::filesystem::path& file);
Status write_journal(const std::filesystem::path& file, const JournalState& state, bool durable);

}  // namespace firehose::local
