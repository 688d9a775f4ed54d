// One Spyglass session for an e2e file: the packaged VSIX (built once per run by the global
// setup) installed in a fresh code-server with its own store and ports, and the browser on it.
// Every file starts and ends the same way, so setup and clean-up live here once.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, inject } from 'vitest';
import { CodeServer } from './code-server';
import { outputRoot } from './paths';
import { freePort } from './ports';
import { Workbench } from './workbench';

export interface E2eSession {
  /** Screenshots and logs of this file. */
  out: string;
  /** A throwaway directory for code-server's profile, the store and anything the file writes. */
  home: string;
  db: string;
  httpPort: number;
  grpcPort: number;
  server: CodeServer;
  wb: Workbench;
  vsix: { path: string; sizeMiB: number };
}

export interface SessionOptions {
  /** Settings beside the collector's ports and database (and overriding them). */
  settings?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  /** Runs before code-server starts: seed the store, write the workspace, install more extensions. */
  prepare?: (s: Pick<E2eSession, 'home' | 'db' | 'server'>) => void | Promise<void>;
}

interface Closable {
  close(): Promise<unknown>;
}

export async function startSession(name: string, o: SessionOptions = {}): Promise<E2eSession> {
  const out = path.join(outputRoot, name);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const vsix = inject('spyglassVsix');
  const home = mkdtempSync(path.join(os.tmpdir(), `spyglass-e2e-${name}-`));
  const db = path.join(home, 'spyglass.db');
  const httpPort = await freePort();
  const grpcPort = await freePort();
  const server = new CodeServer({
    home: path.join(home, 'cs'),
    logDir: out,
    env: o.env,
    settings: { 'spyglass.httpPort': httpPort, 'spyglass.grpcPort': grpcPort, 'spyglass.databasePath': db, ...o.settings },
  });
  try {
    await o.prepare?.({ home, db, server });
    server.installExtension(vsix.path);
    await server.start();
    const wb = await Workbench.open(server.workbenchUrl(), out);
    return { out, home, db, httpPort, grpcPort, server, wb, vsix };
  } catch (err) {
    await server.stop().catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
    throw err;
  }
}

/** Keeps the last screenshot and the browser's console errors, then stops everything. */
export async function endSession(s: E2eSession | undefined, ...others: (Closable | undefined)[]): Promise<void> {
  if (s) {
    await s.wb.screenshot('zz-final').catch(() => undefined);
    writeFileSync(path.join(s.out, 'browser-console-errors.log'), s.wb.consoleErrors.join('\n'));
    await s.wb.close().catch(() => undefined);
    await s.server.stop();
  }
  for (const o of others) await o?.close();
  if (s) rmSync(s.home, { recursive: true, force: true });
}

/** Keeps the page as it was when a test failed: test-output/e2e/<file>/fail-<test>.png. */
export function screenshotOnFailure(session: () => E2eSession | undefined): void {
  afterEach(async (ctx) => {
    const s = session();
    if (!s || ctx.task.result?.state !== 'fail') return;
    await s.wb.screenshot(`fail-${ctx.task.name.replace(/[^\w]+/g, '-').slice(0, 60)}`).catch(() => undefined);
  });
}
