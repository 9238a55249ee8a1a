#include "aws/credentials/process_provider.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "aws/credentials/credentials_json.hpp"
#include "aws/credentials/not_found.hpp"
#include "aws/credentials/shell_command.hpp"

namespace firehose::aws {
namespace {

constexpr std::size_t kMaxQuotedStderr = 2048;

Error process_failed(std::string message) {
  return make_error(ErrorKind::Config, "CredentialProcessFailed", std::move(message));
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  if (text.size() > kMaxQuotedStderr) text = text.substr(0, kMaxQuotedStderr) + "...";
  return text;
}

}  // namespace

ProcessProvider::ProcessProvider(ProfileContext context, std::chrono::milliseconds timeout)
    : context_(std::move(context)), timeout_(timeout) {}

Result<Credentials> ProcessProvider::get() {
  auto section = context_.section();
  if (!section) return credentials_not_found(context_.not_found_message());
  auto command = section->get("credential_process");
  if (!command || command->empty()) {
    return credentials_not_found(fmt::format("profile {} has no credential_process", context_.profile));
  }

  auto run = run_shell_command(*command, timeout_);
  if (!run) {
    return process_failed(fmt::format("credential_process (profile {}): {}", context_.profile, run.error().message));
  }
  if (run->exit_status != 0) {
    const std::string err = trimmed(run->err);
    return process_failed(fmt::format("credential_process `{}` (profile {}) exited with status {}{}{}", *command,
                                      context_.profile, run->exit_status, err.empty() ? "" : ": ", err));
  }

  const std::string source = fmt::format("credential_process `{}` (profile {})", *command, context_.profile);
  auto doc = nlohmann::json::parse(run->out, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return process_failed(source + ": its output is not a JSON object");
  auto version = doc.find("Version");
  if (version == doc.end() || !version->is_number_integer() || version->get<long long>() != 1) {
    return process_failed(source + ": unsupported or missing Version (expected 1)");
  }
  auto creds = parse_credentials_json(run->out, {.session_token_key = "SessionToken"}, source);
  if (!creds) return process_failed(creds.error().message);
  creds->provider = name();
  return creds;
}

}  // namespace firehose::aws
