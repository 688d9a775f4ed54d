// One very large trace for the trace-view benchmarks: a long agent session made of the realistic
// request traces of spans.ts (LLM calls with their messages, tools, HTTP and DB spans), all under
// one root in one trace, one request after another.

import type { IngestSpan } from '../../src/core/model';
import { Rng } from './rng';
import { generateTrace } from './spans';

/** A trace of `spans` spans (exactly), starting at `startUs`, with its root first. */
export function bigTrace(spans: number, startUs: number, seed = 99): IngestSpan[] {
  const rng = new Rng(seed);
  const traceId = rng.hex(16);
  const root: IngestSpan = {
    traceId, spanId: rng.hex(8), parentSpanId: null, name: 'agent session', kind: 1, startUs, endUs: startUs, statusCode: 0,
    statusMessage: '', attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'long-runner' }, events: [], links: [],
    resource: { 'service.name': 'long-runner' }, scope: { name: 'app.agent' },
  };
  const out: IngestSpan[] = [root];
  let t = startUs + 1_000;
  while (out.length < spans) {
    const part = generateTrace(rng, t);
    for (const s of part) {
      if (out.length >= spans) break;
      out.push({ ...s, traceId, parentSpanId: s.parentSpanId ?? root.spanId });
      t = Math.max(t, s.endUs);
    }
    t += 500;
  }
  root.endUs = t;
  return out;
}
