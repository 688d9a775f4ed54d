// Trace panel figure in the real VS Code host (issue 9): from the Open command to the visible
// rows of a 10,000-span trace, in code-server driven by Chromium (the e2e harness), with this
// branch's VSIX and the reference's (today's `main`) in the same run. Target: at least halve it.
//
// Each variant gets its own code-server (a fresh profile with the VSIX installed) and its own
// store, into which the same trace is imported through that variant's collector
// (`POST /api/import`), so each reads a store its own code wrote. One sample: "Spyglass: Open Trace…", type the trace id, the clock starts on
// Enter and stops when the first waterfall row is in the panel's frame (checked there every
// animation frame, so within the frame that paints it); then the panel is closed. The first open of each code-server is a warm-up (it loads the webview's files).
//
//   npm run bench:panel-host -- [--runs 5] [--rounds 2] [--size 10000] [--base-ref main | --base DIR]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../test/e2e/harness/ports';
import { CodeServer } from '../test/e2e/harness/code-server';
import { packageVsix } from '../test/e2e/harness/vsix';
import { Workbench } from '../test/e2e/harness/workbench';
import { analysesSettled, bigTraceOtlpJson, referenceCheckout } from './lib/panel-fixture';
import { int, machineNote, ms, summarize } from './lib/timing';

const ROOT = path.resolve(__dirname, '../../..');

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}

/** Opens the trace through the palette and times Enter → first visible waterfall row. */
async function openTrace(wb: Workbench, traceId: string): Promise<number> {
  const page = wb.page;
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill('>Spyglass: Open Trace…');
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: 'Spyglass: Open Trace…' }).first().click();
  await input.fill(traceId);
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: traceId }).first().waitFor({ timeout: 30_000 });
  const t0 = Date.now();
  await page.keyboard.press('Enter');
  const elapsed = (await wb.waitInWebview('#waterfall .span-row', 120_000)) - t0;
  await page.keyboard.press('Escape');
  await wb.runCommand('View: Close All Editors');
  await page.locator('iframe.webview').first().waitFor({ state: 'detached', timeout: 30_000 }).catch(() => undefined);
  return elapsed;
}

/** Imports the trace through the collector's API and waits until it is listed whole. */
async function importTrace(httpPort: number, trace: { traceId: string; body: Buffer }, spans: number): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/api/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Uint8Array(trace.body) });
  if (!res.ok) throw new Error(`import: HTTP ${res.status} ${await res.text()}`);
  for (const deadline = Date.now() + 120_000; ; ) {
    const list = (await (await fetch(`http://127.0.0.1:${httpPort}/api/traces?limit=5`)).json()) as { traces: { traceId: string; spanCount: number }[] };
    if (list.traces.some((t) => t.traceId === trace.traceId && t.spanCount === spans)) return;
    if (Date.now() > deadline) throw new Error('the imported trace was not listed whole within 120 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function measure(label: string, vsix: string, trace: { traceId: string; body: Buffer }, size: number, runs: number, work: string): Promise<number[]> {
  const home = fs.mkdtempSync(path.join(work, 'cs-'));
  const db = path.join(home, 'spyglass.db');
  const httpPort = await freePort();
  const server = new CodeServer({
    home,
    logDir: path.join(home, 'logs'),
    settings: { 'spyglass.httpPort': httpPort, 'spyglass.grpcPort': 0, 'spyglass.databasePath': db },
  });
  server.installExtension(vsix);
  await server.start();
  const wb = await Workbench.open(server.workbenchUrl(), path.join(home, 'shots'));
  try {
    await wb.page.locator(`#workbench\\.parts\\.statusbar [aria-label^="Spyglass: listening on port ${httpPort}"]`).first().waitFor({ timeout: 120_000 });
    await importTrace(httpPort, trace, size);
    await analysesSettled(httpPort);
    await openTrace(wb, trace.traceId); // warm-up: the webview's files, the collector's page cache
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) samples.push(await openTrace(wb, trace.traceId));
    console.log(`  ${label}: ${samples.map((s) => ms(s)).join(', ')} ms`);
    return samples;
  } finally {
    await wb.close().catch(() => undefined);
    await server.stop();
  }
}

async function main(): Promise<void> {
  const runs = Number(arg('runs', '5'));
  const rounds = Number(arg('rounds', '2'));
  const size = Number(arg('size', '10000'));
  console.log(`panel-host bench: Open Trace → visible rows of a ${int(size)}-span trace in code-server, ${rounds} round(s) of ${runs} opens per variant, ${machineNote()}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-bench-panel-host-'));
  const reference = referenceCheckout(ROOT, process.argv);
  try {
    const trace = bigTraceOtlpJson(size);
    const current = packageVsix({ out: path.join(work, 'current.vsix'), build: true }).vsix;
    const base = packageVsix({ root: reference.root, out: path.join(work, 'reference.vsix'), build: true }).vsix;
    const variants = [
      { name: 'current', label: 'this branch', vsix: current, samples: [] as number[] },
      { name: 'reference', label: `reference (${reference.ref} @ ${reference.commit})`, vsix: base, samples: [] as number[] },
    ];
    for (let r = 0; r < rounds; r++) {
      for (const v of r % 2 === 0 ? variants : [...variants].reverse()) {
        v.samples.push(...(await measure(v.label, v.vsix, trace, size, runs, work)));
      }
    }
    const [mine, theirs] = variants.map((v) => summarize(v.samples));
    for (const v of variants) {
      const s = summarize(v.samples);
      console.log(`${v.label}: p50 ${ms(s.p50)} ms, min ${ms(Math.min(...v.samples))}, max ${ms(s.max)} (n=${s.reps})`);
    }
    const ratio = mine!.p50 / theirs!.p50;
    const met = ratio <= 0.5;
    console.log(`→ ${ms(mine!.p50)} ms = ${ratio.toFixed(2)}× the reference (${ms(theirs!.p50)} ms); target ≤ 0.5×: ${met ? 'met' : 'MISSED'}; ${machineNote()}`);
    process.exitCode = met ? 0 : 1;
  } finally {
    reference.remove();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
