// Realistic LLM-application traces for the benchmarks, as canonical IngestSpans.
// One trace is what an agent endpoint emits per request (8–12 spans, about 10 on average):
// an HTTP server root, an agent span, an embeddings call and a vector-store query, two or three
// chat calls with GenAI messages of a few hundred bytes (system instructions, user question,
// tool calls and tool results), the tool spans with an outgoing HTTP call, and a formatting step.
// Attribute names follow the current OpenTelemetry GenAI semantic conventions, as the
// openai-v2 / anthropic instrumentations send them (messages as JSON strings).

import type { Attributes, IngestSpan } from '../../src/core/model';
import { Rng } from './rng';

/** Bump when the generated data changes, so cached benchmark databases are rebuilt. */
export const GENERATOR_VERSION = 1;

const WORDS = (
  'order refund shipping invoice account password reset delivery tracking warranty return policy ' +
  'customer support agent billing subscription upgrade downgrade cancel renewal discount coupon ' +
  'payment card declined address update email phone verification identity security login error ' +
  'timeout latency region database cluster backup restore migration schema index query report ' +
  'dashboard export import document summary translation language english german french spanish ' +
  'model prompt response token context window retrieval vector embedding search ranking result ' +
  'please thanks quickly today tomorrow yesterday week month status pending shipped delivered ' +
  'damaged missing replacement exchange store pickup warehouse inventory product size colour ' +
  'the a an and or but with without for from to into about after before because while during ' +
  'can could would should will must may might need want know think see help tell show find check'
).split(/\s+/);

function text(rng: Rng, minWords: number, maxWords: number): string {
  const n = rng.int(minWords, maxWords);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(rng.pick(WORDS));
  const s = out.join(' ');
  return s[0]!.toUpperCase() + s.slice(1) + '.';
}

interface ChatModel {
  provider: string;
  model: string;
  responseModel: string;
  scope: string;
  weight: number;
}

const CHAT_MODELS: ChatModel[] = [
  { provider: 'openai', model: 'gpt-4o-mini', responseModel: 'gpt-4o-mini-2024-07-18', scope: 'opentelemetry.instrumentation.openai_v2', weight: 0.5 },
  { provider: 'openai', model: 'gpt-4.1', responseModel: 'gpt-4.1-2025-04-14', scope: 'opentelemetry.instrumentation.openai_v2', weight: 0.2 },
  { provider: 'anthropic', model: 'claude-sonnet-4-5', responseModel: 'claude-sonnet-4-5-20250929', scope: 'opentelemetry.instrumentation.anthropic', weight: 0.3 },
];

const SERVICES = ['support-bot', 'docs-assistant', 'order-agent'];

const RESOURCES: Record<string, Attributes> = Object.fromEntries(
  SERVICES.map((name, i) => [
    name,
    {
      'service.name': name,
      'service.version': `1.${4 + i}.0`,
      'deployment.environment.name': 'development',
      'telemetry.sdk.name': 'opentelemetry',
      'telemetry.sdk.language': 'python',
      'telemetry.sdk.version': '1.38.0',
      'host.name': 'dev-laptop',
      'process.pid': 41000 + i,
    },
  ]),
);

const TOOLS = ['lookup_order', 'search_kb', 'get_weather', 'create_ticket', 'refund_payment'];

function pickModel(rng: Rng): ChatModel {
  let r = rng.next();
  for (const m of CHAT_MODELS) {
    if ((r -= m.weight) < 0) return m;
  }
  return CHAT_MODELS[0]!;
}

interface Ctx {
  rng: Rng;
  traceId: string;
  resource: Attributes;
  spans: IngestSpan[];
}

function addSpan(ctx: Ctx, parent: string | null, name: string, kind: number, startUs: number, durUs: number,
  attributes: Attributes, scope: string, error = false): IngestSpan {
  const span: IngestSpan = {
    traceId: ctx.traceId,
    spanId: ctx.rng.hex(8),
    parentSpanId: parent,
    name,
    kind,
    startUs: Math.round(startUs),
    endUs: Math.round(startUs + Math.max(1, durUs)),
    statusCode: error ? 2 : 0,
    statusMessage: error ? 'Error code: 429 - rate limit exceeded' : '',
    attributes,
    events: [],
    links: [],
    resource: ctx.resource,
    scope: { name: scope, version: '0.4b0' },
  };
  ctx.spans.push(span);
  return span;
}

type Msg = { role: string; parts: Record<string, unknown>[]; finish_reason?: string };

/** One chat call span; returns its end time. */
function chatCall(ctx: Ctx, parent: string, startUs: number, model: ChatModel, system: string, history: Msg[], output: Msg): number {
  const { rng } = ctx;
  const durUs = rng.logNormal(900_000, 0.6);
  const error = rng.chance(0.02);
  const inputTokens = rng.int(300, 2500);
  const outputTokens = rng.int(20, 400);
  const attrs: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': model.provider,
    'gen_ai.request.model': model.model,
    'gen_ai.request.temperature': 0.2,
    'gen_ai.request.max_tokens': 1024,
    'server.address': model.provider === 'openai' ? 'api.openai.com' : 'api.anthropic.com',
    'server.port': 443,
    'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: system }]),
    'gen_ai.input.messages': JSON.stringify(history),
  };
  if (error) {
    attrs['error.type'] = 'RateLimitError';
  } else {
    attrs['gen_ai.response.model'] = model.responseModel;
    attrs['gen_ai.response.id'] = `chatcmpl-${rng.hex(12)}`;
    attrs['gen_ai.response.finish_reasons'] = [output.finish_reason ?? 'stop'];
    attrs['gen_ai.usage.input_tokens'] = inputTokens;
    attrs['gen_ai.usage.output_tokens'] = outputTokens;
    attrs['gen_ai.output.messages'] = JSON.stringify([output]);
    if (rng.chance(0.5)) attrs['gen_ai.response.time_to_first_chunk'] = Math.round(rng.logNormal(0.35, 0.5) * 1000) / 1000;
  }
  addSpan(ctx, parent, `chat ${model.model}`, 3, startUs, durUs, attrs, model.scope, error);
  return startUs + durUs;
}

/** One trace of about 10 spans starting at `startUs`. */
export function generateTrace(rng: Rng, startUs: number): IngestSpan[] {
  const service = rng.pick(SERVICES);
  const ctx: Ctx = { rng, traceId: rng.hex(16), resource: RESOURCES[service]!, spans: [] };
  const model = pickModel(rng);
  const sessionId = `sess-${rng.int(1, 5000)}`;
  const question = text(rng, 25, 50);
  const system = `You are the ${service} assistant. ${text(rng, 20, 40)}`;

  const root = addSpan(ctx, null, 'POST /api/chat', 2, startUs, 0, {
    'http.request.method': 'POST',
    'url.path': '/api/chat',
    'url.scheme': 'http',
    'http.route': '/api/chat',
    'http.response.status_code': 200,
    'user_agent.original': 'Mozilla/5.0',
    'session.id': sessionId,
  }, 'opentelemetry.instrumentation.fastapi');
  let t = startUs + rng.int(200, 2000);
  const agent = addSpan(ctx, root.spanId, `invoke_agent ${service}`, 1, t, 0, {
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.agent.name': service,
    'gen_ai.conversation.id': sessionId,
  }, 'app.agent');

  const embDur = rng.logNormal(80_000, 0.4);
  addSpan(ctx, agent.spanId, 'embeddings text-embedding-3-small', 3, t, embDur, {
    'gen_ai.operation.name': 'embeddings',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'text-embedding-3-small',
    'gen_ai.response.model': 'text-embedding-3-small',
    'gen_ai.usage.input_tokens': rng.int(20, 80),
    'server.address': 'api.openai.com',
  }, 'opentelemetry.instrumentation.openai_v2');
  t += embDur;
  const dbDur = rng.logNormal(6_000, 0.5);
  addSpan(ctx, agent.spanId, 'SELECT documents', 3, t, dbDur, {
    'db.system.name': 'postgresql',
    'db.collection.name': 'documents',
    'db.operation.name': 'SELECT',
    'db.query.text': 'SELECT id, body FROM documents ORDER BY embedding <-> $1 LIMIT 5',
    'server.address': 'localhost',
  }, 'opentelemetry.instrumentation.psycopg');
  t += dbDur;

  const history: Msg[] = [{ role: 'user', parts: [{ type: 'text', content: `${question}\n\nContext: ${text(rng, 20, 45)}` }] }];
  const rounds = rng.chance(0.5) ? 2 : 1;
  for (let round = 0; round < rounds; round++) {
    const tool = rng.pick(TOOLS);
    const callId = `call_${rng.hex(8)}`;
    const args = { query: text(rng, 3, 8), limit: rng.int(1, 10) };
    const toolCall: Msg = { role: 'assistant', parts: [{ type: 'tool_call', id: callId, name: tool, arguments: args }], finish_reason: 'tool_calls' };
    t = chatCall(ctx, agent.spanId, t, model, system, history, toolCall);
    history.push(toolCall);

    const toolDur = rng.logNormal(60_000, 0.7);
    const toolSpan = addSpan(ctx, agent.spanId, `execute_tool ${tool}`, 1, t, toolDur, {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': tool,
      'gen_ai.tool.call.id': callId,
      'gen_ai.tool.type': 'function',
      'gen_ai.tool.call.arguments': JSON.stringify(args),
    }, 'app.tools');
    addSpan(ctx, toolSpan.spanId, 'GET', 3, t + 500, toolDur * 0.8, {
      'http.request.method': 'GET',
      'url.full': `https://internal.example/api/${tool}?q=${rng.int(1, 99999)}`,
      'http.response.status_code': 200,
      'server.address': 'internal.example',
    }, 'opentelemetry.instrumentation.httpx');
    t += toolDur;
    history.push({ role: 'tool', parts: [{ type: 'tool_call_response', id: callId, response: text(rng, 15, 40) }] });
  }
  const answer: Msg = { role: 'assistant', parts: [{ type: 'text', content: text(rng, 30, 70) }], finish_reason: 'stop' };
  t = chatCall(ctx, agent.spanId, t, model, system, history, answer);
  const fmtDur = rng.logNormal(1_500, 0.5);
  addSpan(ctx, agent.spanId, 'format_response', 1, t, fmtDur, { 'app.response.chars': 400 }, 'app.agent');
  t += fmtDur;

  agent.endUs = Math.round(t);
  root.endUs = Math.round(t + rng.int(200, 1500));
  return ctx.spans;
}

export interface SpanStreamOptions {
  seed: number;
  /** Spans wanted (whole traces: the last trace may overshoot by a few). */
  spans: number;
  /** First trace start and the mean gap between trace starts. */
  startUs: number;
  gapUs: number;
}

/** Traces in start order, yielded as arrays of whole traces of about `batchSpans` spans. */
export function* spanBatches(opts: SpanStreamOptions & { batchSpans: number }): Generator<IngestSpan[]> {
  const rng = new Rng(opts.seed);
  let produced = 0;
  let t = opts.startUs;
  let batch: IngestSpan[] = [];
  while (produced < opts.spans) {
    const trace = generateTrace(rng, t);
    // Exponential gaps: arrivals of independent requests.
    t += Math.max(1, Math.round(-Math.log(1 - rng.next()) * opts.gapUs));
    produced += trace.length;
    batch.push(...trace);
    if (batch.length >= opts.batchSpans) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/**
 * Fixed-size batches as an exporter's BatchSpanProcessor sends them (512 spans each): a batch
 * boundary may cut a trace in two, as it does in real exports.
 */
export function exporterBatches(opts: SpanStreamOptions & { batchSpans: number }): IngestSpan[][] {
  const all: IngestSpan[] = [];
  for (const b of spanBatches({ ...opts, batchSpans: 4096 })) all.push(...b);
  all.length = Math.min(all.length, opts.spans);
  const out: IngestSpan[][] = [];
  for (let i = 0; i < all.length; i += opts.batchSpans) out.push(all.slice(i, i + opts.batchSpans));
  return out;
}
