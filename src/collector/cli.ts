// `spyglass` — the headless collector: serve, import, export. Also the process the
// extension forks (`serve --ipc`), so the CLI and the editor run the very same collector.

import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { AlertConfig } from '../protocol/alerts';
import type { CollectorStartOptions, CollectorToHost, HostToCollector } from '../protocol/collector-ipc';
import { formatBytes } from '../core/format';
import { Store } from '../store/store';
import { createAnalyzer } from './analyzer';
import { Collector, CollectorStartError, DEFAULT_OPTIONS, VERSION, type CollectorOptions } from './collector';
import { toOtlpJson } from './otlp-export';
import { importOtlpJson } from './otlp-import';
import { StoreReader } from './store-reader';
import { REPLAY_USAGE, replayCommand, ReplayCliError } from './replay-cli';

const USAGE = `spyglass ${VERSION} — local LLM trace capture

Usage:
  spyglass serve [options]          run the collector (OTLP HTTP + gRPC, provider proxy, JSON API)
  spyglass import <file> [--db F]   import OTLP/JSON (one request, or JSONL)
  spyglass export [--db F] [--trace ID] [--out FILE]   write OTLP/JSON
  spyglass replay <traceId> [--span ID] [--model M] [--count N]   send a stored call again

Serve options:
  --port N               OTLP/HTTP, proxy and API port (default 4318; 0 = any free port)
  --grpc-port N|none     OTLP/gRPC port (default 4317; 0 = any free port; none = no gRPC)
  --db FILE              SQLite database (default ~/.spyglass/spyglass.db)
  --upstream NAME=URL    proxy route /proxy/NAME/… to URL (repeatable; overrides built-ins)
  --forward URL          also forward everything received to this OTLP/HTTP endpoint
  --prices FILE          JSON array of price overrides
  --no-content           do not store message content
  --retention-days N     drop traces older than N days
  --retention-mb N       keep the database under N MB (oldest traces go first)
  --max-body-mb N        largest accepted request body (default 32)
  --no-analyses          do not analyse stored calls after capture (the guardrails)
  --guardrails FILE      guardrails configuration (the .spyglass/guardrails.json format)
  --privacy-mode         replace PII and secrets by typed placeholders before storing
  --read-only            no capture: serve the JSON API's reads of the database only
                         (default port 0, any free one; the extension uses it when capture is stopped)

Alerts (printed on stderr as they fire and resolve):
  --budget-daily-usd N       daily spend budget (warns when today's projection passes it)
  --budget-monthly-usd N     monthly spend budget
  --alert-latency-p95-ms N   latency SLO: p95 over the last 15 minutes
  --alert-ttft-p95-ms N      time-to-first-token SLO: p95 over the last 15 minutes
  --alert-error-rate F       error rate (0..1) over the last 15 minutes (default 0.5)
  --max-calls-per-minute N   hard limit: the proxy refuses a service's calls (429) above it
                             until the breaker is lifted (POST /api/breakers/lift)
  --alert-webhook URL        POST each raised or resolved alert as JSON to URL
  --no-alerts                no alert evaluation, no circuit breaker

${REPLAY_USAGE}`;

function fail(message: string): never {
  process.stderr.write(`spyglass: ${message}\n`);
  process.exit(2);
}

function numberOption(v: string | undefined, name: string, max = Number.POSITIVE_INFINITY): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > max) fail(`${name} expects a number${max < Infinity ? ` from 0 to ${max}` : ' ≥ 0'}, got ${JSON.stringify(v)}`);
  return n;
}

function intOption(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) fail(`${name} expects a whole number, got ${JSON.stringify(v)}`);
  return n;
}

export function parseServeOptions(args: string[]): { options: Partial<CollectorOptions>; ipc: boolean; readOnly: boolean; portGiven: boolean } {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      'grpc-port': { type: 'string' },
      db: { type: 'string' },
      upstream: { type: 'string', multiple: true },
      forward: { type: 'string' },
      prices: { type: 'string' },
      'no-content': { type: 'boolean' },
      'retention-days': { type: 'string' },
      'retention-mb': { type: 'string' },
      'max-body-mb': { type: 'string' },
      'no-analyses': { type: 'boolean' },
      'read-only': { type: 'boolean' },
      'budget-daily-usd': { type: 'string' },
      'budget-monthly-usd': { type: 'string' },
      'alert-latency-p95-ms': { type: 'string' },
      'alert-ttft-p95-ms': { type: 'string' },
      'alert-error-rate': { type: 'string' },
      'max-calls-per-minute': { type: 'string' },
      'alert-webhook': { type: 'string' },
      'no-alerts': { type: 'boolean' },
      guardrails: { type: 'string' },
      'privacy-mode': { type: 'boolean' },
      ipc: { type: 'boolean' },
      'options-json': { type: 'string' },
    },
    strict: true,
  });
  const fromJson: Partial<CollectorStartOptions> = values['options-json'] ? JSON.parse(values['options-json']) : {};
  const upstreams: Record<string, string> = { ...(fromJson.upstreams ?? {}) };
  for (const u of values.upstream ?? []) {
    const eq = u.indexOf('=');
    if (eq <= 0) fail(`--upstream expects NAME=URL, got ${JSON.stringify(u)}`);
    const url = u.slice(eq + 1);
    try {
      new URL(url);
    } catch {
      fail(`--upstream ${u.slice(0, eq)}: not a URL: ${JSON.stringify(url)}`);
    }
    upstreams[u.slice(0, eq)] = url;
  }
  const grpc = values['grpc-port'];
  const options: Partial<CollectorOptions> = { ...fromJson, upstreams };
  const port = intOption(values.port, '--port');
  if (port !== undefined) options.httpPort = port;
  if (grpc === 'none') options.grpcPort = null;
  else if (grpc !== undefined) options.grpcPort = intOption(grpc, '--grpc-port')!;
  if (values.db) options.dbPath = values.db;
  if (values.forward) options.forwardEndpoint = values.forward;
  if (values.prices) options.priceOverrides = JSON.parse(fs.readFileSync(values.prices, 'utf8'));
  if (values['no-content']) options.storeContent = false;
  if (values['no-analyses']) options.analyses = false;
  if (values.guardrails) {
    try {
      options.guardrails = JSON.parse(fs.readFileSync(values.guardrails, 'utf8'));
    } catch (e) {
      fail(`--guardrails ${values.guardrails}: ${(e as Error).message}`);
    }
  }
  if (values['privacy-mode']) options.privacyMode = true;
  const days = intOption(values['retention-days'], '--retention-days');
  if (days !== undefined) options.retentionDays = days;
  const mb = intOption(values['retention-mb'], '--retention-mb');
  if (mb !== undefined) options.retentionMaxMb = mb;
  const bodyMb = intOption(values['max-body-mb'], '--max-body-mb');
  if (bodyMb !== undefined) options.maxBodyBytes = bodyMb * 1024 * 1024;
  const alerts: Partial<AlertConfig> = { ...(fromJson.alerts ?? {}) };
  const setAlert = <K extends keyof AlertConfig>(key: K, v: AlertConfig[K] | undefined) => {
    if (v !== undefined) alerts[key] = v;
  };
  setAlert('budgetDailyUsd', numberOption(values['budget-daily-usd'], '--budget-daily-usd'));
  setAlert('budgetMonthlyUsd', numberOption(values['budget-monthly-usd'], '--budget-monthly-usd'));
  setAlert('latencyP95Ms', numberOption(values['alert-latency-p95-ms'], '--alert-latency-p95-ms'));
  setAlert('ttftP95Ms', numberOption(values['alert-ttft-p95-ms'], '--alert-ttft-p95-ms'));
  setAlert('errorRate', numberOption(values['alert-error-rate'], '--alert-error-rate', 1));
  const limit = intOption(values['max-calls-per-minute'], '--max-calls-per-minute');
  if (limit !== undefined) alerts.maxCallsPerMinute = limit > 0 ? limit : null;
  if (values['alert-webhook'] !== undefined) {
    const url = values['alert-webhook'];
    if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) fail(`--alert-webhook expects an http(s) URL, got ${JSON.stringify(url)}`);
    alerts.webhookUrl = url;
  }
  options.alerts = alerts;
  if (values['no-alerts']) options.alertsEnabled = false;
  return { options, ipc: values.ipc ?? false, readOnly: values['read-only'] ?? false, portGiven: port !== undefined };
}

function send(msg: CollectorToHost): void {
  process.send?.(msg);
}

/** The store's reads without capture: an ephemeral port unless one is given. */
async function serveReadOnly(options: Partial<CollectorOptions>, ipc: boolean, portGiven: boolean): Promise<void> {
  const dbPath = options.dbPath ?? DEFAULT_OPTIONS.dbPath;
  const warn = (message: string) => (ipc ? send({ type: 'log', level: 'warn', message }) : process.stderr.write(`spyglass: ${message}\n`));
  let reader: StoreReader;
  try {
    reader = await StoreReader.start({ dbPath, httpPort: portGiven ? options.httpPort! : 0, warn });
  } catch (err) {
    const e = err instanceof CollectorStartError ? err : new CollectorStartError('OTHER', null, (err as Error).message);
    if (ipc) send({ type: 'start-failed', code: e.code, port: e.port, message: e.message });
    process.stderr.write(`spyglass: ${e.message}\n`);
    process.exitCode = 2;
    if (ipc) process.disconnect?.();
    return;
  }
  process.stdout.write(`listening http=${reader.httpPort} grpc=none read-only\n`);
  process.stdout.write(`database ${dbPath}\n`);
  const stop = async () => {
    await reader.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (ipc) {
    send({ type: 'listening', httpPort: reader.httpPort, grpcPort: null, dbPath });
    process.on('message', (msg: HostToCollector) => {
      if (msg.type === 'shutdown') void stop();
    });
    process.on('disconnect', stop);
  }
}

async function serve(args: string[]): Promise<void> {
  const { options, ipc, readOnly, portGiven } = parseServeOptions(args);
  if (readOnly) return serveReadOnly(options, ipc, portGiven);
  let collector: Collector;
  try {
    collector = await Collector.start({
      ...options,
      // Forked by the extension, which logs the child's stderr too: one line, not two.
      warn: (message) => (ipc ? send({ type: 'log', level: 'warn', message }) : process.stderr.write(`spyglass: ${message}\n`)),
      reportAlert: (line) => (ipc ? send({ type: 'log', level: 'info', message: line }) : process.stderr.write(`spyglass: ${line}\n`)),
      onUpgrade: (u) => {
        if (ipc) send({ type: 'upgrading', ...u });
        else process.stderr.write(`spyglass: upgrading ${options.dbPath ?? DEFAULT_OPTIONS.dbPath} (${formatBytes(u.bytes)}) from schema ${u.fromSchema} to ${u.toSchema}; on a large store this takes minutes, once\n`);
      },
    });
  } catch (err) {
    const e = err instanceof CollectorStartError ? err : new CollectorStartError('OTHER', null, (err as Error).message);
    if (ipc) send({ type: 'start-failed', code: e.code, port: e.port, message: e.message });
    process.stderr.write(`spyglass: ${e.message}\n`);
    process.exitCode = 2;
    if (ipc) process.disconnect?.();
    return;
  }
  process.stdout.write(`listening http=${collector.httpPort} grpc=${collector.grpcPort ?? 'none'}\n`);
  process.stdout.write(`database ${collector.options.dbPath}\n`);
  for (const w of collector.priceWarnings) process.stderr.write(`spyglass: price override ignored: ${w}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await collector.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (ipc) {
    send({ type: 'listening', httpPort: collector.httpPort, grpcPort: collector.grpcPort, dbPath: collector.options.dbPath });
    process.on('message', (msg: HostToCollector) => {
      if (msg.type === 'shutdown') void stop();
      else if (msg.type === 'clear') collector.clear();
    });
    // The window that forked us is gone: free the ports so another window can take over.
    process.on('disconnect', stop);
  }
}

// import and export need only the database: no listener, no tokenizer preload.
async function importFile(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { db: { type: 'string' } }, allowPositionals: true });
  const file = positionals[0] ?? fail('import needs a file');
  const store = new Store(values.db ?? DEFAULT_OPTIONS.dbPath, createAnalyzer([]).analyzer);
  try {
    const n = await importOtlpJson(fs.readFileSync(file, 'utf8'), (batch) => {
      store.writer.write([batch]);
      return batch.spans.length;
    });
    process.stdout.write(`imported ${n} spans\n`);
  } finally {
    store.close();
  }
}

async function exportFile(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { db: { type: 'string' }, trace: { type: 'string' }, out: { type: 'string' } } });
  const store = new Store(values.db ?? DEFAULT_OPTIONS.dbPath, null, { readonly: true });
  try {
    const text = JSON.stringify(toOtlpJson(store.iterateSpans(values.trace)));
    if (values.out) fs.writeFileSync(values.out, text);
    else process.stdout.write(text + '\n');
  } finally {
    store.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'import':
      return importFile(rest);
    case 'export':
      return exportFile(rest);
    case 'replay':
      try {
        process.exitCode = await replayCommand(rest);
      } catch (err) {
        if (err instanceof ReplayCliError) fail(err.message);
        throw err;
      }
      return;
    case '--version':
      process.stdout.write(`${VERSION}\n`);
      return;
    case undefined:
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return;
    default:
      fail(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((err: Error) => fail(err.message));
