#pragma once
// Drops an HTTP connection without an answer, from inside a request handler.
// cpp-httplib (0.11) gives handlers no access to the socket and does not call
// its socket-options hook for accepted sockets, but a Request carries both
// ends' addresses: the accepted socket is the one of this process whose local
// end is the server's and whose peer is the client's. Injected resets are
// rare, so finding it by a scan of /proc/self/fd costs nothing that matters.
#include <string>

namespace firehose::local {

// Resets the connection (the client reads ECONNRESET, or an empty reply if it
// was not reading yet) and leaves the descriptor open for its owner to close;
// further writes to it fail. False when no such socket was found.
bool reset_connection(const std::string& local_addr, int local_port, const std::string& remote_addr,
                      int remote_port);

}  // namespace firehose::local
