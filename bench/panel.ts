// Trace panel figures (issue 9, "the trace panel loads what it shows"), in Chromium with the real
// webview bundle, its real host-side controller and the real collector (dist/cli.js serve),
// each against the same measure on the reference code (today's `main`) in the same run. Each
// variant is whole: the reference's own collector (its dist built from its checkout) serves a
// store its own code wrote, so a change in the collector or the schema shows in the ratio:
//
//   first paint  from the webview's request (its Reload button) to the first painted rows, for
//                a 10,000-span trace (target ≤ 300 ms) and a 100,000-span trace (≤ 1.5 s);
//   scrolling    the 10,000-span waterfall scrolled by a script every frame, slow and fast:
//                frames dropped (target < 5%);
//   memory       the webview's JS heap after the first paint and the selected span's detail;
//   frames       (issue 10, `npm run bench:waterfall`) frame times while scrolling and while
//                zooming the time axis (Ctrl + wheel every frame), p50 and p95: above 55 fps is
//                a p95 under 18.2 ms. The reference has no zoom: its scrolling is the comparison.
//
// The webview talks to its controller as in VS Code: messages through acquireVsCodeApi and
// window message events (here carried by Chrome DevTools protocol instead of VS Code's IPC),
// under the panel's own HTML and CSP. Each sample opens a fresh page.
//
//   npm run bench:panel -- [--runs 5] [--sizes 10000,100000] [--base-ref main | --base DIR]
//   npm run bench:waterfall -- [--runs 5] [--base-ref main | --base DIR]   (10,000 spans, with frame times)

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { analysesSettled, referenceCheckout, storeBigTraces, type StoredTrace } from './lib/panel-fixture';
import { int, machineNote, ms, summarize } from './lib/timing';

const ROOT = path.resolve(__dirname, '../../..');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-precise-memory-info'];
const TARGET_MS: Record<number, number> = { 10_000: 300, 100_000: 1_500 };
/** 55 fps. */
const FRAME_TARGET_MS = 1000 / 55;
const WATERFALL = process.argv.includes('--waterfall');
const PAINT_CAP_MS = 120_000;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}

interface HostModule {
  /** The variant's own fixture writer, when its checkout has one. */
  storeBigTraces?: typeof storeBigTraces;
  create(webview: unknown, port: number, traceId: string): { snapshotForHtml(): unknown; dispose(): void; endpoint: { isReady: boolean } };
  renderWebviewHtml(o: { title: string; cspSource: string; scriptUri: string; styleUris: string[]; initialState: unknown; panel: string }): string;
}

interface Variant {
  name: string;
  label: string;
  dir: string;
  root: string;
  host: HostModule;
}

/** The webview bundle, its CSS and its host-side controller, built from `root`'s sources. */
async function buildVariant(name: string, label: string, root: string, out: string): Promise<Variant> {
  const dir = path.join(out, name);
  fs.mkdirSync(dir, { recursive: true });
  await esbuild.build({ absWorkingDir: root, entryPoints: ['webview/trace.ts'], outfile: path.join(dir, 'trace.js'), bundle: true, platform: 'browser', format: 'iife', target: 'es2022', minify: true, logLevel: 'warning' });
  for (const f of ['base.css', 'trace.css']) fs.copyFileSync(path.join(root, 'media', f), path.join(dir, f));
  for (const f of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(ROOT, 'node_modules/@vscode/codicons/dist', f), path.join(dir, f));
  // The reference keeps its panels in src/host/webview with a fetch-based client on a base URL;
  // this branch has src/host/panels and the host's one client on a port.
  const current = fs.existsSync(path.join(root, 'src/host/panels/trace-controller.ts'));
  let adapter = current
    ? `import { TraceController } from './src/host/panels/trace-controller';
       import { ApiClient } from './src/host/connection/api-client';
       export { renderWebviewHtml } from './src/host/panels/html';
       export function create(webview, port, traceId) { return new TraceController({ webview, api: new ApiClient(() => port, ${PAINT_CAP_MS}), traceId, reloadDelayMs: 0 }); }`
    : `import { TraceController } from './src/host/webview/trace-controller';
       import { ApiClient } from './src/host/webview/api-client';
       export { renderWebviewHtml } from './src/host/webview/html';
       export function create(webview, port, traceId) { return new TraceController({ webview, api: new ApiClient(() => 'http://127.0.0.1:' + port, ${PAINT_CAP_MS}), traceId, reloadDelayMs: 0 }); }`;
  const fixture = fs.existsSync(path.join(root, 'bench/lib/panel-fixture.ts')) ? `export { storeBigTraces } from './bench/lib/panel-fixture';` : '';
  adapter += fixture;
  // Under this checkout's node_modules, where the fixture's better-sqlite3 is found.
  const hostFile = path.join(ROOT, 'node_modules/.cache/bench-panel', name, 'host.cjs');
  await esbuild.build({ absWorkingDir: root, stdin: { contents: adapter, resolveDir: root, loader: 'ts' }, outfile: hostFile, bundle: true, platform: 'node', format: 'cjs', target: 'node22', logLevel: 'warning', external: ['vscode', 'better-sqlite3'] });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return { name, label, dir, root, host: require(hostFile) as HostModule };
}

async function startCollector(root: string, dbPath: string): Promise<{ port: number; stop(): Promise<void> }> {
  const proc: ChildProcess = spawn(process.execPath, [path.join(root, 'dist/cli.js'), 'serve', '--port', '0', '--grpc-port', '0', '--db', dbPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: proc.stdout! }).once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`collector exited with ${code}`)));
  });
  const m = /^listening http=(\d+)/.exec(first);
  if (!m) throw new Error(`unexpected collector output: ${first}`);
  return {
    port: Number(m[1]),
    stop: () => new Promise((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    }),
  };
}

/** Serves each variant's files, and its panel HTML at /<variant>/panel?trace=<id>. */
function serve(variants: Variant[]): Promise<{ origin: string; close(): void }> {
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const [, name, file] = url.pathname.split('/');
    const v = variants.find((x) => x.name === name);
    if (!v || !file) return res.writeHead(404).end();
    if (file === 'panel') {
      const state = JSON.parse(url.searchParams.get('state') ?? 'null') as unknown;
      const html = v.host.renderWebviewHtml({
        title: 'Trace', panel: 'trace', cspSource: origin, initialState: state,
        scriptUri: `${origin}/${name}/trace.js`, styleUris: ['codicon.css', 'base.css', 'trace.css'].map((f) => `${origin}/${name}/${f}`),
      });
      return res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    }
    const p = path.join(v.dir, path.basename(file));
    if (!fs.existsSync(p)) return res.writeHead(404).end();
    const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'font/ttf';
    res.writeHead(200, { 'content-type': type }).end(fs.readFileSync(p));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    resolve({ origin, close: () => server.close() });
  }));
}

interface Sample {
  paintMs: number | null;
  /** Of which: until the data arrived in the webview (the host and the collector). */
  hostMs: number | null;
  /** Node-side, ms after the click was sent: the request reached the host, the data was posted, its dispatch returned. */
  phases?: { request: number; posted: number; delivered: number };
  rows: number;
  heapMb: number | null;
  error?: string;
}

/** One fresh page: boot the panel, click Reload (the webview's request), time to painted rows. */
async function openOnce(browser: Browser, origin: string, v: Variant, port: number, traceId: string, withScroll: boolean): Promise<Sample & { scroll?: Frames[] }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const toHost = new Set<(m: unknown) => void>();
  // Node-side moments of one open: the request reaching the host, the data posted and delivered.
  const at = { start: 0, request: 0, posted: 0, delivered: 0 };
  await page.exposeBinding('__spyglassPost', (_src, m: unknown) => {
    if ((m as { method?: string }).method === 'reload' && !at.request) at.request = Date.now();
    toHost.forEach((l) => l(m));
  });
  await page.addInitScript(() => {
    const w = window as unknown as { acquireVsCodeApi: () => unknown; __spyglassPost: (m: unknown) => void; __dataAt: number | null };
    w.acquireVsCodeApi = () => ({ postMessage: (m: unknown) => w.__spyglassPost(m), getState: () => undefined, setState: () => undefined });
    // When the first message with spans arrived: splits the time into the host's and the webview's.
    w.__dataAt = null;
    window.addEventListener('message', (e: MessageEvent) => {
      const m = e.data as { method?: string; params?: { detail?: unknown } } | null;
      if (w.__dataAt === null && (m?.method === 'didChangeOutline' || (m?.method === 'didChangeState' && m.params?.detail) || (m as { result?: { detail?: unknown } })?.result?.detail)) w.__dataAt = performance.now();
    }, true);
  });
  const isData = (m: unknown) => {
    const x = m as { method?: string; params?: { detail?: unknown }; result?: { detail?: unknown } };
    return x.method === 'didChangeOutline' || !!x.params?.detail || !!x.result?.detail;
  };
  // Host → webview as JSON text, as VS Code carries a message from the extension host to the
  // webview's frame, through one raw DevTools call per message in order (playwright's evaluate
  // adds its own argument handling on top, several times the cost of VS Code's IPC).
  const cdp = await context.newCDPSession(page);
  let delivery = Promise.resolve();
  const webview = {
    postMessage: (m: unknown) => {
      const data = at.start > 0 && !at.posted && isData(m);
      if (data) at.posted = Date.now();
      const expression = `window.dispatchEvent(new MessageEvent('message', { data: JSON.parse(${JSON.stringify(JSON.stringify(m))}) }))`;
      delivery = delivery.then(() => cdp.send('Runtime.evaluate', { expression }).then(() => {
        if (data && !at.delivered) at.delivered = Date.now();
      }, () => undefined));
      return delivery.then(() => true);
    },
    onDidReceiveMessage: (l: (m: unknown) => void) => {
      toHost.add(l);
      return { dispose: () => toHost.delete(l) };
    },
  };
  const controller = v.host.create(webview, port, traceId);
  try {
    const state = controller.snapshotForHtml();
    await page.goto(`${origin}/${v.name}/panel?state=${encodeURIComponent(JSON.stringify(state))}`);
    for (const deadline = Date.now() + 30_000; !controller.endpoint.isReady; ) {
      if (Date.now() > deadline) throw new Error('the webview never said ready');
      await new Promise((r) => setTimeout(r, 10));
    }
    at.start = Date.now();
    const measured = await page.evaluate((capMs) => new Promise<{ ms: number | null; rows: number; hostMs: number | null }>((resolve) => {
      const waterfall = document.getElementById('waterfall')!;
      const t0 = performance.now();
      const timer = setTimeout(() => resolve({ ms: null, rows: 0, hostMs: null }), capMs);
      const done = () => {
        mo.disconnect();
        // The rows are in the DOM; the frame that paints them ends before this timeout runs.
        requestAnimationFrame(() => setTimeout(() => {
          clearTimeout(timer);
          const at = (window as unknown as { __dataAt: number | null }).__dataAt;
          resolve({ ms: performance.now() - t0, rows: waterfall.querySelectorAll('.span-row').length, hostMs: at === null ? null : at - t0 });
        }, 0));
      };
      const mo = new MutationObserver(() => {
        if (waterfall.querySelector('.span-row')) done();
      });
      mo.observe(waterfall, { childList: true, subtree: true });
      document.getElementById('reload')!.click();
    }), PAINT_CAP_MS);
    const out: Sample & { scroll?: Frames[] } = { paintMs: measured.ms, hostMs: measured.hostMs, rows: measured.rows, heapMb: null, phases: at.posted ? { request: at.request - at.start, posted: at.posted - at.start, delivered: at.delivered - at.start } : undefined };
    if (measured.ms === null) {
      out.error = (await page.locator('#trace-status').textContent().catch(() => null)) ?? 'no rows';
      return out;
    }
    // The selected span's detail (the new panel asks for it after the rows): then the heap.
    await page.waitForFunction(() => !document.querySelector('#span-details .span-details.loading') && !!document.querySelector('#span-details .span-details'), null, { timeout: 60_000 }).catch(() => undefined);
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('Performance.enable');
    const metrics = (await cdp.send('Performance.getMetrics')).metrics;
    out.heapMb = (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN) / 1e6;
    if (withScroll) {
      out.scroll = [];
      for (const step of [48, 480]) out.scroll.push(await scrollFrames(page, step, 300));
      if (WATERFALL) {
        const zoom = await zoomFrames(page, 300);
        if (zoom) out.scroll.push(zoom);
      }
    }
    return out;
  } finally {
    controller.dispose();
    await context.close();
  }
}

/** Scrolls the waterfall by `step` px every frame for `frames` frames; counts frames that were missed. */
interface Frames { step: number; dropped: number; frames: number; p50: number; p95: number }

/** Zooms the time axis in and out by Ctrl + wheel every frame (at the timeline's middle); null when the panel has no zoom. */
async function zoomFrames(page: Page, frames: number): Promise<Frames | null> {
  const stamps = await page.evaluate((frames) => new Promise<number[] | null>((resolve) => {
    const pane = document.getElementById('waterfall-pane');
    const axis = document.querySelector('.waterfall-axis');
    if (!pane || !axis || !document.getElementById('zoom-reset')) return resolve(null);
    const r = axis.getBoundingClientRect();
    const times: number[] = [];
    const tick = (ts: number) => {
      times.push(ts);
      if (times.length > frames) return resolve(times);
      // 20 frames in, 20 out: the window keeps changing, rows and axis redrawn each frame
      const inward = Math.floor(times.length / 20) % 2 === 0;
      pane.dispatchEvent(new WheelEvent('wheel', { deltaY: inward ? -60 : 60, ctrlKey: true, clientX: r.left + r.width * 0.37, clientY: r.top + 100, bubbles: true, cancelable: true }));
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(() => requestAnimationFrame(tick));
  }), frames);
  return stamps ? frameStats(stamps, 0) : null;
}

function frameStats(stamps: number[], step: number): Frames {
  const gaps = stamps.slice(1).map((t, i) => t - stamps[i]!);
  const sorted = [...gaps].sort((a, b) => a - b);
  const frame = sorted[Math.floor(gaps.length / 2)]!;
  // A gap of k frame intervals means k - 1 frames were not drawn.
  const missed = gaps.reduce((n, g) => n + Math.max(0, Math.round(g / frame) - 1), 0);
  return { step, dropped: missed / (gaps.length + missed), frames: gaps.length, p50: frame, p95: sorted[Math.floor(gaps.length * 0.95)]! };
}

async function scrollFrames(page: Page, step: number, frames: number): Promise<Frames> {
  const stamps = await page.evaluate(({ step, frames }) => new Promise<number[]>((resolve) => {
    const sc = document.getElementById('waterfall')!;
    sc.scrollTop = 0;
    const times: number[] = [];
    const tick = (ts: number) => {
      times.push(ts);
      if (times.length > frames) return resolve(times);
      sc.scrollTop += step;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(() => requestAnimationFrame(tick));
  }), { step, frames });
  return frameStats(stamps, step);
}

async function main(): Promise<void> {
  const runs = Number(arg('runs', '5'));
  const sizes = arg('sizes', WATERFALL ? '10000' : '10000,100000').split(',').map(Number);
  console.log(`panel bench: traces of ${sizes.map(int).join(', ')} spans, ${runs} fresh pages per size and variant, node ${process.version}, ${machineNote()}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-bench-panel-'));
  const reference = referenceCheckout(ROOT, process.argv);
  const collectors: { port: number; stop(): Promise<void> }[] = [];
  let browser: Browser | null = null;
  let server: { origin: string; close(): void } | null = null;
  let ok = true;
  try {
    const variants = [
      await buildVariant('current', 'this branch', ROOT, work),
      await buildVariant('reference', `reference (${reference.ref} @ ${reference.commit})`, reference.root, work),
    ];
    // The reference's collector is its own build; this branch's was built by the npm script.
    if (variants[1]!.root !== ROOT) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: variants[1]!.root, stdio: 'ignore' });
    // One store per variant, each written by its own code (same generator, so the same trace ids).
    let traces: StoredTrace[] = [];
    const ports = new Map<string, number>();
    for (const v of variants) {
      const db = path.join(work, `${v.name}.db`);
      console.log(`  ${v.label}:`);
      traces = (v.host.storeBigTraces ?? storeBigTraces)(db, sizes);
      const collector = await startCollector(v.root, db);
      collectors.push(collector);
      ports.set(v.name, collector.port);
      console.log(`  its collector's analyses caught up with the store after ${ms(await analysesSettled(collector.port))} ms`);
    }
    server = await serve(variants);
    const launch = () => chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    browser = await launch();
    for (const t of traces) {
      const n = t.size >= 100_000 ? Math.max(2, Math.ceil(runs / 2)) : runs;
      const results = new Map<string, (Sample & { scroll?: Frames[] })[]>(variants.map((v) => [v.name, []]));
      for (let i = 0; i < n; i++) {
        // Alternate the order so drift in the machine's load hits both alike.
        for (const v of i % 2 === 0 ? variants : [...variants].reverse()) {
          let s: Sample & { scroll?: Frames[] };
          try {
            s = await openOnce(browser, server.origin, v, ports.get(v.name)!, t.traceId, t.size === 10_000 && (i === 0 || WATERFALL));
          } catch (err) {
            // e.g. a message larger than the DevTools transport carries (100 MB): it did not open
            s = { paintMs: null, hostMs: null, rows: 0, heapMb: null, error: (err as Error).message.split('\n')[0] };
            if (!browser.isConnected()) browser = await launch();
          }
          results.get(v.name)!.push(s);
        }
      }
      console.log(`${int(t.size)}-span trace:`);
      const p50 = new Map<string, number>();
      for (const v of variants) {
        const samples = results.get(v.name)!;
        const painted = samples.map((s) => s.paintMs).filter((x): x is number => x !== null);
        const failed = samples.filter((s) => s.paintMs === null);
        const lat = summarize(painted);
        const hostPart = summarize(samples.map((s) => s.hostMs).filter((x): x is number => x !== null));
        const heap = samples.map((s) => s.heapMb).filter((x): x is number => x !== null && Number.isFinite(x));
        if (painted.length > 0) p50.set(v.name, lat.p50);
        console.log(`  ${v.label}: first painted rows ${painted.length ? `p50 ${ms(lat.p50)} ms (min ${ms(Math.min(...painted))}, max ${ms(lat.max)}, n=${painted.length}; data in the webview after p50 ${ms(hostPart.p50)} ms)` : 'never'}` +
          `${failed.length ? `; ${failed.length} of ${samples.length} did not paint within ${PAINT_CAP_MS / 1000} s (${failed[0]!.error?.trim().slice(0, 120)})` : ''}` +
          `${heap.length ? `; webview JS heap ${heap.map((h) => h.toFixed(1)).join(', ')} MB` : ''}`);
        const phases = samples.map((s) => s.phases).filter((p): p is NonNullable<Sample['phases']> => !!p);
        if (phases.length) {
          const p50 = (k: keyof NonNullable<Sample['phases']>) => ms(summarize(phases.map((p) => p[k])).p50);
          console.log(`    in the host (p50, ms after the click was sent): request in ${p50('request')}, data posted ${p50('posted')}, handled by the webview ${p50('delivered')}`);
        }
        const withFrames = samples.filter((s) => s.scroll);
        for (const [k, first] of (withFrames[0]?.scroll ?? []).entries()) {
          const all = withFrames.map((s) => s.scroll![k]).filter((x): x is Frames => !!x);
          const what = first.step === 0 ? 'zooming (Ctrl + wheel every frame)' : `scrolling ${first.step} px a frame`;
          const p95s = all.map((f) => f.p95);
          console.log(`    ${what} over ${first.frames} frames × ${all.length}: ${all.map((f) => `${(f.dropped * 100).toFixed(1)}%`).join(', ')} of frames dropped; frame time p50 ${all.map((f) => ms(f.p50)).join(', ')} ms, p95 ${p95s.map(ms).join(', ')} ms` +
            `${WATERFALL ? ` (≥ 55 fps needs p95 ≤ ${ms(FRAME_TARGET_MS)} ms: ${Math.min(...p95s) <= FRAME_TARGET_MS ? 'met' : 'MISSED'} at best)` : ''}`);
          if (v.name === 'current' && (WATERFALL ? Math.min(...p95s) > FRAME_TARGET_MS : first.dropped >= 0.05)) ok = false;
        }
      }
      const mine = p50.get('current');
      const theirs = p50.get('reference');
      const target = TARGET_MS[t.size];
      if (mine !== undefined) {
        const met = target === undefined || mine <= target;
        ok &&= met;
        console.log(`  → ${ms(mine)} ms${theirs !== undefined ? ` = ${(mine / theirs).toFixed(2)}× the reference (${ms(theirs)} ms)` : ' (the reference never painted)'}` +
          `${target !== undefined ? `; target ≤ ${int(target)} ms: ${met ? 'met' : 'MISSED'}` : ''}`);
      } else ok = false;
    }
  } finally {
    await browser?.close();
    server?.close();
    for (const c of collectors) await c.stop();
    reference.remove();
    fs.rmSync(work, { recursive: true, force: true });
  }
  console.log(`targets ${ok ? 'all met' : 'NOT all met'}; ${machineNote()}`);
  process.exitCode = ok ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
