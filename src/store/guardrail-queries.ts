// Guardrail hits, read from the annotations of kind `guardrail`: a span's hits as the API gives
// them (rule, category, severity, where in the call), and the list across traces behind
// `GET /api/guardrails` (newest call first, paged by a cursor) with counts over every match and,
// for a chart, counts per category and time bucket.

import type Database from 'better-sqlite3';
import type { AnnotationDto, GuardrailBucket, GuardrailCounts, GuardrailHitDto, GuardrailListHit, GuardrailPage, GuardrailQuery } from '../protocol/api';
import { annotationDto, type AnnotationRow } from './annotation-queries';
import { decodeCursor, encodeCursor, pageOf, StatementCache } from './pages';
import type { SchemaInfo } from './schema-info';

const MAX_PAGE = 500;
/** A chart of more buckets than this is asked for by mistake (a bucket of 1 ms over a month). */
const MAX_BUCKETS = 10_000;

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);

/** A guardrail annotation read as a hit: its category and severity from its attributes (an app's event may give only a label). */
export function guardrailHit(a: AnnotationDto): GuardrailHitDto {
  const l = a.location;
  return {
    id: a.id,
    rule: text(a.attributes.rule) ?? a.name,
    category: text(a.attributes.category) ?? a.label ?? 'other',
    severity: text(a.attributes.severity),
    location: l?.side ?? null,
    messageIndex: int(l?.messageIndex),
    partIndex: int(l?.partIndex),
    start: int(l?.start),
    end: int(l?.end),
    explanation: a.explanation,
    source: a.source,
  };
}

/** A span's hits, from its annotations. */
export function guardrailHits(annotations: readonly AnnotationDto[]): GuardrailHitDto[] {
  return annotations.filter((a) => a.kind === 'guardrail').map(guardrailHit);
}

const CATEGORY = "COALESCE(json_extract(a.attributes, '$.category'), a.label, 'other')";
const SEVERITY = "json_extract(a.attributes, '$.severity')";
const RULE = "COALESCE(json_extract(a.attributes, '$.rule'), a.name)";

/** A filter value may list several, comma-separated (`category=pii,secret`). */
function values(v: string | undefined): string[] {
  return v === undefined ? [] : v.split(',').map((x) => x.trim()).filter((x) => x !== '');
}

type Row = AnnotationRow & { at_us: number; span_name: string | null; model: string | null };

export class GuardrailQueries {
  private readonly lists: StatementCache;

  constructor(db: Database.Database, private readonly schema: SchemaInfo) {
    this.lists = new StatementCache(db);
  }

  /** Hits across traces, newest call first. Throws RangeError for a cursor it did not give or a bad bucket width. */
  list(q: GuardrailQuery): GuardrailPage {
    const empty: GuardrailCounts = { total: 0, byCategory: {}, byRule: {}, bySeverity: {} };
    if (!this.schema.hasTable('annotations')) return { hits: [], nextCursor: null, counts: empty, ...(q.bucketMs !== undefined ? { buckets: [] } : {}) };
    const limit = Math.min(Math.max(1, Math.floor(q.limit ?? 100)), MAX_PAGE);
    const where: string[] = ["a.kind = 'guardrail'"];
    const args: (string | number)[] = [];
    const anyOf = (expr: string, list: string[]) => {
      if (list.length === 0) return;
      where.push(`${expr} IN (${list.map(() => '?').join(', ')})`);
      args.push(...list);
    };
    anyOf(CATEGORY, values(q.category));
    anyOf(RULE, values(q.rule));
    anyOf(SEVERITY, values(q.severity));
    if (q.from !== undefined) {
      where.push('a.at_us >= ?');
      args.push(Math.floor(q.from * 1000));
    }
    if (q.to !== undefined) {
      where.push('a.at_us < ?');
      args.push(Math.floor(q.to * 1000));
    }
    const filtered = `FROM annotations a WHERE ${where.join(' AND ')}`;

    const pageWhere = [...where];
    const pageArgs = [...args];
    if (q.cursor) {
      const [atUs, id] = decodeCursor(q.cursor, /^[1-9][0-9]*$/);
      pageWhere.push('(a.at_us < ? OR (a.at_us = ? AND a.id < ?))');
      pageArgs.push(atUs, atUs, Number(id));
    }
    const sql = `SELECT a.id, a.trace_id, a.span_id, a.kind, a.name, a.label, a.score, a.explanation, a.source, a.location, a.attributes,
        a.created_us, a.call_revision, a.at_us, s.name AS span_name, c.model
      FROM annotations a LEFT JOIN spans s ON s.trace_id = a.trace_id AND s.span_id = a.span_id LEFT JOIN llm_calls c ON c.span_row = s.id
      WHERE ${pageWhere.join(' AND ')} ORDER BY a.at_us DESC, a.id DESC LIMIT ${limit + 1}`;
    const { page, nextCursor } = pageOf(this.lists.get(sql).all(...pageArgs) as Row[], limit, (last) => encodeCursor(last.at_us, last.id));
    const hits: GuardrailListHit[] = page.map((r) => ({
      ...guardrailHit(annotationDto(r)), traceId: r.trace_id, spanId: r.span_id, at: r.at_us / 1000, spanName: r.span_name, model: r.model,
    }));

    const counts: GuardrailCounts = { total: 0, byCategory: {}, byRule: {}, bySeverity: {} };
    const groups = this.lists.get(`SELECT ${CATEGORY} AS category, ${RULE} AS rule, ${SEVERITY} AS severity, count(*) AS n ${filtered} GROUP BY 1, 2, 3`)
      .all(...args) as Array<{ category: string; rule: string; severity: string | null; n: number }>;
    for (const g of groups) {
      counts.total += g.n;
      counts.byCategory[g.category] = (counts.byCategory[g.category] ?? 0) + g.n;
      counts.byRule[g.rule] = (counts.byRule[g.rule] ?? 0) + g.n;
      if (g.severity !== null) counts.bySeverity[g.severity] = (counts.bySeverity[g.severity] ?? 0) + g.n;
    }

    const out: GuardrailPage = { hits, nextCursor, counts };
    if (q.bucketMs !== undefined) out.buckets = this.buckets(q, filtered, args);
    return out;
  }

  private buckets(q: GuardrailQuery, filtered: string, args: (string | number)[]): GuardrailBucket[] {
    const width = q.bucketMs!;
    if (!Number.isFinite(width) || width < 1) throw new RangeError('bucketMs must be at least 1');
    if (q.from === undefined) throw new RangeError('bucketMs needs from (buckets start there)');
    const to = q.to ?? Date.now();
    if ((to - q.from) / width > MAX_BUCKETS) throw new RangeError(`more than ${MAX_BUCKETS} buckets: use a wider bucketMs`);
    const widthUs = Math.round(width * 1000);
    const fromUs = Math.floor(q.from * 1000);
    const rows = this.lists.get(`SELECT CAST((a.at_us - ?) / ? AS INTEGER) AS k, ${CATEGORY} AS category, count(*) AS n ${filtered} GROUP BY 1, 2 ORDER BY 1`)
      .all(fromUs, widthUs, ...args) as Array<{ k: number; category: string; n: number }>;
    const out: GuardrailBucket[] = [];
    for (const r of rows) {
      const bucketStart = q.from + r.k * width;
      let b = out[out.length - 1];
      if (!b || b.bucketStart !== bucketStart) out.push((b = { bucketStart, byCategory: {} }));
      b.byCategory[r.category] = r.n;
    }
    return out;
  }
}
