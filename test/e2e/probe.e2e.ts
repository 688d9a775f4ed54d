// The harness on its own: a throwaway extension (test/e2e/probe-extension) packaged by
// scripts/package.mjs, installed into a fresh code-server, driven in Debian Chromium. It proves
// VSIX install, activation on the provisioned Node 22, better-sqlite3's prebuild loading in the
// extension host, a tree view, palette commands, the status bar and webview frames, so a failure
// in the Spyglass suite points at Spyglass rather than at the machinery.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodeServer } from './harness/code-server';
import { outputRoot } from './harness/paths';
import { seen, textMatching } from './harness/ui-wait';
import { packageVsix, type PackResult } from './harness/vsix';
import { Workbench } from './harness/workbench';

const out = path.join(outputRoot, 'probe');
let home: string;
let server: CodeServer;
let wb: Workbench | undefined;
let pack: PackResult;

beforeAll(async () => {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  home = mkdtempSync(path.join(os.tmpdir(), 'spyglass-e2e-probe-'));
  const ext = path.join(home, 'probe-src');
  cpSync(path.join(import.meta.dirname, 'probe-extension'), ext, { recursive: true });
  mkdirSync(path.join(ext, 'dist'));
  cpSync(path.join(ext, 'extension.js'), path.join(ext, 'dist', 'extension.js'));
  pack = packageVsix({ root: ext, out: path.join(home, 'probe.vsix'), build: false });

  server = new CodeServer({ home: path.join(home, 'cs'), logDir: out });
  server.installExtension(pack.vsix);
  await server.start();
  wb = await Workbench.open(server.workbenchUrl(), out);
});

afterAll(async () => {
  if (wb) {
    await wb.screenshot('zz-final').catch(() => undefined);
    await wb.close().catch(() => undefined);
  }
  await server?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('e2e harness with a probe extension', () => {
  it('packages the probe with better-sqlite3 prebuilds for every platform and installs it', () => {
    expect(pack.output).toMatch(/8 better-sqlite3 prebuilds: .*linux-x64.*darwin-arm64|8 better-sqlite3 prebuilds: .*darwin-arm64/);
    expect(server.listExtensions()).toContain('spyglass-test.spyglass-e2e-probe@0.0.1');
  });

  it('activates in the extension host (status bar item appears)', async () => {
    await seen(wb!.statusBarItem('Probe ready'), 'the probe status bar item', 60_000);
  });

  it('shows the tree view with rows read through better-sqlite3 on Node 22', async () => {
    await wb!.openViewContainer('Probe');
    await seen(wb!.sidebarRows(/^sqlite 3\.\d+/), 'the sqlite row');
    const nodeText = await textMatching(wb!.sidebarRows(/^node v\d+/), /node v\d+/, 'the node row', 10_000);
    const major = Number(/node v(\d+)/.exec(nodeText)?.[1]);
    expect(major).toBeGreaterThanOrEqual(22);
    await wb!.screenshot('01-probe-tree');
  });

  it('runs a palette command that updates the tree', async () => {
    await wb!.runCommand('Probe: Add Item');
    await seen(wb!.sidebarRows('item 3'), 'the row the command added', 10_000);
  });

  it('opens a webview whose script talks to the host', async () => {
    await wb!.runCommand('Probe: Open Panel');
    const frame = wb!.webviewContent();
    await textMatching(frame.locator('#title'), 'Probe panel', 'the webview title', 30_000);
    await textMatching(frame.locator('#reply'), /host says: 3 items in sqlite 3\./, 'the host reply rendered by the webview script', 30_000);
    await wb!.screenshot('02-probe-webview');
  });
});
