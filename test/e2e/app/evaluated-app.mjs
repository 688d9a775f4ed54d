// An LLM app that grades its own answers, as apps using the OpenTelemetry GenAI evaluation events
// do; run by the annotations e2e suite as a child process on Node 22.
//   default: one agent trace with a GenAI chat span that carries a `gen_ai.evaluation.result`
//            span event (OTLP/HTTP protobuf). Prints {traceId, chatSpanId, exportedAt}.
//   EVALUATE_LATER=1 with TRACE_ID and SPAN_ID: a second evaluation of that call, sent later as an
//            OTLP log record (the event API) in the call's trace context. Prints {exportedAt}.
// Env: SPYGLASS_URL (http://127.0.0.1:<port>).
import { context, trace, SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { finishTracing, serviceResource, spyglassUrl, startTracing } from './otel.mjs';

const base = spyglassUrl();
const service = 'e2e-support';

if (process.env.EVALUATE_LATER) {
  const traceId = process.env.TRACE_ID;
  const spanId = process.env.SPAN_ID;
  if (!traceId || !spanId) throw new Error('TRACE_ID and SPAN_ID are required');
  const logs = new LoggerProvider({ resource: serviceResource(service), processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${base}/v1/logs` }) })] });
  const callContext = trace.setSpanContext(context.active(), { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  logs.getLogger('e2e-support-evals', '1.0.0').emit({
    eventName: 'gen_ai.evaluation.result',
    context: callContext,
    attributes: {
      'gen_ai.evaluation.name': 'groundedness',
      'gen_ai.evaluation.score.value': 0.92,
      'gen_ai.evaluation.score.label': 'grounded',
      'gen_ai.evaluation.explanation': 'Every claim is backed by the order record.',
    },
  });
  await logs.forceFlush();
  const exportedAt = Date.now();
  await logs.shutdown();
  process.stdout.write(`${JSON.stringify({ exportedAt })}\n`);
} else {
  const provider = startTracing(service);
  const tracer = trace.getTracer('e2e-support-agent', '1.0.0');
  const question = 'Can I get a refund for order #2077?';
  const answer = 'Your parcel ships on Monday.';
  const result = await tracer.startActiveSpan('e2e support agent', { kind: SpanKind.INTERNAL }, async (root) => {
    const chat = tracer.startSpan('chat gpt-4o-mini', {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.response.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 58,
        'gen_ai.usage.output_tokens': 9,
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: question }] }]),
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: answer }], finish_reason: 'stop' }]),
      },
    });
    // The app's own judge grades the answer, on the span it judged (GenAI evaluation event).
    chat.addEvent('gen_ai.evaluation.result', {
      'gen_ai.evaluation.name': 'relevance',
      'gen_ai.evaluation.score.value': 0.12,
      'gen_ai.evaluation.score.label': 'irrelevant',
      'gen_ai.evaluation.explanation': 'The user asked about a refund; the answer is about shipping.',
    });
    chat.end();
    root.setStatus({ code: SpanStatusCode.OK });
    root.end();
    return { traceId: root.spanContext().traceId, chatSpanId: chat.spanContext().spanId };
  });
  const exportedAt = await finishTracing(provider);
  process.stdout.write(`${JSON.stringify({ ...result, exportedAt })}\n`);
}
