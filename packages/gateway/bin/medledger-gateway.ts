#!/usr/bin/env node
// File-system calls and WebCrypto jobs share libuv's thread pool; with its default 4 threads the
// crypto of one request waits behind the file work of others. The size must be set before the
// pool's first use, hence the dynamic import.
process.env.UV_THREADPOOL_SIZE ??= '16';
const { main } = await import('../src/main.ts');

process.exitCode = await main(process.argv.slice(2));
