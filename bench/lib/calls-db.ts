// A store of LLM calls only (every span a call) for the alert and dashboard benchmarks: 1,000,000
// calls over 14 days by default, eight models, six services, twenty prompt versions, a daily
// pattern, some failures and streamed calls. Built once through the real SpanWriter (calls,
// minute and hour rollups exactly as ingest leaves them) and cached under node_modules/.cache/bench.

import fs from 'node:fs';
import path from 'node:path';
import { createAnalyzer } from '../../src/collector/analyzer';
import { StatusCode, type IngestSpan } from '../../src/core/model';
import { Store } from '../../src/store/store';
import { DEFAULT_END_US } from './bench-db';
import { Rng } from './rng';
import { int, nowMs } from './timing';

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'o3-mini', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'gemini-2.5-flash', 'gemini-2.5-pro'];
const SERVICES = ['checkout-agent', 'support-bot', 'search', 'summarizer', 'evals', 'batch-jobs'];
const VERSION = 1;

export interface CallsDbSpec {
  calls: number;
  days: number;
}

export function callsDbPath(root: string, spec: CallsDbSpec): string {
  return path.join(root, 'node_modules/.cache/bench', `calls-v${VERSION}-${spec.calls}-${spec.days}d.db`);
}

function* callSpans(spec: CallsDbSpec, batch: number): Generator<IngestSpan[]> {
  const rng = new Rng(1515);
  const startUs = DEFAULT_END_US - spec.days * 86_400_000_000;
  const gapUs = (spec.days * 86_400_000_000) / spec.calls;
  let out: IngestSpan[] = [];
  for (let i = 0; i < spec.calls; i++) {
    const t = Math.floor(startUs + i * gapUs);
    const model = MODELS[Math.min(MODELS.length - 1, Math.floor(rng.next() ** 2 * MODELS.length))]!;
    const input = rng.int(50, 4000);
    const output = rng.int(5, 800);
    const ttft = rng.chance(0.6) ? rng.int(80, 1500) : null;
    const durMs = (ttft ?? 0) + output * (5 + rng.next() * 20);
    const hex = i.toString(16).padStart(16, '0');
    out.push({
      traceId: `${hex}${hex}`, spanId: hex, parentSpanId: null, name: `chat ${model}`, kind: 3,
      startUs: t, endUs: t + Math.floor(durMs * 1000), statusCode: rng.chance(0.03) ? StatusCode.ERROR : StatusCode.UNSET, statusMessage: '',
      attributes: {
        'gen_ai.operation.name': 'chat', 'gen_ai.request.model': model, 'gen_ai.provider.name': model.startsWith('claude') ? 'anthropic' : model.startsWith('gemini') ? 'gcp.gemini' : 'openai',
        'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': output, 'gen_ai.usage.cache_read.input_tokens': rng.chance(0.3) ? Math.floor(input / 2) : 0,
        ...(ttft !== null ? { 'gen_ai.response.time_to_first_chunk': ttft / 1000 } : {}),
        'gen_ai.prompt.name': `prompt-${rng.int(1, 10)}`, 'gen_ai.prompt.version': `v${rng.int(1, 2)}`,
      },
      events: [], links: [], resource: { 'service.name': rng.pick(SERVICES) }, scope: { name: 'bench' },
    });
    if (out.length === batch) {
      yield out;
      out = [];
    }
  }
  if (out.length) yield out;
}

export function ensureCallsDb(root: string, spec: CallsDbSpec, log: (s: string) => void = console.log): string {
  const file = callsDbPath(root, spec);
  if (fs.existsSync(file)) {
    new Store(file, null).close(); // pending migrations (the dashboard's indexes)
    return file;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.building-${process.pid}`;
  const store = new Store(tmp, createAnalyzer([]).analyzer);
  const t0 = nowMs();
  let done = 0;
  for (const spans of callSpans(spec, 10_000)) {
    store.writer.write([{ spans, logs: [] }]);
    done += spans.length;
    if (done % 100_000 === 0) log(`  building ${path.basename(file)}: ${int(done)} calls, ${int((done / (nowMs() - t0)) * 1000)} calls/s`);
  }
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.close();
  fs.renameSync(tmp, file);
  for (const s of ['-wal', '-shm']) fs.rmSync(tmp + s, { force: true });
  return file;
}

export const CALLS_DB_END_MS = DEFAULT_END_US / 1000;
