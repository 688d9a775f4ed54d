// Plays VS Code's extension host for the host benchmarks: builds the extension and the collector
// CLI from the current sources (same esbuild settings as scripts/build.mjs), makes `require('vscode')`
// answer with the test mock, and activates the real extension, which forks the real collector.

import fs from 'node:fs';
import Module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import * as vscodeMock from '../../test/helpers/vscode-mock';

// run-ts.mjs writes the bundle to node_modules/.cache/run-ts/, three levels below the repo.
export const ROOT = path.resolve(__dirname, '../../..');

/**
 * The built extension directory: `<dir>/dist/extension.js` and `<dir>/dist/cli.js`. It lives
 * under node_modules/.cache so the bundles' external `better-sqlite3` resolves from the repo.
 */
export async function buildExtension(opts: { minify?: boolean } = {}): Promise<string> {
  const dir = path.join(ROOT, 'node_modules/.cache/host-bench', opts.minify ? 'min' : 'dev');
  const common = { absWorkingDir: ROOT, bundle: true, platform: 'node', format: 'cjs', target: 'node22', minify: opts.minify === true, logLevel: 'warning', legalComments: 'none' } as const;
  await Promise.all([
    esbuild.build({ ...common, entryPoints: ['src/extension.ts'], outfile: path.join(dir, 'dist/extension.js'), external: ['vscode', 'better-sqlite3'] }),
    esbuild.build({ ...common, entryPoints: ['src/collector/cli.ts'], outfile: path.join(dir, 'dist/cli.js'), external: ['better-sqlite3'] }),
  ]);
  return dir;
}

let hooked = false;

/** From now on `require('vscode')` (from any module in this process) returns the mock. */
export function installVscodeMock(): typeof vscodeMock {
  if (!hooked) {
    hooked = true;
    const M = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
    const load = M._load;
    M._load = function (request: string, parent: unknown, isMain: boolean) {
      return request === 'vscode' ? vscodeMock : load.call(this, request, parent, isMain);
    };
  }
  return vscodeMock;
}

interface ExtensionModule {
  activate(ctx: unknown): { readonly state: { kind: string; httpPort?: number }; apiBase(): string | undefined };
  deactivate(): Promise<void>;
}

export interface ActivatedExtension {
  ext: ExtensionModule;
  api: ReturnType<ExtensionModule['activate']>;
  mock: typeof vscodeMock.mock;
  storage: string;
  /** Deactivates (the collector flushes and exits) and removes the temp storage. */
  close(): Promise<void>;
}

/** Activates the extension in `extensionDir` with `settings` (keys like `spyglass.httpPort`). */
export function activateExtension(extensionDir: string, settings: Record<string, unknown>): ActivatedExtension {
  const vscode = installVscodeMock();
  vscode.mock.reset();
  for (const [k, v] of Object.entries(settings)) vscode.mock.config.set(k, v);
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-hostbench-'));
  const ctx = vscode.makeExtensionContext(extensionDir, path.join(storage, 'global'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ext = require(path.join(extensionDir, 'dist/extension.js')) as ExtensionModule;
  const api = ext.activate(ctx);
  let closed: Promise<void> | null = null;
  return {
    ext,
    api,
    mock: vscode.mock,
    storage,
    close() {
      closed ??= ext.deactivate().then(() => fs.rmSync(storage, { recursive: true, force: true }));
      return closed;
    },
  };
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
