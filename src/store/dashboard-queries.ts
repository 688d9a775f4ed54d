// The dashboard's top tables over a whole range: the costliest and slowest calls walk the cost and
// duration indexes from the top (stopping after `limit` calls inside the range), prompts and
// services are summed from the rollups (the range's calls only when a filter cuts across them: a
// prompt version's by its own index), and each group's costliest call is found the same way as
// the costliest calls. Nothing reads "the newest few hundred traces", and no unfiltered range
// reads all of its calls.

import type Database from 'better-sqlite3';
import type { DashboardTopQuery, DashboardTops, TopCall, TopGroup } from '../protocol/dashboard';
import { PromptSums } from './prompt-rollups';
import { schemaInfo } from './schema-info';
import { WindowSums } from './window-sums';
import { callFilterSql } from './call-filter';

interface CallRow {
  trace_id: string;
  span_id: string;
  name: string;
  model: string;
  service_name: string | null;
  start_us: number;
  duration_us: number;
  cost_usd: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  is_error: number;
}

const MAX_LIMIT = 50;

/** A group's sums, and the call that holds its highest cost (SQLite's bare column beside max()). */
interface GroupSums {
  calls: number;
  cost: number;
  top_cost: number | null;
  top_row: number;
}

function topCall(r: CallRow): TopCall {
  return {
    traceId: r.trace_id, spanId: r.span_id, name: r.name, model: r.model, service: r.service_name, startTime: r.start_us / 1000,
    durationMs: r.duration_us / 1000, costUsd: r.cost_usd, inputTokens: r.input_tokens, outputTokens: r.output_tokens, isError: r.is_error === 1,
  };
}

export function promptKey(name: string, version: string | null): string {
  return version ? `${name}@${version}` : name;
}

export class DashboardQueries {
  private readonly sums: WindowSums;
  /** Null on a file its owner has not migrated yet: prompts are then summed from the calls. */
  private readonly promptSums: PromptSums | null;
  private readonly cache = new Map<string, Database.Statement>();
  /** The prompt's index by time (schema 16); absent on a file its owner has not migrated yet. */
  private readonly filterIndexes: boolean;
  /** The prompt's index holds the service, model and cost (schema 18). */
  private readonly promptIndexCovers: boolean;

  constructor(private readonly db: Database.Database) {
    this.sums = new WindowSums(db);
    const schema = schemaInfo(db);
    this.filterIndexes = schema.hasIndex('llm_calls_by_prompt_time');
    this.promptIndexCovers = schema.indexHas('llm_calls_by_prompt_time', 'model');
    this.promptSums = schema.hasTable('llm_prompt_day') ? new PromptSums(db) : null;
  }

  private stmt(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) this.cache.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  tops(q: DashboardTopQuery = {}): DashboardTops {
    const to = q.to ?? Date.now();
    const from = q.from ?? 0;
    const limit = Math.min(Math.max(1, Math.floor(q.limit ?? 10)), MAX_LIMIT);
    const { where, args } = callFilterSql({ from, to, service: q.service, model: q.model, prompt: q.prompt });
    const cond = where.join(' AND ');
    // A wide range walks the cost (duration) index from the top and stops after `limit` calls inside
    // it (a service's or prompt's own cost index when a filter names one); a narrow one reads its
    // calls by time (a prompt's by its own index) and sorts them. SQLite has no statistics to choose.
    const bounds = this.stmt('SELECT (SELECT min(start_us) FROM llm_calls) AS lo, (SELECT max(start_us) FROM llm_calls) AS hi').get() as { lo: number | null; hi: number | null };
    const stored = bounds.lo === null || bounds.hi === null ? 0 : bounds.hi - bounds.lo + 1;
    const overlap = stored ? Math.max(0, Math.min(to * 1000, bounds.hi! + 1) - Math.max(from * 1000, bounds.lo!)) : 0;
    const wideRange = stored > 0 && overlap / stored > 0.05;
    const group = q.prompt ? 'prompt' : q.model ? 'model' : q.service ? 'service' : null;
    const index = (order: 'cost_usd' | 'duration_us'): string => {
      if (!wideRange) return group === 'prompt' ? 'llm_calls_by_prompt_time' : 'llm_calls_by_time';
      if (order === 'duration_us') return 'llm_calls_by_duration';
      return group === 'prompt' || group === 'service' ? `llm_calls_by_${group}_cost` : 'llm_calls_by_cost';
    };
    const calls = (order: 'cost_usd' | 'duration_us') =>
      (this.stmt(`SELECT c.trace_id, s.span_id, s.name, c.model, c.service_name, c.start_us, c.duration_us, c.cost_usd, c.input_tokens, c.output_tokens, c.is_error
        FROM llm_calls c ${this.filterIndexes || !group ? `INDEXED BY ${index(order)}` : ''} JOIN spans s ON s.id = c.span_row
        WHERE ${cond} AND c.${order} IS NOT NULL ORDER BY c.${order} DESC LIMIT ${limit}`).all(...args) as CallRow[]).map(topCall);
    // A group's costliest call in the range: down the group's calls by cost for a wide range, through the range's calls for a narrow one.
    const costliestTrace = (index: string, cond: string, condArgs: (string | null)[]): string | null =>
      (this.stmt(`SELECT trace_id FROM llm_calls INDEXED BY ${wideRange ? index : 'llm_calls_by_time'} WHERE start_us >= ? AND start_us < ? AND ${cond}
        AND cost_usd IS NOT NULL ORDER BY cost_usd DESC LIMIT 1`).pluck().get(args[0], args[1], ...condArgs) as string | undefined) ?? null;
    const promptVersions = () => this.stmt(this.promptSums
      ? `SELECT DISTINCT prompt_name, nullif(prompt_version, '') AS prompt_version FROM llm_prompt_day`
      : `SELECT DISTINCT prompt_name, prompt_version FROM llm_calls WHERE prompt_name IS NOT NULL`)
      .all() as { prompt_name: string; prompt_version: string | null }[];
    const traceOf = this.stmt('SELECT trace_id FROM llm_calls WHERE span_row = ?').pluck();
    const costliestOf = (g: GroupSums): string | null => (g.top_cost === null ? null : (traceOf.get(g.top_row) as string));
    const promptFilter = q.prompt ? { at: q.prompt.lastIndexOf('@'), key: q.prompt } : null;
    const matchesPrompt = (name: string, version: string | null) => !promptFilter
      || (promptFilter.at > 0 ? promptKey(name, version) === promptFilter.key : name === promptFilter.key);
    let prompts: TopGroup[];
    if (this.promptSums && !q.service && !q.model) {
      prompts = this.promptSums.byPrompt(args[0] as number, args[1] as number)
        .filter((p) => matchesPrompt(p.name, p.version))
        .sort((a, b) => b.costUsd - a.costUsd)
        .slice(0, limit)
        .map((p) => ({ key: promptKey(p.name, p.version), calls: p.calls, costUsd: p.costUsd,
          traceId: costliestTrace('llm_calls_by_prompt_cost', 'prompt_name = ? AND prompt_version IS ?', [p.name, p.version]) }));
    } else if (this.promptSums && this.promptIndexCovers) {
      // One prompt version at a time along its index (schema 18), which holds the service, model and cost a filter reads:
      // only the range's calls of that version, never a row. The bare span_row is the costliest call's (see services).
      const { where, args: fargs } = callFilterSql({ from, to, service: q.service, model: q.model });
      const sums = this.stmt(`SELECT count(*) AS calls, coalesce(sum(c.cost_usd), 0) AS cost, max(c.cost_usd) AS top_cost, c.span_row AS top_row
        FROM llm_calls c INDEXED BY llm_calls_by_prompt_time WHERE c.prompt_name = ? AND c.prompt_version IS ? AND ${where.join(' AND ')}`);
      prompts = promptVersions()
        .filter((v) => matchesPrompt(v.prompt_name, v.prompt_version))
        .map((v) => ({ v, r: sums.get(v.prompt_name, v.prompt_version, ...fargs) as GroupSums }))
        .filter(({ r }) => r.calls > 0)
        .sort((a, b) => b.r.cost - a.r.cost)
        .slice(0, limit)
        .map(({ v, r }): TopGroup => ({ key: promptKey(v.prompt_name, v.prompt_version), calls: r.calls, costUsd: r.cost, traceId: costliestOf(r) }));
    } else {
      // SQLite fills the bare trace_id from the row that holds max(cost_usd): each prompt's costliest trace in the same pass.
      // By time: without statistics SQLite would take a service's cost index and read all of its calls, in the range or not.
      prompts = (this.stmt(`SELECT c.prompt_name AS name, c.prompt_version AS version, count(*) AS calls, coalesce(sum(c.cost_usd), 0) AS cost,
          max(c.cost_usd) AS top_cost, c.trace_id AS trace_id
          FROM llm_calls c INDEXED BY ${q.prompt && this.filterIndexes ? 'llm_calls_by_prompt_time' : 'llm_calls_by_time'}
          WHERE ${cond} AND c.prompt_name IS NOT NULL GROUP BY 1, 2 ORDER BY cost DESC LIMIT ${limit}`)
        .all(...args) as { name: string; version: string | null; calls: number; cost: number; trace_id: string | null }[])
        .map((p): TopGroup => ({ key: promptKey(p.name, p.version), calls: p.calls, costUsd: p.cost, traceId: p.trace_id }));
    }
    const byScope = this.sums.byScope(from, to);
    let costliestServices: TopGroup[];
    if (q.prompt) {
      // The rollups have no prompt: a prompt's calls, summed per service from its index alone (schema 18). SQLite fills the
      // bare span_row (the index's rowid) from the entry that holds max(cost_usd): each service's costliest call in the same pass.
      const groups = this.stmt(`SELECT coalesce(c.service_name, '(no service)') AS key, count(*) AS calls, coalesce(sum(c.cost_usd), 0) AS cost,
          max(c.cost_usd) AS top_cost, c.span_row AS top_row
          FROM llm_calls c ${this.filterIndexes ? 'INDEXED BY llm_calls_by_prompt_time' : ''}
          WHERE ${cond} GROUP BY 1 ORDER BY cost DESC, calls DESC LIMIT ${limit}`)
        .all(...args) as (GroupSums & { key: string })[];
      costliestServices = groups.map((g): TopGroup => ({ key: g.key, calls: g.calls, costUsd: g.cost, traceId: costliestOf(g) }));
    } else {
      const services = new Map<string, TopGroup>();
      for (const s of byScope) {
        if ((q.model && s.model !== q.model) || (q.service && s.service !== q.service)) continue;
        const key = s.service || '(no service)';
        const g = services.get(key) ?? { key, calls: 0, costUsd: 0, traceId: null };
        g.calls += s.calls;
        g.costUsd += s.costUsd;
        services.set(key, g);
      }
      costliestServices = [...services.values()].sort((a, b) => b.costUsd - a.costUsd || b.calls - a.calls).slice(0, limit);
      // With a model filter, a service's costliest call of that model.
      for (const g of costliestServices) {
        g.traceId = costliestTrace('llm_calls_by_service_cost', q.model ? 'service_name IS ? AND model = ?' : 'service_name IS ?',
          [g.key === '(no service)' ? null : g.key, ...(q.model ? [q.model] : [])]);
      }
    }
    const promptNames = promptVersions();
    return {
      from, to,
      costliestCalls: calls('cost_usd'),
      slowestCalls: calls('duration_us'),
      costliestPrompts: prompts,
      costliestServices,
      services: [...new Set(byScope.map((s) => s.service).filter(Boolean))].sort(),
      models: [...new Set(byScope.map((s) => s.model))].sort(),
      prompts: promptNames.map((p) => promptKey(p.prompt_name, p.prompt_version)).sort(),
    };
  }
}
