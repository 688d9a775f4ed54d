// A small LLM app as a user would write it, run by the e2e suite as a child process on Node 22:
// - the OpenTelemetry SDK exports its spans as OTLP/HTTP protobuf to Spyglass;
// - an agent span holds a GenAI chat span (current semantic conventions);
// - the official openai client calls the provider through Spyglass's recording proxy, once
//   inside the agent span (W3C traceparent header, so the proxy span joins the trace) and once
//   streamed with no trace context (a separate trace, as for an app with no instrumentation).
// Env: SPYGLASS_URL (http://127.0.0.1:<port>). Prints one JSON line with what it did.
import { context, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import OpenAI from 'openai';
import { finishTracing, spyglassUrl, startTracing } from './otel.mjs';

const base = spyglassUrl();
const provider = startTracing('e2e-shop');
const tracer = trace.getTracer('e2e-shop-agent', '1.0.0');

const question = 'Where is my order #1042?';
const instrumentedAnswer = 'Your order ships tomorrow.';

const result = await tracer.startActiveSpan('e2e checkout agent', { kind: SpanKind.INTERNAL }, async (root) => {
  const sc = root.spanContext();

  // What an instrumentation library records for a chat call (GenAI semantic conventions).
  const chat = tracer.startSpan('chat gpt-4o-mini', {
    kind: SpanKind.CLIENT,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 42,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: question }] }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: instrumentedAnswer }], finish_reason: 'stop' }]),
    },
  });
  chat.end();

  // The same app calling the provider through the proxy, inside its own trace.
  const traceparent = `00-${sc.traceId}-${sc.spanId}-01`;
  const joined = new OpenAI({ baseURL: `${base}/proxy/openai/v1`, apiKey: 'sk-e2e-not-a-real-key', defaultHeaders: { traceparent } });
  const completion = await joined.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are the shop assistant.' },
      { role: 'user', content: question },
    ],
  });
  root.setStatus({ code: SpanStatusCode.OK });
  root.end();
  return { traceId: sc.traceId, proxiedAnswer: completion.choices[0]?.message?.content ?? null };
});

// An uninstrumented call: streamed, no trace context, so the proxy starts a trace of its own.
const plain = await context.with(trace.deleteSpan(context.active()), async () => {
  const client = new OpenAI({ baseURL: `${base}/proxy/openai/v1`, apiKey: 'sk-e2e-not-a-real-key' });
  const stream = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Say hello in three words.' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  return text;
});

const exportedAt = await finishTracing(provider);
process.stdout.write(`${JSON.stringify({ ...result, streamedAnswer: plain, exportedAt })}\n`);
