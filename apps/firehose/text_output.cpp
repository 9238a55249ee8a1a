#include "text_output.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <vector>

// Follows awscli/text.py (format_text) rule by rule; the names of the
// functions below are its own, without the leading underscore.
namespace firehose::cli {
namespace {

std::string scalar_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  if (v.is_null()) return "None";
  return v.dump();
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

bool is_scalar(const nlohmann::json& v) { return !v.is_object() && !v.is_array(); }

// An empty key stands for the AWS CLI's identifier None: the top level.
void format_text(const nlohmann::json& value, const std::string& key, std::string& out,
                 const std::vector<std::string>* scalar_keys = nullptr);

void write_line(const std::vector<std::string>& fields, std::string& out) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back('\t');
    out += fields[i];
  }
  out.push_back('\n');
}

// Each scalar on a line of its own after the key in capitals (a list of
// stream names is one line per name), or, at the top level, all on one line.
void format_scalar_list(const std::vector<const nlohmann::json*>& elements, const std::string& key, std::string& out) {
  if (!key.empty()) {
    for (const auto* element : elements) write_line({upper(key), scalar_text(*element)}, out);
    return;
  }
  std::vector<std::string> fields;
  for (const auto* element : elements) fields.push_back(scalar_text(*element));
  write_line(fields, out);
}

// An object: its scalars on one line (sorted by key), then each nested value.
// In a list of objects, the columns are the scalar keys of all of them
// (`scalar_keys`), empty where an object lacks one, so that the lines line up.
void format_dict(const nlohmann::json& object, const std::string& key, const std::vector<std::string>* scalar_keys,
                 std::string& out) {
  std::vector<std::string> scalars;
  std::vector<std::pair<std::string, const nlohmann::json*>> nested;
  if (scalar_keys == nullptr) {
    for (const auto& [k, v] : object.items()) {  // nlohmann::json objects iterate in key order
      if (is_scalar(v)) {
        scalars.push_back(scalar_text(v));
      } else {
        nested.emplace_back(k, &v);
      }
    }
  } else {
    for (const auto& k : *scalar_keys) {
      const auto found = object.find(k);
      scalars.push_back(found == object.end() ? std::string() : is_scalar(*found) ? scalar_text(*found)
                                                                                   : found->dump());
    }
    for (const auto& [k, v] : object.items()) {
      if (std::find(scalar_keys->begin(), scalar_keys->end(), k) == scalar_keys->end()) nested.emplace_back(k, &v);
    }
  }
  if (!scalars.empty()) {
    if (!key.empty()) scalars.insert(scalars.begin(), upper(key));
    write_line(scalars, out);
  }
  for (const auto& [k, v] : nested) format_text(*v, k, out);
}

void format_list(const nlohmann::json& list, const std::string& key, std::string& out) {
  if (list.empty()) return;  // nothing at all, not even the key
  const auto any = [&](auto&& test) { return std::any_of(list.begin(), list.end(), test); };
  if (any([](const nlohmann::json& v) { return v.is_object(); })) {
    std::set<std::string> keys;
    for (const auto& element : list) {
      if (!element.is_object()) continue;
      for (const auto& [k, v] : element.items()) {
        if (is_scalar(v)) keys.insert(k);
      }
    }
    const std::vector<std::string> all_keys(keys.begin(), keys.end());
    for (const auto& element : list) format_text(element, key, out, &all_keys);
    return;
  }
  // Scalars first, together, then each nested list.
  std::vector<const nlohmann::json*> scalars;
  for (const auto& element : list) {
    if (is_scalar(element)) scalars.push_back(&element);
  }
  if (!scalars.empty()) format_scalar_list(scalars, key, out);
  for (const auto& element : list) {
    if (!is_scalar(element)) format_text(element, key, out);
  }
}

void format_text(const nlohmann::json& value, const std::string& key, std::string& out,
                 const std::vector<std::string>* scalar_keys) {
  if (value.is_object()) {
    format_dict(value, key, scalar_keys, out);
  } else if (value.is_array()) {
    format_list(value, key, out);
  } else {
    out += scalar_text(value);
    out.push_back('\n');
  }
}

}  // namespace

std::string to_aws_text(const nlohmann::json& value) {
  std::string out;
  format_text(value, "", out);
  return out;
}

}  // namespace firehose::cli
