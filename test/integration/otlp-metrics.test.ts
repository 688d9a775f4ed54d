// OTLP metrics from the real OpenTelemetry JS metric exporters (HTTP JSON, HTTP protobuf, gRPC)
// into a real collector: the GenAI client metrics are stored and summarised by /api/metrics/genai,
// cumulative histograms become deltas (nothing counted twice), other metrics are only counted,
// and a bad body gets a clear answer and loses nothing.
import { OTLPMetricExporter as GrpcExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Collector } from '../../src/collector/collector';
import type { GenAiMetricsDto } from '../../src/protocol/api';
import { post } from '../helpers/http-post';

let dir: string;
let collector: Collector;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-metrics-'));
  collector = await Collector.start({ httpPort: 0, grpcPort: 0, dbPath: path.join(dir, 'm.db'), prepareWorker: null, checkpointWorker: null });
});

afterAll(async () => {
  await collector?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function genai(query = ''): Promise<GenAiMetricsDto> {
  const res = await fetch(`http://127.0.0.1:${collector.httpPort}/api/metrics/genai${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as GenAiMetricsDto;
}

/** Records what a GenAI instrumentation records for two chat calls, then exports twice (cumulative). */
async function record(exporter: PushMetricExporter, service: string, model: string): Promise<void> {
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': service }), readers: [reader] });
  const meter = provider.getMeter('opentelemetry.instrumentation.openai_v2');
  const duration = meter.createHistogram('gen_ai.client.operation.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.01, 0.1, 0.5, 1, 2, 5] } });
  const tokens = meter.createHistogram('gen_ai.client.token.usage', { unit: '{token}', advice: { explicitBucketBoundaries: [1, 16, 256, 4096, 65536] } });
  const ttfc = meter.createHistogram('gen_ai.client.operation.time_to_first_chunk', { unit: 's' });
  const other = meter.createCounter('http.client.requests');
  const attrs = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': model, 'gen_ai.response.model': `${model}-2024` };
  duration.record(0.8, attrs);
  tokens.record(1200, { ...attrs, 'gen_ai.token.type': 'input' });
  tokens.record(80, { ...attrs, 'gen_ai.token.type': 'output' });
  ttfc.record(0.3, attrs);
  other.add(5);
  await reader.forceFlush();
  // A second call, then a second (cumulative) export: the stored figures must be 2 calls, not 3.
  duration.record(1.6, attrs);
  tokens.record(300, { ...attrs, 'gen_ai.token.type': 'input' });
  tokens.record(20, { ...attrs, 'gen_ai.token.type': 'output' });
  await reader.forceFlush();
  await provider.shutdown();
}

describe('OTLP metrics', () => {
  const cases: Array<[string, () => PushMetricExporter]> = [
    ['HTTP JSON', () => new JsonExporter({ url: `http://127.0.0.1:${collector.httpPort}/v1/metrics`, temporalityPreference: AggregationTemporality.CUMULATIVE })],
    ['HTTP protobuf', () => new ProtoExporter({ url: `http://127.0.0.1:${collector.httpPort}/v1/metrics`, temporalityPreference: AggregationTemporality.CUMULATIVE })],
    ['gRPC', () => new GrpcExporter({ url: `http://127.0.0.1:${collector.grpcPort}`, temporalityPreference: AggregationTemporality.CUMULATIVE })],
  ];
  for (const [label, make] of cases) {
    it(`stores the GenAI client metrics sent over ${label}, as deltas`, async () => {
      const model = `gpt-4o-${label.replace(/\W/g, '').toLowerCase()}`;
      await record(make(), `svc-${model}`, model);
      const dto = await genai(`?model=${model}-2024`);
      const byKey = (name: string, tokenType: string | null = null) => dto.series.find((s) => s.name === name && s.tokenType === tokenType)!;
      const dur = byKey('gen_ai.client.operation.duration');
      expect(dur).toMatchObject({ unit: 's', operation: 'chat', provider: 'openai', model: `${model}-2024`, service: `svc-${model}`, count: 2 });
      expect(dur.sum).toBeCloseTo(2.4, 9);
      expect(dur.p50).not.toBeNull();
      expect(dur.p50!).toBeGreaterThanOrEqual(0.5);
      expect(dur.p50!).toBeLessThanOrEqual(1.6);
      expect(byKey('gen_ai.client.token.usage', 'input')).toMatchObject({ count: 2, sum: 1500 });
      expect(byKey('gen_ai.client.token.usage', 'output')).toMatchObject({ count: 2, sum: 100 });
      expect(byKey('gen_ai.client.operation.time_to_first_chunk')).toMatchObject({ count: 1 });
      expect(dto.otherMetrics.find((m) => m.name === 'http.client.requests')?.points).toBeGreaterThanOrEqual(1);
    });
  }

  it('answers a body it cannot read with 400 and the reason, and keeps what it stored', async () => {
    const before = (await genai()).series.length;
    const json = { headers: { 'content-type': 'application/json' } };
    const bad = await post(collector.httpPort, '/v1/metrics', Buffer.from('{"resourceMetrics": ['), json);
    expect(bad.status).toBe(400);
    expect(bad.body.toString()).toMatch(/invalid JSON/);
    const partial = await post(
      collector.httpPort,
      '/v1/metrics',
      Buffer.from(JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'gen_ai.client.token.usage', unit: '{token}', histogram: { aggregationTemporality: 1, dataPoints: [{ count: '1' }, { timeUnixNano: String(Date.now() * 1e6), count: '1', sum: 7, bucketCounts: ['1'], explicitBounds: [] }] } }] }] }] })),
      json,
    );
    expect(partial.status).toBe(200);
    expect(JSON.parse(partial.body.toString())).toMatchObject({ partialSuccess: { rejectedDataPoints: '1' } });
    expect((await genai()).series.length).toBeGreaterThanOrEqual(before);
  });
});
