// What the worker_threads tests share: workers import lib/*.ts through tsx's tsImport
// (their own module graph, like a separate load of the package), from a script written to a
// temp dir, and report one message before they exit.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const repo = fileURLToPath(new URL('..', import.meta.url));

/** The file URL of lib/NAME.ts, for a worker's tsImport. */
export function libUrl(name = 'index'): string {
  return pathToFileURL(join(repo, 'lib', `${name}.ts`)).href;
}

/** tsx's ESM API entry (the "import" condition of tsx/esm/api): `{ tsImport }`. */
export const tsxApi: string = pathToFileURL(
  createRequire(join(repo, 'package.json')).resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs'),
).href;

/** Writes `files` (name → source) into a fresh temp dir; `url(name)` and `cleanup()`. */
export function scratchFiles(prefix: string, files: Record<string, string>): { url(name: string): URL; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, name), source);
  return { url: (name) => pathToFileURL(join(dir, name)), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A started worker: its first message, and its exit code (an error rejects both). */
export interface WorkerRun<T> {
  worker: Worker;
  message: Promise<T>;
  exit: Promise<number>;
}

export function startWorker<T>(url: URL, workerData: Record<string, unknown>): WorkerRun<T> {
  const worker = new Worker(url, { workerData });
  const exit = new Promise<number>((resolve, reject) => {
    worker.once('exit', resolve);
    worker.once('error', reject);
  });
  const message = new Promise<T>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    exit.then((code) => reject(new Error(`worker exited (${code}) before posting`)), reject);
  });
  // A test may await only one of them: the other must not become an unhandled rejection.
  exit.catch(() => {});
  message.catch(() => {});
  return { worker, message, exit };
}
