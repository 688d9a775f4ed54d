// The prompt versions' read side, behind `GET /api/prompts…`. Prompts and their distinct texts
// come from prompt_texts (one row per text, kept by the writer); versions are derived from those
// texts (core/prompts/versions.ts, cached until a group's texts change); the window's figures come
// from its calls alone, found through the partial index of calls with a prompt.

import type Database from 'better-sqlite3';
import { quantileSorted } from 'simple-statistics';
import { bucketOf, quantiles } from '../core/histogram';
import type { PricedCall } from '../core/model';
import { promptIdOf, promptKeysOf, promptTextOf, type PromptSource } from '../core/prompts/identity';
import { deriveVersions, templateMatcher, type DerivedVersion, type SeenText } from '../core/prompts/versions';
import { compareRates, compareSamples, verdictText, type Direction } from '../core/stats/compare';
import type {
  PromptReplayTag, MetricComparisonDto, PromptComparisonDto, PromptDto, PromptQuery, PromptsDto, PromptVersionDetail, PromptVersionStats,
} from '../protocol/api';
import { HistogramSum } from './histogram-sum';
import type { SchemaInfo } from './schema-info';

interface TextRow {
  group_key: string;
  hash: string;
  version: string;
  source: string;
  name: string;
  service_name: string | null;
  span_name: string;
  calls: number;
  first_us: number;
  last_us: number;
  sample_row: number;
}

interface CallRow {
  prompt_name: string | null;
  prompt_version: string | null;
  prompt_hash: string;
  prompt_source: string | null;
  experiment: string | null;
  variant: string | null;
  service_name: string | null;
  span_name: string;
  trace_id: string;
  span_id: string;
  start_us: number;
  duration_us: number;
  is_error: number;
  cost_usd: number | null;
  ttft_ms: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
}

interface Group {
  groupKey: string;
  promptId: string;
  source: PromptSource;
  name: string;
  serviceNames: Set<string | null>;
  spanName: string;
  versions: DerivedVersion[];
  /** `text hash\u0000declared version` (SeenText.hash here) → the version it belongs to. */
  versionOf: Map<string, DerivedVersion>;
  /** Version → one text as sent. */
  examples: Map<string, string>;
}

/** One version's figures in a window, as the list shows them. */
interface Totals {
  calls: number;
  errors: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  latency: { p50: number | null; p95: number | null };
  ttft: { p50: number | null; p95: number | null };
  refusals: number;
  guardrailHits: number;
  feedbackUp: number;
  feedbackDown: number;
}

/** Guardrail hits and thumbs on a version's calls: call keys (trace + span) and annotation ids, each counted once. */
class Marks {
  refused = new Set<string>();
  guarded = new Set<string>();
  up = new Set<number>();
  down = new Set<number>();

  /** A guardrail hit or a thumb on call `span` (or on its trace). */
  annotate(a: AnnotationHit, span: string): void {
    if (a.kind === 'guardrail') {
      this.guarded.add(span);
      const category = a.attributes ? (JSON.parse(a.attributes) as Record<string, unknown>).category : undefined;
      if (category === 'refusal') this.refused.add(span);
    } else if (a.kind === 'feedback' && (a.label === 'up' || a.label === 'down')) {
      (a.label === 'up' ? this.up : this.down).add(a.id);
    }
  }
}

/** A version's figures summed from its texts' rollup rows (prompt_texts), percentiles from their histograms. */
class Rollup extends Marks {
  calls = 0;
  errors = 0;
  costUsd = 0;
  inputTokens = 0;
  outputTokens = 0;
  latency = new HistogramSum();
  ttft = new HistogramSum();

  addRow(r: FigureRow): void {
    this.calls += r.calls;
    this.errors += r.errors;
    this.costUsd += r.cost_usd;
    this.inputTokens += r.input_tokens;
    this.outputTokens += r.output_tokens;
    this.latency.addStored(r.latency_hist);
    this.ttft.addStored(r.ttft_hist);
  }

  /** One call in (1) or out (-1): a replay moved to the version whose text it was sent with. */
  addCall(r: CallRow, sign: 1 | -1): void {
    this.calls += sign;
    this.errors += sign * r.is_error;
    this.costUsd += sign * (r.cost_usd ?? 0);
    this.inputTokens += sign * (r.input_tokens ?? 0);
    this.outputTokens += sign * (r.output_tokens ?? 0);
    this.latency.add(bucketOf(r.duration_us / 1000), sign);
    if (r.ttft_ms !== null) this.ttft.add(bucketOf(r.ttft_ms), sign);
  }

  totals(): Totals {
    const pct = (h: HistogramSum) => {
      const [p50, p95] = quantiles(h.toSparse(), [0.5, 0.95]);
      return { p50: p50 ?? null, p95: p95 ?? null };
    };
    return {
      calls: this.calls, errors: this.errors, costUsd: this.costUsd, inputTokens: this.inputTokens, outputTokens: this.outputTokens,
      latency: pct(this.latency), ttft: pct(this.ttft), refusals: this.refused.size, guardrailHits: this.guarded.size, feedbackUp: this.up.size, feedbackDown: this.down.size,
    };
  }
}

interface FigureRow {
  group_key: string;
  hash: string;
  version: string;
  calls: number;
  errors: number;
  cost_usd: number;
  input_tokens: number;
  output_tokens: number;
  latency_hist: string;
  ttft_hist: string;
}

/** The figures of one version's calls, gathered before they are summed up. */
class Tally extends Marks {
  calls = 0;
  errors = 0;
  costUsd = 0;
  latency: number[] = [];
  ttft: number[] = [];
  costs: number[] = [];
  inputs: number[] = [];
  outputs: number[] = [];
  inputTokens = 0;
  outputTokens = 0;

  add(r: CallRow): void {
    this.calls++;
    if (r.is_error) this.errors++;
    this.latency.push(r.duration_us / 1000);
    if (r.ttft_ms !== null) this.ttft.push(r.ttft_ms);
    if (r.cost_usd !== null) {
      this.costUsd += r.cost_usd;
      this.costs.push(r.cost_usd);
    }
    if (r.input_tokens !== null) {
      this.inputTokens += r.input_tokens;
      this.inputs.push(r.input_tokens);
    }
    if (r.output_tokens !== null) {
      this.outputTokens += r.output_tokens;
      this.outputs.push(r.output_tokens);
    }
  }

  totals(): Totals {
    return {
      calls: this.calls, errors: this.errors, costUsd: this.costUsd, inputTokens: this.inputTokens, outputTokens: this.outputTokens,
      latency: percentiles(this.latency), ttft: percentiles(this.ttft), refusals: this.refused.size, guardrailHits: this.guarded.size,
      feedbackUp: this.up.size, feedbackDown: this.down.size,
    };
  }
}

interface AnnotationHit {
  id: number;
  trace_id: string;
  span_id: string | null;
  kind: string;
  label: string | null;
  attributes: string | null;
}

/** A replay sent with a version's text (its trace and span), and the original it replays (trace + span). */
type ReplayTag = PromptReplayTag & { original: string; traceId: string; spanId: string };

const TEXT_CACHE = 5000;
/** Texts a group's versions are derived from, at most (plus as many that no version fitted). */
const DERIVE_SAMPLE = 300;

/** What is kept of a group between requests: its versions and where each of its texts belongs. */
interface GroupCache {
  versions: DerivedVersion[];
  /** Text key (hash + declared version) → version. */
  keyToVersion: Map<string, string>;
  /** Version → one text as sent. */
  examples: Map<string, string>;
  matchers: Map<string, ((text: string) => boolean) | null>;
}

const keyOf = (r: TextRow) => `${r.hash}\u0000${r.version}`;

/** The version a text belongs to without deriving again: its declared version, its template, or a template it is an instance of. */
function place(cache: GroupCache, source: PromptSource, r: TextRow, text: string): string | null {
  if (r.version !== '') return cache.versions.some((v) => v.version === r.version) ? r.version : null;
  for (const v of [...cache.versions].reverse()) {
    if (source !== 'system') {
      if (v.template === text) return v.version;
      continue;
    }
    let m = cache.matchers.get(v.version);
    if (m === undefined) cache.matchers.set(v.version, (m = templateMatcher(v.template)));
    if (m?.(text)) return v.version;
  }
  return null;
}
const RECENT_CALLS = 20;

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const xs = m.get(k);
  if (xs) xs.push(v);
  else m.set(k, [v]);
}

function percentiles(xs: number[]): { p50: number | null; p95: number | null } {
  if (xs.length === 0) return { p50: null, p95: null };
  const s = [...xs].sort((a, b) => a - b);
  return { p50: quantileSorted(s, 0.5), p95: quantileSorted(s, 0.95) };
}

export class PromptQueries {
  private readonly stmts;
  /** The last whole-store list and the state it was read at: a Prompts view refreshed with nothing new costs one small query. */
  private wholeStore: { fingerprint: string; dto: PromptsDto } | null = null;
  /** hash → text: a hash names one text for good. */
  private readonly texts = new Map<string, string>();
  /** group key → its versions and where its texts belong. */
  private readonly derived = new Map<string, GroupCache>();

  constructor(private readonly db: Database.Database, schema: SchemaInfo) {
    const ok = schema.hasTable('prompt_texts') && schema.hasTable('annotations') && schema.hasColumn('llm_calls', 'prompt_hash');
    this.stmts = !ok ? null : {
      texts: db.prepare('SELECT group_key, hash, version, source, name, service_name, span_name, calls, first_us, last_us, sample_row FROM prompt_texts WHERE calls > 0'),
      // What the whole-store list depends on: the store revision (every write of calls and annotations), and the rows (pruning, clearing).
      fingerprint: db.prepare(`SELECT (SELECT value FROM meta WHERE key = 'revision') || ':' || count(*) || ':' || total(calls) FROM prompt_texts`).pluck(),
      figures: schema.hasColumn('prompt_texts', 'latency_hist')
        ? db.prepare('SELECT group_key, hash, version, calls, errors, cost_usd, input_tokens, output_tokens, latency_hist, ttft_hist FROM prompt_texts WHERE calls > 0')
        : null,
      call: db.prepare('SELECT call FROM llm_calls WHERE span_row = ?').pluck(),
      calls: db.prepare(`SELECT c.prompt_name, c.prompt_version, c.prompt_hash, c.prompt_source, c.experiment, c.variant, c.service_name,
        s.name AS span_name, s.trace_id, s.span_id, c.start_us, c.duration_us, c.is_error, c.cost_usd, c.ttft_ms, c.input_tokens, c.output_tokens
        FROM llm_calls c JOIN spans s ON s.id = c.span_row
        WHERE c.prompt_hash IS NOT NULL AND c.start_us >= ? AND c.start_us < ? ORDER BY c.start_us DESC`),
      callByIds: db.prepare(`SELECT c.prompt_name, c.prompt_version, c.prompt_hash, c.prompt_source, c.experiment, c.variant, c.service_name,
        s.name AS span_name, s.trace_id, s.span_id, c.start_us, c.duration_us, c.is_error, c.cost_usd, c.ttft_ms, c.input_tokens, c.output_tokens
        FROM spans s JOIN llm_calls c ON c.span_row = s.id WHERE s.trace_id = ? AND s.span_id = ? AND c.prompt_hash IS NOT NULL`),
      callsOfTrace: db.prepare(`SELECT c.prompt_name, c.prompt_version, c.prompt_hash, c.prompt_source, c.experiment, c.variant, c.service_name,
        s.name AS span_name, s.trace_id, s.span_id, c.start_us, c.duration_us, c.is_error, c.cost_usd, c.ttft_ms, c.input_tokens, c.output_tokens
        FROM spans s JOIN llm_calls c ON c.span_row = s.id WHERE s.trace_id = ? AND c.prompt_hash IS NOT NULL`),
      annotations: db.prepare(`SELECT id, trace_id, span_id, kind, label, attributes FROM annotations
        WHERE kind IN ('guardrail', 'feedback') AND at_us >= ? AND at_us < ?`),
      // Replays sent with another version's text (prompt-replay), few next to the calls.
      replayTags: db.prepare(`SELECT trace_id, span_id, attributes FROM annotations
        WHERE kind = 'replay' AND name = 'replay_of' AND attributes LIKE '%"fromVersion"%'`),
    };
  }

  /** Prompts and experiments with calls in the window, each with its versions' figures. */
  list(q: PromptQuery = {}): PromptsDto {
    const whole = q.from === undefined && q.to === undefined && q.service === undefined && this.stmts?.figures;
    const fingerprint = whole ? String(this.stmts!.fingerprint.get()) : null;
    if (fingerprint !== null && this.wholeStore?.fingerprint === fingerprint) return structuredClone(this.wholeStore.dto);
    const dto = this.listAnew(q);
    if (fingerprint !== null) this.wholeStore = { fingerprint, dto: structuredClone(dto) };
    return dto;
  }

  private listAnew(q: PromptQuery): PromptsDto {
    const groups = this.groups();
    const tallies = this.coversAll(groups, q) ? this.rollUp(groups) : new Map([...this.tally(groups, q, null)].map(([id, t]) => [id, t.totals()]));
    const out: PromptsDto = { prompts: [], experiments: [] };
    for (const g of groups.values()) {
      if (q.service !== undefined && !g.serviceNames.has(q.service)) continue;
      const versions = [...g.versions].reverse()
        .filter((v) => tallies.has(g.groupKey + '\u0000' + v.version))
        .map((v) => this.stats(v, tallies.get(g.groupKey + '\u0000' + v.version)!));
      if (versions.length === 0) continue;
      const dto: PromptDto = { promptId: g.promptId, name: g.name, source: g.source, serviceName: this.serviceOf(g), spanName: g.spanName, versions };
      (g.source === 'experiment' ? out.experiments : out.prompts).push(dto);
    }
    const newest = (p: PromptDto) => Math.max(...p.versions.map((v) => v.lastSeen));
    out.prompts.sort((a, b) => newest(b) - newest(a));
    out.experiments.sort((a, b) => newest(b) - newest(a));
    return out;
  }

  /** One version's text and metadata; null for an unknown prompt or version. */
  version(promptId: string, version: string): PromptVersionDetail | null {
    const g = this.groupById(promptId);
    const v = g?.versions.find((x) => x.version === version);
    if (!g || !v) return null;
    const recent = this.callsOf(g, v, RECENT_CALLS).map((r) => ({ traceId: r.trace_id, spanId: r.span_id, startTime: r.start_us / 1000 }));
    return {
      promptId, name: g.name, source: g.source, serviceName: this.serviceOf(g), spanName: g.spanName, version: v.version, hash: v.hash,
      text: v.template, example: g.examples.get(v.version) ?? v.template, variables: v.variables,
      firstSeen: v.firstUs / 1000, lastSeen: v.lastUs / 1000, calls: v.calls, versions: g.versions.map((x) => x.version), recentCalls: recent,
    };
  }

  /** A version's newest calls as sent (its replays with other versions' texts are not its own), at most `limit`; null for an unknown version. */
  recentCalls(promptId: string, version: string, limit: number): { traceId: string; spanId: string; serviceName: string | null }[] | null {
    const g = this.groupById(promptId);
    const v = g?.versions.find((x) => x.version === version);
    if (!g || !v) return null;
    const tags = this.replayTags();
    return this.callsOf(g, v, limit, tags).map((r) => ({ traceId: r.trace_id, spanId: r.span_id, serviceName: r.service_name }));
  }

  private callsOf(g: Group, v: DerivedVersion, limit: number, tags?: Map<string, PromptReplayTag>): CallRow[] {
    const out: CallRow[] = [];
    if (!this.stmts) return out;
    for (const r of this.stmts.calls.iterate(v.firstUs, v.lastUs + 1) as IterableIterator<CallRow>) {
      if (this.versionOfCall(g, r) !== v || tags?.has(r.trace_id + r.span_id)) continue;
      out.push(r);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Replays sent with a version's text, by replay (trace + span): the version they count for. */
  private replayTags(): Map<string, ReplayTag> {
    const out = new Map<string, ReplayTag>();
    if (!this.stmts) return out;
    for (const r of this.stmts.replayTags.iterate() as IterableIterator<{ trace_id: string; span_id: string | null; attributes: string | null }>) {
      if (r.span_id === null || r.attributes === null) continue;
      const a = JSON.parse(r.attributes) as Partial<PromptReplayTag> & { traceId?: string; spanId?: string };
      if (!a.promptId || !a.version || !a.fromPromptId || !a.fromVersion) continue;
      out.set(r.trace_id + r.span_id, {
        promptId: a.promptId, version: a.version, fromPromptId: a.fromPromptId, fromVersion: a.fromVersion, original: `${a.traceId ?? ''}${a.spanId ?? ''}`,
        traceId: r.trace_id, spanId: r.span_id,
      });
    }
    return out;
  }

  /** B against A, figure by figure, over the window's calls; null when either is unknown. */
  compare(a: { promptId: string; version: string }, b: { promptId: string; version: string }, q: PromptQuery = {}): PromptComparisonDto | null {
    const groups = this.groups();
    const ga = this.groupById(a.promptId, groups);
    const gb = this.groupById(b.promptId, groups);
    const va = ga?.versions.find((x) => x.version === a.version);
    const vb = gb?.versions.find((x) => x.version === b.version);
    if (!ga || !gb || !va || !vb) return null;
    const idA = ga.groupKey + '\u0000' + va.version;
    const idB = gb.groupKey + '\u0000' + vb.version;
    const wanted = new Set([idA, idB]);
    let only: ((id: string, call: string) => boolean) | null = null;
    if (q.replays) {
      // A's calls that were sent again with B's text, against those replays: the same inputs, any time.
      const tags = this.replayTags();
      const replays = new Set<string>();
      const originals = new Set<string>();
      for (const [call, t] of tags) {
        if (t.promptId !== b.promptId || t.version !== b.version || t.fromPromptId !== a.promptId || t.fromVersion !== a.version) continue;
        replays.add(call);
        originals.add(t.original);
      }
      only = (id, call) => (id === idB && replays.has(call)) || (id === idA && originals.has(call) && !replays.has(call));
      q = { ...q, from: undefined, to: undefined };
    }
    const tallies = this.tally(groups, q, wanted, only);
    const ta = tallies.get(ga.groupKey + '\u0000' + va.version) ?? new Tally();
    const tb = tallies.get(gb.groupKey + '\u0000' + vb.version) ?? new Tally();
    const sample = (metric: MetricComparisonDto['metric'], label: string, xa: number[], xb: number[], direction: Direction): MetricComparisonDto => {
      const c = compareSamples(xa, xb, direction);
      return { metric, label, kind: 'sample', direction, ...c, verdictText: verdictText(c), n: { a: xa.length, b: xb.length } };
    };
    const rate = (metric: MetricComparisonDto['metric'], label: string, x1: number, n1: number, x2: number, n2: number, direction: Direction): MetricComparisonDto => {
      const c = compareRates(x1, n1, x2, n2, direction);
      const { aInterval: _a, bInterval: _b, ...rest } = c;
      return { metric, label, kind: 'rate', direction, ...rest, verdictText: verdictText(c), n: { a: n1, b: n2 } };
    };
    // Thumbs are counted per rated trace or call: of what was rated, the share rated up.
    const rated = (t: Tally) => t.up.size + t.down.size;
    return {
      a: { promptId: ga.promptId, name: ga.name, version: va.version, stats: this.stats(va, ta.totals()) },
      b: { promptId: gb.promptId, name: gb.name, version: vb.version, stats: this.stats(vb, tb.totals()) },
      metrics: [
        sample('latencyMs', 'Latency', ta.latency, tb.latency, 'lower'),
        sample('ttftMs', 'Time to first token', ta.ttft, tb.ttft, 'lower'),
        sample('inputTokens', 'Tokens in', ta.inputs, tb.inputs, 'lower'),
        sample('outputTokens', 'Tokens out', ta.outputs, tb.outputs, 'neutral'),
        sample('costPerCall', 'Cost per call', ta.costs, tb.costs, 'lower'),
        rate('errorRate', 'Error rate', ta.errors, ta.calls, tb.errors, tb.calls, 'lower'),
        rate('refusalRate', 'Refusal rate', ta.refused.size, ta.calls, tb.refused.size, tb.calls, 'lower'),
        rate('guardrailRate', 'Calls with guardrail hits', ta.guarded.size, ta.calls, tb.guarded.size, tb.calls, 'lower'),
        rate('feedbackUpRate', 'Thumbs up (of rated)', ta.up.size, rated(ta), tb.up.size, rated(tb), 'higher'),
      ],
    };
  }

  /**
   * The prompts' groups and versions, from prompt_texts. A group's versions are derived once from
   * a sample of its texts (evenly spread over time, so each version's run of calls is in it); a
   * text seen later is placed by its declared version, or by matching a version's template, and
   * only a text no version fits makes the group derive again. Counts are summed afresh each time.
   */
  groups(): Map<string, Group> {
    const out = new Map<string, Group>();
    if (!this.stmts) return out;
    const byGroup = new Map<string, TextRow[]>();
    for (const r of this.stmts.texts.all() as TextRow[]) {
      const rows = byGroup.get(r.group_key);
      if (rows) rows.push(r);
      else byGroup.set(r.group_key, [r]);
    }
    for (const [groupKey, rows] of byGroup) {
      const first = rows[0]!;
      const group: Group = {
        groupKey, promptId: promptIdOf(groupKey), source: first.source as PromptSource, name: first.name,
        serviceNames: new Set(rows.map((r) => r.service_name)), spanName: first.span_name, versions: [], versionOf: new Map(), examples: new Map(),
      };
      let cache = this.derived.get(groupKey);
      const unplaced: { row: TextRow; text: string }[] = [];
      // A text whose sample call was pruned is skipped: its calls are gone, or another will bring it back.
      for (const r of cache ? rows : []) {
        const key = keyOf(r);
        if (cache!.keyToVersion.has(key)) continue;
        const text = this.textOf(r.hash, r.sample_row);
        if (text === null) continue;
        const v = place(cache!, group.source, r, text);
        if (v) cache!.keyToVersion.set(key, v);
        else unplaced.push({ row: r, text });
      }
      if (!cache || unplaced.length > 0) cache = this.derive(groupKey, group.source, rows, unplaced);
      // Each version's calls and times, summed from its texts' rows.
      const totals = new Map<string, { calls: number; firstUs: number; lastUs: number; keys: string[] }>();
      for (const r of rows) {
        const key = keyOf(r);
        const label = cache.keyToVersion.get(key);
        if (label === undefined) continue;
        const t = totals.get(label);
        if (!t) totals.set(label, { calls: r.calls, firstUs: r.first_us, lastUs: r.last_us, keys: [key] });
        else {
          t.calls += r.calls;
          t.firstUs = Math.min(t.firstUs, r.first_us);
          t.lastUs = Math.max(t.lastUs, r.last_us);
          t.keys.push(key);
        }
      }
      group.versions = cache.versions.filter((v) => totals.has(v.version)).map((v) => {
        const t = totals.get(v.version)!;
        return { ...v, calls: t.calls, firstUs: t.firstUs, lastUs: t.lastUs, textHashes: t.keys };
      });
      for (const v of group.versions) for (const key of v.textHashes) group.versionOf.set(key, v);
      group.examples = cache.examples;
      out.set(groupKey, group);
    }
    return out;
  }

  /** Derives a group's versions from a sample of its texts and places every other text. */
  private derive(groupKey: string, source: PromptSource, rows: TextRow[], unplaced: { row: TextRow; text: string }[]): GroupCache {
    const byTime = [...rows].sort((a, b) => a.first_us - b.first_us);
    const step = Math.max(1, byTime.length / DERIVE_SAMPLE);
    const picked = new Map<string, { row: TextRow; text: string }>();
    for (const u of unplaced.slice(-DERIVE_SAMPLE)) picked.set(keyOf(u.row), u);
    for (let i = 0; i < byTime.length && picked.size < 2 * DERIVE_SAMPLE; i += step) {
      const r = byTime[Math.floor(i)]!;
      const text = this.textOf(r.hash, r.sample_row);
      if (text !== null) picked.set(keyOf(r), { row: r, text });
    }
    const seen: SeenText[] = [...picked.entries()].map(([key, { row, text }]) => ({
      hash: key, text, declaredVersion: row.version === '' ? null : row.version, calls: row.calls, firstUs: row.first_us, lastUs: row.last_us,
    }));
    // Experiments' variants are declared; a template's texts are templates; the rest are rendered texts to align.
    const versions = deriveVersions(seen, source !== 'system');
    const cache: GroupCache = { versions, keyToVersion: new Map(), examples: new Map(), matchers: new Map() };
    for (const v of versions) {
      for (const key of v.textHashes) cache.keyToVersion.set(key, v.version);
      const example = picked.get(v.textHashes[v.textHashes.length - 1]!);
      if (example) cache.examples.set(v.version, example.text);
    }
    for (const r of rows) {
      const key = keyOf(r);
      if (cache.keyToVersion.has(key)) continue;
      const text = this.textOf(r.hash, r.sample_row);
      const v = text === null ? null : place(cache, source, r, text);
      if (v) cache.keyToVersion.set(key, v);
    }
    this.derived.set(groupKey, cache);
    return cache;
  }

  private groupById(promptId: string, groups = this.groups()): Group | undefined {
    for (const g of groups.values()) if (g.promptId === promptId) return g;
    return undefined;
  }

  private serviceOf(g: Group): string | null {
    return g.serviceNames.size === 1 ? [...g.serviceNames][0]! : null;
  }

  private textOf(hash: string, sampleRow: number): string | null {
    const cached = this.texts.get(hash);
    if (cached !== undefined) return cached;
    const json = this.stmts!.call.get(sampleRow) as string | undefined;
    if (json === undefined) return null;
    const text = promptTextOf(JSON.parse(json) as PricedCall);
    if (this.texts.size >= TEXT_CACHE) this.texts.clear();
    this.texts.set(hash, text);
    return text;
  }

  private versionOfCall(g: Group, r: CallRow): DerivedVersion | undefined {
    const key = promptKeysOf(
      { promptName: r.prompt_name, promptVersion: r.prompt_version, promptHash: r.prompt_hash, promptSource: r.prompt_source, experiment: r.experiment, variant: r.variant },
      r.service_name, r.span_name,
    ).find((k) => k.groupKey === g.groupKey);
    return key ? g.versionOf.get(`${key.hash}\u0000${key.declaredVersion ?? ''}`) : undefined;
  }

  /** The window's calls, by group and version (only `wanted` ones when given), with their guardrail hits and thumbs. */
  private tally(groups: Map<string, Group>, q: PromptQuery, wanted: Set<string> | null, only: ((id: string, call: string) => boolean) | null = null): Map<string, Tally> {
    const out = new Map<string, Tally>();
    if (!this.stmts) return out;
    // A replay with another version's text counts for that version, not for the group its own text falls in.
    const tags = this.replayTags();
    const byId = new Map<string, Group>();
    if (tags.size > 0) for (const g of groups.values()) byId.set(g.promptId, g);
    const fromUs = q.from !== undefined ? Math.round(q.from * 1000) : 0;
    const toUs = q.to !== undefined ? Math.round(q.to * 1000) : Number.MAX_SAFE_INTEGER;
    // The annotations first (few, against the calls): each call then looks up its own.
    // They come after their call (an analysis, a user's thumbs): look a day past the window.
    const onSpan = new Map<string, AnnotationHit[]>();
    const onTrace = new Map<string, AnnotationHit[]>();
    for (const a of this.stmts.annotations.iterate(fromUs, Math.min(Number.MAX_SAFE_INTEGER, toUs + 86_400_000_000)) as IterableIterator<AnnotationHit>) {
      if (a.span_id !== null) push(onSpan, a.trace_id + a.span_id, a);
      else if (a.kind === 'feedback') push(onTrace, a.trace_id, a);
    }
    for (const r of this.stmts.calls.iterate(fromUs, toUs) as IterableIterator<CallRow>) {
      if (q.service !== undefined && r.service_name !== q.service) continue;
      const span = r.trace_id + r.span_id;
      for (const id of this.targetsOf(r, groups, tags, byId)) {
        if (wanted && !wanted.has(id)) continue;
        if (only && !only(id, span)) continue;
        let t = out.get(id);
        if (!t) out.set(id, (t = new Tally()));
        t.add(r);
        for (const a of onSpan.get(span) ?? []) t.annotate(a, span);
        // Thumbs on a trace count for every version called in it (once each).
        for (const a of onTrace.get(r.trace_id) ?? []) t.annotate(a, span);
      }
    }
    return out;
  }

  private stats(v: DerivedVersion, t: Totals): PromptVersionStats {
    return {
      version: v.version, hash: v.hash, firstSeen: v.firstUs / 1000, lastSeen: v.lastUs / 1000, calls: t.calls, errors: t.errors,
      costUsd: t.costUsd, costPerCall: t.calls ? t.costUsd / t.calls : null, latencyMs: t.latency, ttftMs: t.ttft,
      inputTokens: t.inputTokens, outputTokens: t.outputTokens, refusals: t.refusals, guardrailHits: t.guardrailHits,
      feedbackUp: t.feedbackUp, feedbackDown: t.feedbackDown,
    };
  }

  /** A window holding every version's calls whole (no service filter): the rollup rows answer it. */
  private coversAll(groups: Map<string, Group>, q: PromptQuery): boolean {
    if (!this.stmts?.figures || q.service !== undefined) return false;
    let first = Infinity;
    let last = -Infinity;
    for (const g of groups.values()) for (const v of g.versions) {
      first = Math.min(first, v.firstUs);
      last = Math.max(last, v.lastUs);
    }
    return (q.from === undefined || q.from * 1000 <= first) && (q.to === undefined || q.to * 1000 > last);
  }

  /**
   * Every version's figures from its texts' rollup rows. Replays sent with another version's text
   * move from the version their text fell in to that one; guardrail hits and thumbs (few, next to
   * the calls) are looked up call by call.
   */
  private rollUp(groups: Map<string, Group>): Map<string, Totals> {
    const acc = new Map<string, Rollup>();
    const at = (id: string) => {
      let r = acc.get(id);
      if (!r) acc.set(id, (r = new Rollup()));
      return r;
    };
    const stmts = this.stmts!;
    for (const row of stmts.figures!.iterate() as IterableIterator<FigureRow>) {
      const g = groups.get(row.group_key);
      const v = g?.versionOf.get(`${row.hash}\u0000${row.version}`);
      if (g && v) at(g.groupKey + '\u0000' + v.version).addRow(row);
    }
    const tags = this.replayTags();
    const byId = new Map([...groups.values()].map((g) => [g.promptId, g]));
    for (const tag of tags.values()) {
      const r = stmts.callByIds.get(tag.traceId, tag.spanId) as CallRow | undefined;
      if (!r) continue;
      for (const id of this.targetsOf(r, groups, new Map(), byId)) at(id).addCall(r, -1);
      for (const id of this.targetsOf(r, groups, tags, byId)) at(id).addCall(r, 1);
    }
    for (const a of stmts.annotations.iterate(0, Number.MAX_SAFE_INTEGER) as IterableIterator<AnnotationHit>) {
      const calls = a.span_id !== null
        ? [stmts.callByIds.get(a.trace_id, a.span_id) as CallRow | undefined].filter((r): r is CallRow => r !== undefined)
        : a.kind === 'feedback' ? (stmts.callsOfTrace.all(a.trace_id) as CallRow[]) : [];
      for (const r of calls) for (const id of this.targetsOf(r, groups, tags, byId)) acc.get(id)?.annotate(a, r.trace_id + r.span_id);
    }
    return new Map([...acc].map(([id, r]) => [id, r.totals()]));
  }

  /** The versions (group key + version) a stored call counts for: its replay tag's, else its text's. */
  private targetsOf(r: CallRow, groups: Map<string, Group>, tags: Map<string, PromptReplayTag>, byId: Map<string, Group>): string[] {
    const tag = tags.get(r.trace_id + r.span_id);
    if (tag) {
      const g = byId.get(tag.promptId);
      return g?.versions.some((v) => v.version === tag.version) ? [g.groupKey + '\u0000' + tag.version] : [];
    }
    const out: string[] = [];
    const cols = { promptName: r.prompt_name, promptVersion: r.prompt_version, promptHash: r.prompt_hash, promptSource: r.prompt_source, experiment: r.experiment, variant: r.variant };
    for (const k of promptKeysOf(cols, r.service_name, r.span_name)) {
      const v = groups.get(k.groupKey)?.versionOf.get(`${k.hash}\u0000${k.declaredVersion ?? ''}`);
      if (v) out.push(k.groupKey + '\u0000' + v.version);
    }
    return out;
  }
}
