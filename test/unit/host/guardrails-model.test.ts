// The Guardrails view's grouping and words, and the configuration read from its two layers.
import { describe, expect, it } from 'vitest';
import { effectiveGuardrails } from '../../../src/host/guardrails/config-merge';
import { settingsLayer } from '../../../src/host/guardrails/config-model';
import { filterQuery, filterSummary, groupHits, hitRow, NO_FILTER } from '../../../src/host/guardrails/guardrails-tree-model';
import type { GuardrailListHit, GuardrailPage } from '../../../src/protocol/api';

const hit = (id: string, category: string, rule: string, over: Partial<GuardrailListHit> = {}): GuardrailListHit => ({
  id, rule, category, severity: 'medium', location: 'input', messageIndex: 0, partIndex: 0, start: 1, end: 5, explanation: 'E-mail address',
  source: 'rule:guardrails', traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), at: 1_000_000, spanName: 'chat gpt-4o-mini', model: 'gpt-4o-mini', ...over,
});

describe('Guardrails view model', () => {
  it('groups by category then rule, most hits first, and counts beyond the hits listed', () => {
    const page: GuardrailPage = {
      hits: [hit('1', 'pii', 'pii.email'), hit('2', 'secret', 'secret.openai'), hit('3', 'pii', 'pii.phone'), hit('4', 'pii', 'pii.email')],
      nextCursor: 'x',
      counts: { total: 12, byCategory: { pii: 10, secret: 2 }, byRule: { 'pii.email': 7, 'pii.phone': 3, 'secret.openai': 2 }, bySeverity: { medium: 12 } },
    };
    const groups = groupHits(page);
    expect(groups.map((g) => [g.category, g.count])).toEqual([['pii', 10], ['secret', 2]]);
    expect(groups[0]!.rules.map((r) => [r.rule, r.count, r.hits.map((h) => h.id)])).toEqual([['pii.email', 7, ['1', '4']], ['pii.phone', 3, ['3']]]);
  });

  it('says where a hit is and turns a filter into a query', () => {
    const row = hitRow(hit('1', 'injection', 'injection.hidden-text', { messageIndex: 2, explanation: 'Hidden instructions', severity: 'high' }), 1_000_000 + 120_000);
    expect(row.label).toBe('Hidden instructions in input message 3');
    expect(row.description).toBe('chat gpt-4o-mini · 2 min ago');
    expect(row.tooltip).toContain('injection.hidden-text (Prompt injection, high)');
    expect(hitRow(hit('2', 'truncation', 'truncation.empty', { location: 'output', messageIndex: null, partIndex: null }), 0).label).toContain('in output');
    expect(filterQuery(NO_FILTER, 5_000_000, 500)).toEqual({ limit: 500 });
    const f = { categories: ['pii', 'secret'], rules: [], severities: ['high'], withinMs: 3_600_000 };
    expect(filterQuery(f, 5_000_000, 100)).toEqual({ limit: 100, category: 'pii,secret', severity: 'high', from: 1_400_000 });
    expect(filterSummary(f)).toBe('Personal data (PII), Secrets, high severity, last hour');
  });
});

describe('guardrails configuration layers', () => {
  const reader = (values: Record<string, unknown>) => (key: string) => values[key];

  it('takes only what the user set from settings (on is the default), and the workspace file over it', () => {
    expect(settingsLayer(reader({ 'guardrails.enabled': true, 'guardrails.rules': {}, 'guardrails.allow': {}, 'guardrails.customRules': [] }))).toEqual({});
    const e = effectiveGuardrails(reader({ 'guardrails.rules': { pii: 'low' }, 'guardrails.allow': { emailDomains: ['test.example'] }, 'guardrails.privacyMode': true }), [
      { path: '.spyglass/guardrails.json', text: JSON.stringify({ $schema: './x.json', rules: { pii: { enabled: false } }, allow: { emailDomains: ['corp.example'] } }) },
    ]);
    expect(e.errors).toEqual([]);
    expect(e.privacyMode).toBe(true);
    expect(e.config).toEqual({ rules: { pii: { severity: 'low', enabled: false } }, allow: { emailDomains: ['test.example', 'corp.example'] } });
  });

  it('leaves out a layer with errors and says what is wrong, without turning the checks off', () => {
    const e = effectiveGuardrails(reader({ 'guardrails.rules': { secret: 'high' } }), [
      { path: 'a/.spyglass/guardrails.json', text: '{ "rules": ' },
      { path: 'b/.spyglass/guardrails.json', text: JSON.stringify({ customRules: [{ id: 'x', pattern: '(', category: 'pii' }] }) },
    ]);
    expect(e.config).toEqual({ rules: { secret: { severity: 'high' } } });
    expect(e.errors).toEqual([expect.stringMatching(/^a\/\.spyglass\/guardrails\.json: not JSON/), expect.stringMatching(/^b\/\.spyglass\/guardrails\.json: customRules\.0\.pattern/)]);
  });
});
