#pragma once
// The server's accepted sockets, reached from outside cpp-httplib. It (0.11)
// gives handlers no access to the socket and does not call its socket-options
// hook for accepted sockets, but a Request carries both ends' addresses: the
// accepted socket is the one of this process whose local end is the server's
// and whose peer is the client's. Injected resets and shutdowns are rare, so
// finding sockets by a scan of /proc/self/fd costs nothing that matters.
#include <string>

namespace firehose::local {

// Resets the connection (the client reads ECONNRESET, or an empty reply if it
// was not reading yet) and leaves the descriptor open for its owner to close;
// further writes to it fail. False when no such socket was found.
bool reset_connection(const std::string& local_addr, int local_port, const std::string& remote_addr, int remote_port);

// Ends the reading side of every connection accepted on `local_port`, for a
// prompt shutdown: idle keep-alive connections see the end of their input and
// close at once instead of after the keep-alive timeout, while a request being
// handled still gets its answer.
void end_connections_after_current_request(int local_port);

}  // namespace firehose::local
