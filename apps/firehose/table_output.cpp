#include "table_output.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace firehose::cli {
namespace {

// Display width: one column per code point (UTF-8 continuation bytes do not
// count). East Asian wide characters count as one here, where the AWS CLI
// counts two; stream names and AWS fields are ASCII.
int text_length(const std::string& s) {
  int n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

std::string scalar_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  if (v.is_null()) return "None";
  return v.dump();
}

bool is_scalar(const nlohmann::json& v) { return !v.is_object() && !v.is_array(); }

struct Section {
  std::string title;
  int indent = 0;
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> max_widths;

  void widen(const std::vector<std::string>& cells) {
    if (max_widths.empty()) {
      for (const auto& c : cells) max_widths.push_back(text_length(c));
      return;
    }
    for (std::size_t i = 0; i < cells.size() && i < max_widths.size(); ++i) {
      max_widths[i] = std::max(max_widths[i], text_length(cells[i]));
    }
  }
  void add_header(std::vector<std::string> h) {
    widen(h);
    headers = std::move(h);
  }
  void add_row(std::vector<std::string> r) {
    widen(r);
    rows.push_back(std::move(r));
  }

  // Column widths with `padding`, scaled to fill `max_width` exactly (rounding
  // half to even, then the remainder taken from the first columns or given to
  // the last ones, as the AWS CLI does).
  std::vector<int> column_widths(int padding, int max_width) const {
    std::vector<int> widths;
    for (int w : max_widths) widths.push_back(w + padding);
    if (widths.empty() || max_width <= 0) return widths;
    int sum = 0;
    for (int w : widths) sum += w;
    const double scale = static_cast<double>(max_width) / sum;
    int total = 0;
    for (int& w : widths) {
      w = static_cast<int>(std::nearbyint(scale * w));
      total += w;
    }
    int off_by = total - max_width;
    while (off_by != 0) {
      const int n = static_cast<int>(widths.size());
      for (int k = 0; k < n && off_by != 0; ++k) {
        const int i = off_by < 0 ? n - 1 - k : k;
        if (off_by > 0) {
          --widths[static_cast<std::size_t>(i)];
          --off_by;
        } else {
          ++widths[static_cast<std::size_t>(i)];
          ++off_by;
        }
      }
    }
    return widths;
  }

  int total_width() const {
    int total = 2;  // borders
    for (int w : max_widths) total += w + 4;
    total += 2 * indent;
    return std::max(text_length(title) + 2 + 2 * indent, total);
  }
};

// Builds the sections from a response, following the AWS CLI's traversal.
class Builder {
 public:
  std::vector<Section> sections;

  bool build(const std::string* title, const nlohmann::json& current, int indent) {
    if (current.is_null() || (current.is_object() || current.is_array() ? current.empty() : false)) return false;
    if (title != nullptr) new_section(*title, indent);
    if (current.is_array()) {
      if (current.front().is_object()) {
        from_list(current, indent, title != nullptr ? *title : std::string());
      } else {
        for (const auto& item : current) {
          if (is_scalar(item)) {
            section().add_row({scalar_text(item)});
          } else if (std::all_of(item.begin(), item.end(), is_scalar)) {
            std::vector<std::string> row;
            for (const auto& el : item) row.push_back(scalar_text(el));
            section().add_row(std::move(row));
          } else {
            build(nullptr, item, 0);
          }
        }
      }
    }
    if (current.is_object()) from_object(current, indent);
    return true;
  }

 private:
  Section& section() {
    if (sections.empty()) sections.emplace_back();
    return sections.back();
  }
  void new_section(const std::string& title, int indent) {
    sections.emplace_back();
    sections.back().title = title;
    sections.back().indent = indent;
  }

  static void split_keys(const nlohmann::json& object, std::vector<std::string>& scalars,
                         std::vector<std::string>& nested) {
    for (const auto& [k, v] : object.items()) (is_scalar(v) ? scalars : nested).push_back(k);
    std::sort(scalars.begin(), scalars.end());
    std::sort(nested.begin(), nested.end());
  }

  void from_object(const nlohmann::json& object, int indent) {
    std::vector<std::string> headers, more;
    split_keys(object, headers, more);
    if (headers.size() == 1) {
      section().add_row({headers[0], scalar_text(object.at(headers[0]))});
    } else if (!headers.empty()) {
      std::vector<std::string> values;
      for (const auto& h : headers) values.push_back(scalar_text(object.at(h)));
      section().add_header(headers);
      section().add_row(std::move(values));
    }
    for (const auto& key : more) build(&key, object.at(key), indent + 1);
  }

  void from_list(const nlohmann::json& list, int indent, const std::string& title) {
    std::vector<std::string> headers, more;
    for (const auto& element : list) {
      std::vector<std::string> h, m;
      if (element.is_object()) split_keys(element, h, m);
      headers.insert(headers.end(), h.begin(), h.end());
      more.insert(more.end(), m.begin(), m.end());
    }
    for (auto* keys : {&headers, &more}) {
      std::sort(keys->begin(), keys->end());
      keys->erase(std::unique(keys->begin(), keys->end()), keys->end());
    }
    section().add_header(headers);
    bool first = true;
    for (const auto& element : list) {
      if (!first && !more.empty()) {
        new_section(title, indent);
        section().add_header(headers);
      }
      first = false;
      std::vector<std::string> row;
      for (const auto& h : headers) {
        row.push_back(element.is_object() && element.contains(h) ? scalar_text(element.at(h)) : std::string());
      }
      section().add_row(std::move(row));
      for (const auto& key : more) {
        if (element.is_object() && element.contains(key)) build(&key, element.at(key), indent + 1);
      }
    }
  }
};

// `text` centred in a cell of `length` columns between `left` and a right bar.
std::string center(const std::string& text, int length, const std::string& left = "|") {
  const int text_len = text_length(text);
  const int start = length / 2 - text_len / 2 - 1;
  std::string out = left + std::string(static_cast<std::size_t>(std::max(0, start)), ' ') + text;
  const int right = length - 1 - (static_cast<int>(left.size()) + start + text_len);
  out.append(static_cast<std::size_t>(std::max(0, right)), ' ');
  return out + "|";
}

std::string line_break(const std::vector<int>& widths) {
  std::string out;
  for (std::size_t i = 0; i < widths.size(); ++i) {
    const int dashes = std::max(0, widths[i] - (i == 0 ? 2 : 1));
    out += (i == 0 ? "+" : "") + std::string(static_cast<std::size_t>(dashes), '-') + "+";
  }
  return out;
}

std::string header_line(const std::vector<int>& widths, const std::vector<std::string>& headers) {
  std::string out;
  for (std::size_t i = 0; i < widths.size() && i < headers.size(); ++i) {
    out += center(headers[i], widths[i], i == 0 ? "|" : "");  // the left edge only once
  }
  return out;
}

std::string row_line(const std::vector<int>& widths, const std::vector<std::string>& row) {
  std::string out;
  for (std::size_t i = 0; i < widths.size() && i < row.size(); ++i) {
    const std::string left = i == 0 ? "|" : "";
    const int len = text_length(row[i]);
    const int padding = widths[i] - (len + 2 + static_cast<int>(left.size()) + 1) >= 0 ? 2 : 0;
    const int fill = widths[i] - static_cast<int>(left.size()) - padding - len - 1;
    out += left + std::string(static_cast<std::size_t>(padding), ' ') + row[i] +
           std::string(static_cast<std::size_t>(std::max(0, fill)), ' ') + "|";
  }
  return out;
}

void render(const Section& s, int max_width, std::string& out) {
  const std::string bars(static_cast<std::size_t>(s.indent), '|');
  auto write = [&](const std::string& line) { out += bars + line + bars + "\n"; };
  const int width = max_width - 2 * s.indent;
  if (!s.title.empty()) {
    write(center(s.title, width));
    if (s.headers.empty() && s.rows.empty()) write("+" + std::string(static_cast<std::size_t>(width - 2), '-') + "+");
  }
  const std::vector<int> widths = s.column_widths(4, width);
  if (!s.headers.empty()) {
    write(line_break(widths));
    write(header_line(widths, s.headers));
  }
  if (!s.rows.empty() && !widths.empty()) {
    write(line_break(widths));
    for (const auto& row : s.rows) write(row_line(widths, row));
    write(line_break(widths));
  }
}

// A one-row section with headers wider than the terminal becomes key/value rows.
void make_vertical(std::vector<Section>& sections) {
  for (auto& s : sections) {
    if (s.rows.size() != 1 || s.headers.empty()) continue;
    Section v;
    v.title = s.title;
    v.indent = s.indent;
    for (std::size_t i = 0; i < s.headers.size() && i < s.rows[0].size(); ++i) v.add_row({s.headers[i], s.rows[0][i]});
    s = std::move(v);
  }
}

int max_width_of(const std::vector<Section>& sections) {
  int w = 0;
  for (const auto& s : sections) w = std::max(w, s.total_width());
  return w;
}

}  // namespace

std::string to_aws_table(const std::string& title, const nlohmann::json& response, int terminal_width) {
  Builder builder;
  if (!builder.build(&title, response, 0)) return {};
  int width = max_width_of(builder.sections);
  if (width > terminal_width) {
    make_vertical(builder.sections);
    width = max_width_of(builder.sections);
  }
  std::string out(static_cast<std::size_t>(width), '-');
  out += "\n";
  for (const auto& s : builder.sections) render(s, width, out);
  return out;
}

}  // namespace firehose::cli
