#include "core/json_view.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

namespace firehose::aws::json_view {

const Value* Value::find(std::string_view key) const {
  for (const Member& member : members) {
    if (member.key == key) return &member.value;
  }
  return nullptr;
}

const char* describe(Value::Type type) {
  switch (type) {
    case Value::Type::Null: return "null";
    case Value::Type::Bool: return "a boolean";
    case Value::Type::Number: return "a number";
    case Value::Type::String: return "a string";
    case Value::Type::Array: return "an array";
    case Value::Type::Object: return "an object";
  }
  return "a value";
}

class Parser {
  friend class Cursor;

 public:
  Parser(std::string_view text, Document& document) : text_(text), document_(document) {}

  Status parse() {
    skip_space();
    if (auto v = value(document_.root_, 0); !v) return v;
    skip_space();
    if (pos_ != text_.size()) return fail("unexpected content after the JSON value");
    return {};
  }

 private:
  static constexpr int kMaxDepth = 64;

  Error fail(std::string_view what) const {
    return make_error(ErrorKind::Client, "SerializationException",
                      fmt::format("Malformed JSON at offset {}: {}", pos_, what));
  }

  void skip_space() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++pos_;
    }
  }

  bool consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  Status value(Value& out, int depth) {
    if (pos_ >= text_.size()) return fail("unexpected end of input");
    switch (text_[pos_]) {
      case '{': return object(out, depth + 1);
      case '[': return array(out, depth + 1);
      case '"': out.type = Value::Type::String; return string(out.text);
      case 't': return literal("true", out, Value::Type::Bool, true);
      case 'f': return literal("false", out, Value::Type::Bool, false);
      case 'n': return literal("null", out, Value::Type::Null, false);
      default: return number(out);
    }
  }

  Status literal(std::string_view word, Value& out, Value::Type type, bool boolean) {
    if (text_.substr(pos_, word.size()) != word) return fail("invalid literal");
    pos_ += word.size();
    out.type = type;
    out.boolean = boolean;
    return {};
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  Status number(Value& out) {
    const std::size_t start = pos_;
    consume('-');
    if (pos_ >= text_.size() || !digit(text_[pos_])) return fail("invalid value");
    if (text_[pos_] == '0') {
      ++pos_;
    } else {
      while (pos_ < text_.size() && digit(text_[pos_])) ++pos_;
    }
    if (consume('.')) {
      if (pos_ >= text_.size() || !digit(text_[pos_])) return fail("invalid number");
      while (pos_ < text_.size() && digit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (!consume('+')) consume('-');
      if (pos_ >= text_.size() || !digit(text_[pos_])) return fail("invalid number");
      while (pos_ < text_.size() && digit(text_[pos_])) ++pos_;
    }
    out.type = Value::Type::Number;
    out.text = text_.substr(start, pos_ - start);
    return {};
  }

  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  bool read_hex4(unsigned& out) {
    if (pos_ + 4 > text_.size()) return false;
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = hex(text_[pos_ + static_cast<std::size_t>(i)]);
      if (h < 0) return false;
      out = (out << 4) | static_cast<unsigned>(h);
    }
    pos_ += 4;
    return true;
  }

  static void append_utf8(std::string& s, unsigned cp) {
    if (cp < 0x80) {
      s.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      s.push_back(static_cast<char>(0xc0 | (cp >> 6)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      s.push_back(static_cast<char>(0xe0 | (cp >> 12)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      s.push_back(static_cast<char>(0xf0 | (cp >> 18)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  // The first byte of an 8-byte word that is '"', '\\' or a control
  // character (below 0x20), as a bit index (8 x its position), or 64 if none.
  // The classic "has zero byte" trick: a borrow can only flag bytes above a
  // real match, so the lowest flagged byte is exact.
  static unsigned first_special(std::uint64_t word) {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
    const std::uint64_t quote = word ^ (kOnes * '"');
    const std::uint64_t backslash = word ^ (kOnes * '\\');
    const std::uint64_t flags = ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) |
                                ((word - kOnes * 0x20) & ~word);
    const std::uint64_t found = flags & kHighs;
    return found == 0 ? 64 : static_cast<unsigned>(std::countr_zero(found)) - 7;
  }

  // The hot loop: base64 payloads and RecordIds have no escapes, so most
  // strings end up as a view after one scan, eight bytes at a time.
  Status string(std::string_view& out) {
    ++pos_;  // opening quote
    const std::size_t start = pos_;
    if constexpr (std::endian::native == std::endian::little) {
      while (pos_ + 8 <= text_.size()) {
        std::uint64_t word;
        std::memcpy(&word, text_.data() + pos_, sizeof word);
        const unsigned bit = first_special(word);
        if (bit < 64) {
          pos_ += bit / 8;
          break;
        }
        pos_ += 8;
      }
    }
    while (pos_ < text_.size()) {
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        out = text_.substr(start, pos_ - start);
        ++pos_;
        return {};
      }
      if (c == '\\') return escaped_string(start, out);
      if (c < 0x20) return fail("control character in string");
      ++pos_;
    }
    return fail("unterminated string");
  }

  Status escaped_string(std::size_t start, std::string_view& out) {
    auto decoded = std::make_unique<std::string>(text_.substr(start, pos_ - start));
    while (pos_ < text_.size()) {
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        out = *decoded;
        document_.decoded_.push_back(std::move(decoded));
        return {};
      }
      if (c < 0x20) return fail("control character in string");
      if (c != '\\') {
        decoded->push_back(static_cast<char>(c));
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= text_.size()) break;
      const char e = text_[pos_++];
      switch (e) {
        case '"': decoded->push_back('"'); break;
        case '\\': decoded->push_back('\\'); break;
        case '/': decoded->push_back('/'); break;
        case 'b': decoded->push_back('\b'); break;
        case 'f': decoded->push_back('\f'); break;
        case 'n': decoded->push_back('\n'); break;
        case 'r': decoded->push_back('\r'); break;
        case 't': decoded->push_back('\t'); break;
        case 'u': {
          unsigned cp = 0;
          if (!read_hex4(cp)) return fail("invalid \\u escape");
          if (cp >= 0xd800 && cp <= 0xdbff) {
            unsigned low = 0;
            if (!(consume('\\') && consume('u') && read_hex4(low)) || low < 0xdc00 || low > 0xdfff) {
              return fail("unpaired surrogate in \\u escape");
            }
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          } else if (cp >= 0xdc00 && cp <= 0xdfff) {
            return fail("unpaired surrogate in \\u escape");
          }
          append_utf8(*decoded, cp);
          break;
        }
        default: return fail("invalid escape in string");
      }
    }
    return fail("unterminated string");
  }

  // Arrays on the put path hold up to 500 items of one shape (records,
  // answer entries): room for as many more as the rest of the text would
  // hold if they were like the first saves the doubling series of moves.
  // Capped, so a small first item before a long text reserves little.
  void reserve_like_first(std::vector<Value>& items, std::size_t first_item_bytes) const {
    constexpr std::size_t kMostReserved = 512;
    const std::size_t estimate = 1 + (text_.size() - pos_) / first_item_bytes;
    items.reserve(std::min(estimate, kMostReserved));
  }

  Status array(Value& out, int depth) {
    if (depth > kMaxDepth) return fail("nested too deeply");
    ++pos_;
    out.type = Value::Type::Array;
    skip_space();
    if (consume(']')) return {};
    while (true) {
      skip_space();
      const std::size_t item_start = pos_;
      out.items.emplace_back();
      if (auto v = value(out.items.back(), depth); !v) return v;
      skip_space();
      if (out.items.size() == 1) reserve_like_first(out.items, pos_ + 1 - item_start);
      if (consume(',')) continue;
      if (consume(']')) return {};
      return fail("expected ',' or ']'");
    }
  }

  Status object(Value& out, int depth) {
    if (depth > kMaxDepth) return fail("nested too deeply");
    ++pos_;
    out.type = Value::Type::Object;
    skip_space();
    if (consume('}')) return {};
    while (true) {
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '"') return fail("expected a member name");
      Member member;
      if (auto k = string(member.key); !k) return k;
      skip_space();
      if (!consume(':')) return fail("expected ':'");
      skip_space();
      if (auto v = value(member.value, depth); !v) return v;
      out.members.push_back(std::move(member));
      skip_space();
      if (consume(',')) continue;
      if (consume('}')) return {};
      return fail("expected ',' or '}'");
    }
  }

  std::string_view text_;
  Document& document_;
  std::size_t pos_ = 0;
};

Cursor::Cursor(std::string_view text)
    : storage_(std::make_unique<Document>()), parser_(std::make_unique<Parser>(text, *storage_)) {
  first_.reserve(8);
}

Cursor::~Cursor() = default;

Status Cursor::begin(char open, std::string_view expected) {
  parser_->skip_space();
  if (!parser_->consume(open)) return parser_->fail(expected);
  if (first_.size() >= static_cast<std::size_t>(Parser::kMaxDepth)) return parser_->fail("nested too deeply");
  first_.push_back(true);
  return {};
}

Status Cursor::begin_object() { return begin('{', "expected an object"); }

Status Cursor::begin_array() { return begin('[', "expected an array"); }

// Past the separator before the next item or member, or past the closing
// bracket (false).
Result<bool> Cursor::next(char close) {
  if (first_.empty()) return parser_->fail("no open array or object");
  parser_->skip_space();
  if (parser_->consume(close)) {
    first_.pop_back();
    return false;
  }
  if (!first_.back() && !parser_->consume(',')) {
    return parser_->fail(close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
  }
  first_.back() = false;
  parser_->skip_space();
  return true;
}

Result<std::optional<std::string_view>> Cursor::next_member() {
  auto more = next('}');
  if (!more) return more.error();
  if (!*more) return std::optional<std::string_view>();
  const std::string_view& text = parser_->text_;
  if (parser_->pos_ >= text.size() || text[parser_->pos_] != '"') return parser_->fail("expected a member name");
  std::string_view key;
  if (auto k = parser_->string(key); !k) return k.error();
  parser_->skip_space();
  if (!parser_->consume(':')) return parser_->fail("expected ':'");
  return std::optional<std::string_view>(key);
}

Result<bool> Cursor::next_item() { return next(']'); }

Status Cursor::value(Value& out) {
  parser_->skip_space();
  return parser_->value(out, static_cast<int>(first_.size()));
}

Status Cursor::end() {
  if (!first_.empty()) return parser_->fail("unexpected end of input");
  parser_->skip_space();
  if (parser_->pos_ != parser_->text_.size()) return parser_->fail("unexpected content after the JSON value");
  return {};
}

std::vector<std::unique_ptr<std::string>> Cursor::take_decoded() { return std::move(storage_->decoded_); }

Result<Document> Document::parse(std::string_view text) {
  Document document;
  Parser parser(text, document);
  if (auto parsed = parser.parse(); !parsed) return parsed.error();
  return document;
}

}  // namespace firehose::aws::json_view
