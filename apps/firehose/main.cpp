#include <cstdio>
int main() { std::puts("firehose " FIREHOSE_VERSION); return 0; }
