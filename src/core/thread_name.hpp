#pragma once
// Names for the threads we start, as `top -H`, `ps -L`, gdb and perf show
// them (Linux keeps 15 characters: longer names are cut). Unnamed, every
// thread of a process carries the program's name, and a profile or a stuck
// process cannot tell a sender from the reader.
#include <string>
#include <string_view>

namespace firehose::core {

void name_this_thread(std::string_view name);
// The calling thread's name, as the system keeps it.
std::string this_thread_name();

}  // namespace firehose::core
