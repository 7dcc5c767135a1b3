/**
 * Preloaded (`node --require`) into a service a benchmark starts (scripts/lib/service.ts), whose
 * stdin is a pipe from the benchmark: when that pipe closes, the benchmark is gone (however it
 * ended: Ctrl-C, `timeout`, SIGKILL, a crash), so stop as on SIGTERM, and exit for sure later.
 * Main thread only: `--require` also runs in loader and worker threads, whose stdin ends at once.
 */
'use strict';
const { setTimeout } = require('node:timers');
const { isMainThread } = require('node:worker_threads');

if (isMainThread) {
  process.stdin.on('data', () => {});
  process.stdin.on('error', () => {});
  process.stdin.once('close', () => {
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => process.exit(1), 40_000).unref();
  });
}
