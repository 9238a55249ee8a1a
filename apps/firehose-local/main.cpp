#include <cstdio>
int main() { std::puts("firehose-local " FIREHOSE_VERSION ": not yet"); return 1; }
