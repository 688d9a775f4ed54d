// The OpenTelemetry SDK as the e2e apps set it up, as an app's own code would: a tracer provider
// for one service, exporting batches over OTLP/HTTP protobuf to Spyglass (SPYGLASS_URL).
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** Spyglass's base URL (http://127.0.0.1:<port>), which every app is given. */
export function spyglassUrl() {
  const base = process.env.SPYGLASS_URL;
  if (!base) throw new Error('SPYGLASS_URL is required');
  return base;
}

/** The resource of the app's service. */
export function serviceResource(serviceName) {
  return resourceFromAttributes({ 'service.name': serviceName });
}

/** A registered tracer provider for `serviceName` that exports to Spyglass. */
export function startTracing(serviceName) {
  const provider = new NodeTracerProvider({
    resource: serviceResource(serviceName),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${spyglassUrl()}/v1/traces` }))],
  });
  provider.register();
  return provider;
}

/**
 * Exports what is left and shuts the provider down. Returns when the export was answered (once
 * forceFlush resolves, the spans have arrived).
 */
export async function finishTracing(provider) {
  await provider.forceFlush();
  const exportedAt = Date.now();
  await provider.shutdown();
  return exportedAt;
}
