#include "aws/credentials/shell_command.hpp"

#include <signal.h>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "firehose/timeout.hpp"

extern char** environ;

namespace firehose::aws {
namespace {

Error spawn_error(const std::string& what, int err) {
  return make_error(ErrorKind::Config, "CredentialProcessFailed", fmt::format("{}: {}", what, std::strerror(err)));
}

// Closes a descriptor once, on every path out of run_shell_command.
class Fd {
 public:
  Fd() = default;
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int& ref() { return fd_; }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

}  // namespace

Result<ShellCommandOutput> run_shell_command(const std::string& command, std::chrono::milliseconds timeout,
                                             std::size_t max_output) {
  // O_CLOEXEC keeps these pipes out of processes other threads spawn meanwhile.
  Fd out_read, out_write, err_read, err_write;
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return spawn_error("pipe", errno);
  out_read.ref() = out_pipe[0];
  out_write.ref() = out_pipe[1];
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return spawn_error("pipe", errno);
  err_read.ref() = err_pipe[0];
  err_write.ref() = err_pipe[1];

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_write.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_write.get(), STDERR_FILENO);

  // A process group of its own, so that a timeout kills what the shell started too.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);

  std::string shell = "/bin/sh", flag = "-c", script = command;
  char* argv[] = {shell.data(), flag.data(), script.data(), nullptr};
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (rc != 0) return spawn_error("cannot start /bin/sh", rc);
  out_write.reset();
  err_write.reset();

  ShellCommandOutput output;
  // Both pipes are drained together so that a chatty stderr cannot block the child.
  pollfd fds[2] = {{out_read.get(), POLLIN, 0}, {err_read.get(), POLLIN, 0}};
  std::string* sinks[2] = {&output.out, &output.err};
  int open_pipes = 2;
  char buffer[4096];
  const auto deadline = deadline_after(timeout);  // the session's request timeout may be milliseconds::max()
  std::optional<std::string> stopped;  // why the command was killed
  while (open_pipes > 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      stopped = fmt::format("did not finish within {} ms", timeout.count());
      break;
    }
    if (output.out.size() + output.err.size() > max_output) {
      stopped = fmt::format("printed more than {} bytes", max_output);
      break;
    }
    const int ready = ::poll(fds, 2, static_cast<int>(std::min<std::int64_t>(left.count(), 60'000)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;  // poll ignores negative descriptors
        --open_pipes;
      }
    }
  }

  if (stopped) ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return spawn_error("waitpid", errno);
  }
  if (WIFEXITED(status)) {
    output.exit_status = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    output.exit_status = 128 + WTERMSIG(status);
  }
  if (stopped) {
    return make_error(ErrorKind::Config, "CredentialProcessFailed", fmt::format("`{}` {}: stopped", command, *stopped));
  }
  return output;
}

}  // namespace firehose::aws
