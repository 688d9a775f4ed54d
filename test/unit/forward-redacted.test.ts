// Privacy mode with forwarding: the batch as stored (redacted) is encoded again as OTLP/JSON by
// the export's encoder, and what a backend decodes from it is what the store holds: every span and
// log record, with placeholders instead of the originals.
import { describe, expect, it } from 'vitest';
import { decodeOtlp } from '../../src/capture/otlp/ingest';
import { createAnalyzer } from '../../src/collector/analyzer';
import { redactedOtlpBodies } from '../../src/collector/forward-redacted';
import { prepareOtlpUnder } from '../../src/collector/prepare-otlp';
import { spanFromColumns } from '../../src/store/prepare';
import { jsonBody, logsRequestJson, traceRequestJson } from './otlp/fixtures';

const EMAIL = 'mira.castellanos@ridgeline-mail.net';

function withEmail<T>(json: T): T {
  // Every string value of the fixture gets the address: attributes, event attributes, log bodies.
  return JSON.parse(JSON.stringify(json).replace(/"stringValue":"([^"]*)"/g, `"stringValue":"$1, write to ${EMAIL}"`)) as T;
}

describe('redactedOtlpBodies', () => {
  const { analyzer } = createAnalyzer([]);
  const policy = { storeContent: true, privacy: {} };

  it('encodes the stored spans again: a backend decodes the same spans, with placeholders', async () => {
    const { batch } = await prepareOtlpUnder({ signal: 'traces', encoding: 'json', body: jsonBody(withEmail(traceRequestJson())) }, analyzer, policy);
    expect(batch.spans.length).toBeGreaterThan(1);
    const bodies = redactedOtlpBodies(batch);
    expect(bodies.map((b) => b.signal)).toEqual(['traces']);
    const text = new TextDecoder().decode(bodies[0]!.body);
    expect(text).not.toContain(EMAIL);
    expect(text).toContain('[EMAIL]');
    const decoded = decodeOtlp({ signal: 'traces', encoding: 'json', body: bodies[0]!.body });
    expect(decoded.errors).toEqual([]);
    const storedSpans = batch.spans.map((p) => spanFromColumns(p, batch.resources[p.resource]!.json));
    // Times are whole microseconds in the store.
    expect(decoded.batch.spans).toEqual(storedSpans);
  });

  it('encodes the stored log records again, bodies redacted', async () => {
    const { batch } = await prepareOtlpUnder({ signal: 'logs', encoding: 'json', body: jsonBody(withEmail(logsRequestJson())) }, analyzer, policy);
    expect(batch.logs.length).toBeGreaterThan(0);
    const bodies = redactedOtlpBodies(batch);
    expect(bodies.map((b) => b.signal)).toEqual(['logs']);
    const text = new TextDecoder().decode(bodies[0]!.body);
    expect(text).not.toContain(EMAIL);
    expect(text).toContain('[EMAIL]');
    const decoded = decodeOtlp({ signal: 'logs', encoding: 'json', body: bodies[0]!.body });
    expect(decoded.errors).toEqual([]);
    expect(decoded.batch.logs).toEqual(batch.logs);
  });

  it('has nothing to send for an empty batch', () => {
    expect(redactedOtlpBodies({ resources: [], spans: [], logs: [], annotations: [] })).toEqual([]);
  });
});
