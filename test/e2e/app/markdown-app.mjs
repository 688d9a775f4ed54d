// A small agent as a user would write it, run by the e2e suite as a child process on Node 22: the
// OpenTelemetry SDK exports over OTLP/HTTP protobuf; a chat span (GenAI semantic conventions,
// `gen_ai.input.messages` / `gen_ai.output.messages`) whose answer is markdown (a heading, bold,
// a list, a link, an image from the web, a code block and raw HTML a page must not run), then a
// tool span with its arguments and result (`gen_ai.tool.call.arguments` / `.result`).
// Env: SPYGLASS_URL. Prints one JSON line with the ids.
import { trace, SpanKind } from '@opentelemetry/api';
import { finishTracing, startTracing } from './otel.mjs';

const provider = startTracing('e2e-travel');
const tracer = trace.getTracer('e2e-travel-agent', '1.0.0');

const answer = [
  '## Your trip to Lisbon',
  '',
  'The weather will be **sunny** and *warm* all week.',
  '',
  '1. Visit the [Belém Tower](https://example.com/belem)',
  '2. Take tram `28` through Alfama',
  '',
  '![map of Lisbon](https://tracker.example/map.png)',
  '',
  '```json',
  '{ "city": "Lisbon", "days": 3 }',
  '```',
  '',
  '<img src=x onerror="document.title=\'pwned\'"> stays text.',
].join('\n');

const ids = await tracer.startActiveSpan('travel planner', { kind: SpanKind.INTERNAL }, async (root) => {
  const chat = tracer.startSpan('chat gpt-4o-mini', {
    kind: SpanKind.CLIENT,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 64,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Plan three days in Lisbon.' }] }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: answer }], finish_reason: 'stop' }]),
      'app.request.options': JSON.stringify({ temperature: 0.2, retry: { attempts: 3, backoffMs: [100, 400] }, tags: ['travel', 'e2e'] }),
    },
  });
  await new Promise((r) => setTimeout(r, 20));
  chat.end();
  const tool = tracer.startSpan('execute_tool get_weather', {
    kind: SpanKind.INTERNAL,
    attributes: {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'get_weather',
      'gen_ai.tool.call.id': 'call_lisbon_1',
      'gen_ai.tool.call.arguments': JSON.stringify({ city: 'Lisbon', days: 3, units: 'metric' }),
      'gen_ai.tool.call.result': JSON.stringify({ forecast: [{ day: 1, sky: 'sunny', maxC: 27 }, { day: 2, sky: 'sunny', maxC: 28 }] }),
    },
  });
  await new Promise((r) => setTimeout(r, 10));
  tool.end();
  root.end();
  return { traceId: root.spanContext().traceId, chatSpanId: chat.spanContext().spanId, toolSpanId: tool.spanContext().spanId };
});

await finishTracing(provider);
console.log(JSON.stringify(ids));
