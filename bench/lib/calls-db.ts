// A store of LLM calls only (every span a call) for the alert and dashboard benchmarks: 1,000,000
// calls over 14 days by default, eight models, six services, twenty prompt versions, a daily
// pattern, some failures and streamed calls. Built once and cached under node_modules/.cache/bench.
// The spans go through the real reading and pricing (prepareSpan) and the rollups through the
// real aggregates (BatchAggregates), but the rows are inserted here, in one transaction of
// prepared statements with the journal off: through SpanWriter a million calls took over ten
// minutes of this machine, most of it per-batch commits and the full-text index, which neither
// benchmark reads (so it is left empty, as are the prompt version counts).

import fs from 'node:fs';
import path from 'node:path';
import { createAnalyzer } from '../../src/collector/analyzer';
import { StatusCode, type IngestSpan } from '../../src/core/model';
import { BatchAggregates, prepareAggregateStatements } from '../../src/store/aggregates';
import { CALL_FIELDS, callArgs, callColumns } from '../../src/store/call-fields';
import { prepareSpan } from '../../src/store/prepare';
import { Store } from '../../src/store/store';
import { DEFAULT_END_US } from './bench-db';
import { Rng } from './rng';
import { int, nowMs } from './timing';

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'o3-mini', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'gemini-2.5-flash', 'gemini-2.5-pro'];
const SERVICES = ['checkout-agent', 'support-bot', 'search', 'summarizer', 'evals', 'batch-jobs'];
const VERSION = 3;

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
  new Store(tmp, null).close(); // the real schema, every migration run
  const store = new Store(tmp, null);
  const db = store.db;
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  const analyzer = createAnalyzer([]).analyzer;
  const insertResource = db.prepare('INSERT INTO resources (hash, service_name, attributes) VALUES (?, ?, ?)');
  const insertSpan = db.prepare(`INSERT INTO spans (trace_id, span_id, parent_span_id, name, kind, category, start_us,
    end_us, status_code, status_message, service_name, resource_id, scope_name, scope_version, attributes, events, links, store_rev)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const cols = ['span_row', 'trace_id', 'start_us', 'duration_us', 'service_name', ...callColumns(CALL_FIELDS), 'call', 'revision', 'store_rev'];
  const insertCall = db.prepare(`INSERT INTO llm_calls (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
  const aggStmts = prepareAggregateStatements(db);
  const resources = new Map<string, number>();
  const t0 = nowMs();
  let done = 0;
  db.transaction(() => {
    for (const spans of callSpans(spec, 20_000)) {
      const agg = new BatchAggregates();
      for (const span of spans) {
        const service = String(span.resource['service.name']);
        let resourceId = resources.get(service);
        if (resourceId === undefined) {
          const json = JSON.stringify(span.resource);
          resources.set(service, (resourceId = Number(insertResource.run(json, service, json).lastInsertRowid)));
        }
        const p = prepareSpan(span, [], analyzer, true, 0);
        const row = Number(insertSpan.run(p.traceId, p.spanId, p.parentSpanId, p.name, p.kind, p.category, p.startUs, p.endUs, p.statusCode,
          p.statusMessage, service, resourceId, p.scopeName, p.scopeVersion, p.attributes, p.events, p.links, done + 1).lastInsertRowid);
        agg.addSpan(p, service, p.sessionId, p.userId);
        agg.addPreviews(p);
        const c = p.call!;
        // Each call its own store revision, as if the calls arrived one by one (bench/alerts.ts replays their arrival).
        insertCall.run(row, p.traceId, p.startUs, Math.max(0, p.endUs - p.startUs), service, ...callArgs(CALL_FIELDS, c), c.json, 0, ++done);
        agg.addCall({ traceId: p.traceId, startUs: p.startUs, durationUs: Math.max(0, p.endUs - p.startUs), model: c.model, provider: c.provider, service, isError: c.isError, call: c });
      }
      agg.flush(db, aggStmts);
      if (done % 100_000 === 0) log(`  building ${path.basename(file)}: ${int(done)} calls, ${int((done / (nowMs() - t0)) * 1000)} calls/s`);
    }
    db.prepare(`INSERT INTO meta (key, value) VALUES ('revision', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(String(done));
  })();
  store.close();
  fs.renameSync(tmp, file);
  return file;
}

export const CALLS_DB_END_MS = DEFAULT_END_US / 1000;
