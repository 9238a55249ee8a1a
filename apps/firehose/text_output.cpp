#include "text_output.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

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

void emit(const nlohmann::json& value, const std::string& key, std::string& out);

// An object: its scalars on one line (sorted by key, as the AWS CLI does),
// then each nested value.
void emit_object(const nlohmann::json& object, const std::string& key, std::string& out) {
  std::vector<std::string> scalars;
  for (const auto& [k, v] : object.items()) {  // nlohmann::json objects iterate in key order
    if (is_scalar(v)) scalars.push_back(scalar_text(v));
  }
  if (!scalars.empty()) {
    std::string line = key.empty() ? std::string() : upper(key);
    for (std::size_t i = 0; i < scalars.size(); ++i) {
      if (i > 0 || !key.empty()) line.push_back('\t');
      line += scalars[i];
    }
    out += line;
    out.push_back('\n');
  }
  for (const auto& [k, v] : object.items()) {
    if (!is_scalar(v)) emit(v, k, out);
  }
}

void emit(const nlohmann::json& value, const std::string& key, std::string& out) {
  if (value.is_object()) {
    emit_object(value, key, out);
  } else if (value.is_array()) {
    if (std::all_of(value.begin(), value.end(), is_scalar)) {
      std::string line = upper(key);
      for (const auto& v : value) {
        line.push_back('\t');
        line += scalar_text(v);
      }
      out += line;
      out.push_back('\n');
    } else {
      for (const auto& v : value) emit(v, key, out);
    }
  } else {
    out += scalar_text(value);
    out.push_back('\n');
  }
}

}  // namespace

std::string to_aws_text(const nlohmann::json& value) {
  std::string out;
  emit(value, "", out);
  return out;
}

}  // namespace firehose::cli
