// OTLP/JSON (ExportTraceServiceRequest) payloads for host tests: an LLM call under a root span,
// in the GenAI semantic conventions, as an instrumented app would export it.
import { randomBytes } from 'node:crypto';

type AnyValue = { stringValue: string } | { intValue: string } | { doubleValue: number };
const attr = (key: string, v: string | number): { key: string; value: AnyValue } => ({
  key,
  value: typeof v === 'string' ? { stringValue: v } : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v },
});

export interface LlmTraceSpec {
  traceId?: string;
  rootName?: string;
  service?: string;
  model?: string;
  sessionId?: string;
  inputTokens?: number;
  outputTokens?: number;
  error?: boolean;
  startMs?: number;
  tool?: string;
}

export function newTraceId(): string {
  return randomBytes(16).toString('hex');
}

export function llmTrace(spec: LlmTraceSpec = {}): { traceId: string; body: string } {
  const traceId = spec.traceId ?? newTraceId();
  const start = BigInt(Math.round(spec.startMs ?? Date.now() - 2000)) * 1_000_000n;
  const rootId = randomBytes(8).toString('hex');
  const ns = (ms: number) => String(start + BigInt(ms) * 1_000_000n);
  const model = spec.model ?? 'gpt-4o-mini';
  const rootAttrs = spec.sessionId ? [attr('session.id', spec.sessionId)] : [];
  const spans: object[] = [
    { traceId, spanId: rootId, name: spec.rootName ?? 'answer question', kind: 1, startTimeUnixNano: ns(0), endTimeUnixNano: ns(900), attributes: rootAttrs, status: {} },
    {
      traceId,
      spanId: randomBytes(8).toString('hex'),
      parentSpanId: rootId,
      name: `chat ${model}`,
      kind: 3,
      startTimeUnixNano: ns(10),
      endTimeUnixNano: ns(610),
      attributes: [
        attr('gen_ai.operation.name', 'chat'),
        attr('gen_ai.provider.name', 'openai'),
        attr('gen_ai.request.model', model),
        attr('gen_ai.response.model', model),
        attr('gen_ai.usage.input_tokens', spec.inputTokens ?? 1000),
        attr('gen_ai.usage.output_tokens', spec.outputTokens ?? 200),
      ],
      status: spec.error ? { code: 2, message: 'rate limited' } : { code: 1 },
    },
  ];
  if (spec.tool) {
    spans.push({
      traceId,
      spanId: randomBytes(8).toString('hex'),
      parentSpanId: rootId,
      name: `execute_tool ${spec.tool}`,
      kind: 1,
      startTimeUnixNano: ns(620),
      endTimeUnixNano: ns(700),
      attributes: [attr('gen_ai.operation.name', 'execute_tool'), attr('gen_ai.tool.name', spec.tool)],
      status: {},
    });
  }
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', spec.service ?? 'host-test-app')] },
        scopeSpans: [{ scope: { name: 'host-test' }, spans }],
      },
    ],
  };
  return { traceId, body: JSON.stringify(body) };
}
