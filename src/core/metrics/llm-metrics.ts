// The collector's Prometheus metrics: LLM call latency, time to first token, tokens, cost, calls,
// errors and received spans, for users who already run Prometheus and Grafana.
//
// Labels are low-cardinality only: service, provider, model, status (and token type, transport).
// Never ids, prompt hashes or prompt names. Model and service names come from captured data, so
// the number of distinct label sets is capped and the rest folded into "other" (see createMetrics).

import { Counter, Histogram, PROMETHEUS_CONTENT_TYPE } from './prometheus';

export { PROMETHEUS_CONTENT_TYPE };

/** One finished LLM call, as the collector saw it. Missing numbers are null and are not counted. */
export interface CallObservation {
  model: string | null;
  provider: string | null;
  service: string | null;
  /** `ok` / `error` / `cancelled`; OTel's `unset` and an empty string count as ok, anything else as error. */
  status: string;
  durationMs: number | null;
  ttftMs: number | null;
  /** All input tokens, cached ones included. */
  inputTokens: number | null;
  /** All output tokens, reasoning ones included. */
  outputTokens: number | null;
  cachedInputTokens: number | null;
  reasoningTokens: number | null;
  /** Cache writes (Anthropic cache creation), a part of inputTokens. */
  cacheWriteTokens?: number | null;
  costUsd: number | null;
}

export interface MetricsOptions {
  /** Distinct (service, provider, model) combinations kept before new models fold into model="other". Default 100. */
  maxLabelSets?: number;
  /** Distinct services kept before new ones fold into service="other". Default 20. */
  maxServices?: number;
  /** Distinct providers kept before new ones fold into provider="other". Default 20. */
  maxProviders?: number;
  /** Distinct span transports kept before new ones fold into transport="other". Default 10. */
  maxTransports?: number;
}

export interface LlmMetrics {
  /** Counts one finished LLM call in every call metric. */
  observeCall(call: CallObservation): void;
  /** Counts `n` spans received over `transport` (e.g. `otlp_http_json`, `otlp_http_protobuf`, `otlp_grpc`, `proxy`, `import`). */
  observeSpans(transport: string, n: number): void;
  /** Every metric in the Prometheus text exposition format; serve with PROMETHEUS_CONTENT_TYPE. */
  render(): string;
}

/** Call latency buckets (seconds): from a fast cached completion to a long agentic generation. */
export const DURATION_BUCKETS_S = [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 300] as const;
/** Time-to-first-token buckets (seconds). */
export const TTFT_BUCKETS_S = [0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30] as const;

export const OTHER = 'other';
export const UNKNOWN = 'unknown';
const MAX_LABEL_LENGTH = 128;

const CALL_LABELS = ['service', 'provider', 'model', 'status'] as const;
const TOKEN_TYPES = ['input', 'output', 'cached_input', 'reasoning', 'cache_write_input'] as const;
type TokenType = (typeof TOKEN_TYPES)[number];

function cleanLabel(value: string | null | undefined): string {
  const v = value?.trim();
  if (!v) return UNKNOWN;
  return v.length > MAX_LABEL_LENGTH ? v.slice(0, MAX_LABEL_LENGTH) : v;
}

function normalizeStatus(status: string): 'ok' | 'error' | 'cancelled' {
  const s = status.trim().toLowerCase();
  if (s === '' || s === 'ok' || s === 'unset') return 'ok';
  if (s === 'cancelled' || s === 'canceled') return 'cancelled';
  return 'error';
}

/** Admits up to `max` distinct values; later new ones become "other". Admitted values stay. */
class CappedSet {
  private readonly seen = new Set<string>();
  constructor(private readonly max: number) {}

  admit(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return OTHER;
    this.seen.add(value);
    return value;
  }
}

function count(value: number | null | undefined): number | null {
  return value !== null && value !== undefined && Number.isFinite(value) && value >= 0 ? value : null;
}

/**
 * A fresh registry of Spyglass's LLM metrics:
 *
 * - `spyglass_llm_call_duration_seconds` histogram, `spyglass_llm_time_to_first_token_seconds`
 *   histogram (calls with a measured TTFT only);
 * - `spyglass_llm_calls_total`, `spyglass_llm_errors_total` (status error),
 *   `spyglass_llm_cost_usd_total` (priced calls only),
 *   `spyglass_llm_tokens_total{type=input|output|cached_input|reasoning|cache_write_input}`;
 *   all labelled {service, provider, model, status};
 * - `spyglass_spans_received_total{transport}`.
 *
 * Cardinality is bounded: services and providers beyond their caps become "other"; once
 * `maxLabelSets` (service, provider, model) combinations exist, a new combination keeps its
 * service and provider but gets model="other". Missing names are "unknown"; values are cut at 128
 * characters. So the series count is at most about maxLabelSets + maxServices × maxProviders, × 3
 * statuses.
 */
export function createMetrics(options: MetricsOptions = {}): LlmMetrics {
  const services = new CappedSet(options.maxServices ?? 20);
  const providers = new CappedSet(options.maxProviders ?? 20);
  const labelSets = new CappedSet(options.maxLabelSets ?? 100);
  const transports = new CappedSet(options.maxTransports ?? 10);

  const duration = new Histogram(
    'spyglass_llm_call_duration_seconds',
    'Duration of LLM calls, from request to the end of the response.',
    CALL_LABELS,
    DURATION_BUCKETS_S,
  );
  const ttft = new Histogram(
    'spyglass_llm_time_to_first_token_seconds',
    'Time from an LLM request to the first token of its response (streamed calls).',
    CALL_LABELS,
    TTFT_BUCKETS_S,
  );
  const tokens = new Counter('spyglass_llm_tokens_total', 'Tokens of LLM calls by type; input includes cached_input and cache_write_input, output includes reasoning.', [
    ...CALL_LABELS,
    'type',
  ]);
  const cost = new Counter('spyglass_llm_cost_usd_total', 'Cost of priced LLM calls in US dollars (some estimated).', CALL_LABELS);
  const calls = new Counter('spyglass_llm_calls_total', 'LLM calls observed.', CALL_LABELS);
  const errors = new Counter('spyglass_llm_errors_total', 'LLM calls that ended in an error.', CALL_LABELS);
  const spans = new Counter('spyglass_spans_received_total', 'Spans received and stored, by transport.', ['transport']);

  // The same few label sets recur for every call: each is worked out once and kept frozen
  // (the series keep their keys), with its per-token-type variants.
  interface CallSeries {
    labels: readonly string[];
    byType: Record<TokenType, readonly string[]>;
  }
  const seen = new Map<string, CallSeries>();
  function callSeries(call: CallObservation): CallSeries {
    const raw = `${call.service}\u0000${call.provider}\u0000${call.model}\u0000${call.status}`;
    let s = seen.get(raw);
    if (s) return s;
    const service = services.admit(cleanLabel(call.service));
    const provider = providers.admit(cleanLabel(call.provider));
    let model = cleanLabel(call.model);
    if (labelSets.admit(JSON.stringify([service, provider, model])) === OTHER) model = OTHER;
    const labels = Object.freeze([service, provider, model, normalizeStatus(call.status)]);
    const byType = Object.fromEntries(TOKEN_TYPES.map((t) => [t, Object.freeze([...labels, t])])) as Record<TokenType, readonly string[]>;
    s = { labels, byType };
    if (seen.size >= 1_000) seen.clear();
    seen.set(raw, s);
    return s;
  }

  return {
    observeCall(call) {
      const { labels, byType: tokenSeries } = callSeries(call);
      calls.inc(labels);
      if (labels[3] === 'error') errors.inc(labels);
      const durationMs = count(call.durationMs);
      if (durationMs !== null) duration.observe(labels, durationMs / 1000);
      const ttftMs = count(call.ttftMs);
      if (ttftMs !== null) ttft.observe(labels, ttftMs / 1000);
      const byType: [TokenType, number | null][] = [
        ['input', count(call.inputTokens)],
        ['output', count(call.outputTokens)],
        ['cached_input', count(call.cachedInputTokens)],
        ['reasoning', count(call.reasoningTokens)],
        ['cache_write_input', count(call.cacheWriteTokens)],
      ];
      for (const [type, n] of byType) if (n !== null) tokens.inc(tokenSeries[type], n);
      const costUsd = count(call.costUsd);
      if (costUsd !== null) cost.inc(labels, costUsd);
    },
    observeSpans(transport, n) {
      const v = count(n);
      if (v === null) return;
      spans.inc([transports.admit(cleanLabel(transport))], v);
    },
    render() {
      return [duration, ttft, tokens, cost, calls, errors, spans].map((m) => m.render()).join('');
    },
  };
}
