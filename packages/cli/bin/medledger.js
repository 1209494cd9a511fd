#!/usr/bin/env node
// JavaScript, not TypeScript: the first .ts file a process loads costs ~0.2 s of CPU to set up
// Node's type stripping, and a command that runs the bundle loads none.
import { enableCompileCache } from 'node:module';

// File-system calls and WebCrypto jobs share libuv's thread pool; with its default 4 threads the
// crypto of one request waits behind the file work of others. The size must be set before the
// pool's first use, hence the dynamic imports.
process.env.UV_THREADPOOL_SIZE ??= '16';
// Node keeps the compiled code (and, for sources, the type-stripped text) of what it loads in its
// compile cache (os.tmpdir()/node-compile-cache; NODE_DISABLE_COMPILE_CACHE=1 turns it off).
enableCompileCache();
// The bundle (scripts/build.ts) if it was built from the sources here now, the sources otherwise.
const { freshBundle } = await import('../src/bundle.js');
const { main } = await import(freshBundle() ?? '../src/main.ts');

process.exitCode = await main(process.argv.slice(2));
