import { describe, expect, it } from 'vitest';
import { redactBatch, redactDeep, redactionConfig, runGuardrails, resolveGuardrailsConfig } from '../../../src/core/guardrails';
import type { IngestBatch, IngestSpan } from '../../../src/core/model';
import { call } from './helpers';

const config = redactionConfig();

describe('redacting captured values (privacy mode)', () => {
  it('redacts inside JSON held in a string, which stays JSON with the rest as it was', async () => {
    const messages = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'mail me: kai.berg@fjordline-mail.no' }] }, { role: 'tool', parts: [{ type: 'tool_call_response', response: '{"token":"ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"}' }] }]);
    const out = await redactDeep({ 'gen_ai.input.messages': messages, 'gen_ai.request.model': 'gpt-4o', n: 3 }, config);
    const parsed = JSON.parse(out['gen_ai.input.messages']);
    expect(parsed[0].parts[0].content).toBe('mail me: [EMAIL]');
    expect(JSON.parse(parsed[1].parts[0].response)).toEqual({ token: '[SECRET:github]' });
    expect(out['gen_ai.request.model']).toBe('gpt-4o');
    expect(out.n).toBe(3);
  });

  it('returns what holds nothing private as the very same objects', async () => {
    const v = { a: ['plain words here', { b: 'nothing to see' }], c: 'x' };
    expect(await redactDeep(v, config)).toBe(v);
  });

  it('keeps the allow-list: an allowed test domain is stored as it came', async () => {
    const allowing = redactionConfig({ allow: { emailDomains: ['example.com'] }, rules: { injection: true } });
    expect(await redactDeep(['qa@example.com and ops@harbor-logistics.de'], allowing)).toEqual(['qa@example.com and [EMAIL]']);
  });

  it('redacts span names, status messages, events, logs and resources, and a resource shared by spans stays shared', async () => {
    const resource = { 'service.name': 'svc', 'host.owner': 'ines.duarte@lisbon-freight.pt' };
    const span = (id: string): IngestSpan => ({
      traceId: 'a'.repeat(32), spanId: id.repeat(16), parentSpanId: null, name: 'chat', kind: 3, startUs: 1, endUs: 2, statusCode: 2,
      statusMessage: 'quota exceeded for ines.duarte@lisbon-freight.pt', attributes: {}, links: [], resource, scope: { name: 's' },
      events: [{ timeUs: 1, name: 'gen_ai.user.message', attributes: { content: 'card 4539 1488 0343 6467 please' } }],
    });
    const batch: IngestBatch = {
      spans: [span('1'), span('2')],
      logs: [{ timeUs: 1, observedTimeUs: 1, traceId: null, spanId: null, severityNumber: 9, severityText: '', eventName: 'x', body: { content: 'SSN 078-05-1120' }, attributes: {}, resource, scope: { name: 's' } }],
    };
    const out = await redactBatch(batch, config);
    expect(out.spans[0]!.statusMessage).toBe('quota exceeded for [EMAIL]');
    expect(out.spans[0]!.events[0]!.attributes.content).toBe('card [CARD] please');
    expect(out.spans[0]!.resource).toEqual({ 'service.name': 'svc', 'host.owner': '[EMAIL]' });
    expect(out.spans[1]!.resource).toBe(out.spans[0]!.resource);
    expect(out.logs[0]!.resource).toBe(out.spans[0]!.resource);
    expect(out.logs[0]!.body).toEqual({ content: 'SSN [SSN]' });
    expect(out.spans[0]!.traceId).toBe('a'.repeat(32));
  });

  it('reads placeholders as hits only in privacy mode', async () => {
    const c = call({ user: 'Reply to [EMAIL] with key [SECRET:openai] and [SOMETHING]', output: 'Sure.' });
    const resolved = resolveGuardrailsConfig();
    expect(await runGuardrails(c, resolved)).toEqual([]);
    const hits = await runGuardrails(c, resolved, { redacted: true });
    expect(hits.map((h) => [h.rule, h.category, h.location.start, h.location.end])).toEqual([
      ['pii.email', 'pii', 9, 16],
      ['secret.openai', 'secret', 26, 41],
    ]);
    // A family switched off stays off.
    expect(await runGuardrails(c, resolveGuardrailsConfig({ rules: { pii: false } }), { redacted: true })).toHaveLength(1);
  });
});
