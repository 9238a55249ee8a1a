// firehose: an AWS-CLI-shaped command line for Amazon Kinesis Data Firehose.
#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include <CLI/CLI.hpp>

#include "cli_context.hpp"
#include "command_line_check.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  using namespace firehose::cli;
  std::signal(SIGPIPE, SIG_IGN);  // a closed connection is an error to report, not a reason to die
  // glibc gives each thread that meets a locked arena an arena of its own, up
  // to 8 per core, and memory freed into one is not reused by the others:
  // with `send`'s 16 sender threads each arena kept its own request bodies
  // and answers, 4-7 MiB of peak RSS more than with two arenas, for no measurable
  // CPU gain (docs/benchmarks.md). Process-wide, so set here, not in the library.
  mallopt(M_ARENA_MAX, 2);
  // And glibc raises its mmap threshold each time a large block is freed (up to
  // 32 MiB), after which --pack's 1 MB records and the 4-5 MiB request bodies
  // come from the heap, where freed space stays in the process: 62-65 MiB of
  // peak RSS with --pack for a 36 MiB budget. A fixed threshold keeps such
  // blocks in mappings returned at free: 49-51 MiB (docs/producer.md).
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  // glibc gives memory back to the system as soon as 128 KiB lie free at the
  // top of a heap, and takes it back on the next allocation: with the senders
  // freeing answers and records as fast as the reader allocates them, that
  // was a brk or madvise call and a page fault per page, over and over (each
  // madvise a TLB flush on every core). Keeping up to 4 MiB cut the CPU of
  // 100-byte lines by a third and of 1 KiB lines by a tenth, peak RSS
  // unchanged (docs/benchmarks.md).
  mallopt(M_TRIM_THRESHOLD, 4 * 1024 * 1024);
  CLI::App app{
      "firehose: send data to Amazon Kinesis Data Firehose, the AWS CLI's way.\n"
      "Credentials, region and endpoint come from the flags, the environment and\n"
      "~/.aws/{config,credentials}, exactly as for the AWS CLI.",
      "firehose"};
  app.set_version_flag("--version", "firehose " FIREHOSE_VERSION);
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the command, as with the AWS CLI
  app.footer(
      "Exit codes: 0 success, 1 some records not acknowledged, 2 usage error,\n"
      "3 credentials/configuration error, 4 service error, 5 transport error,\n"
      "6 no metrics datapoint within metrics --wait-for-data.");

  CliContext context;
  context.add_global_options(app);
  Action action;
  register_put_record(app, context, action);
  register_put_record_batch(app, context, action);
  register_stream_commands(app, context, action);
  register_send(app, context, action);
  register_metrics(app, context, action);
  register_generate(app, context, action);
  register_workflow(app, context, action);
  register_verify(app, context, action);

  if (auto answered = check_command_line(app, argc, argv)) return *answered;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    std::fprintf(stderr, "run '%s --help' for usage\n", "firehose");
    return kUsage;
  }
  if (auto refused = context.configure_logging()) return *refused;
  // A closed stdout: the answer or summary would be lost (or, worse, written
  // into whatever file or socket reuses descriptor 1). Refused before anything is sent.
  if (::fcntl(STDOUT_FILENO, F_GETFD) < 0 && errno == EBADF) {
    std::fprintf(stderr,
                 "error: stdout is closed: the command's output would be lost (redirect it, e.g. >/dev/null)\n");
    return kUsage;
  }
  const int code = action ? action() : kUsage;
  // stdout closed by its reader during the run (a pipe to `head`): the
  // summary was lost; success would hide it.
  errno = 0;
  const bool flushed = std::fflush(stdout) == 0;
  if (!flushed || std::ferror(stdout) != 0) {
    std::fprintf(stderr, "error: could not write to stdout%s%s: the output is incomplete\n", errno != 0 ? ": " : "",
                 errno != 0 ? std::strerror(errno) : "");
    return code == kSuccess ? kUsage : code;
  }
  return code;
}
