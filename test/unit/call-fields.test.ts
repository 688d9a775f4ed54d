// A stored call's fields are declared once (call-fields.ts): the store's columns, the prepared
// batch's wire encoding, the insert and the API all follow the list. Shown here by adding a field
// the way a later change would, in one place, and watching it reach every one of them.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { fromWire, toWire } from '../../src/collector/prepared-wire';
import { emptyCall } from '../../src/core/conventions/call';
import type { PricedCall } from '../../src/core/model';
import { apiColumns, CALL_FIELDS, callArgs, callColumns, callFieldColumns, readCallFields, type CallField } from '../../src/store/call-fields';
import type { PreparedBatch, PreparedSpan } from '../../src/store/prepare';
import { addColumns } from '../../src/store/schema';
import { Store } from '../../src/store/store';

const call: PricedCall = {
  ...emptyCall('genai'), provider: 'openai', requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06', responseId: 'chatcmpl-42',
  inputTokens: 10, outputTokens: 0, costUsd: 0.001, costEstimated: true, ttftMs: 120.5,
};

describe('call fields', () => {
  it('match the columns of a new store', () => {
    const store = new Store(':memory:', null);
    const columns = store.db.prepare("SELECT name FROM pragma_table_info('llm_calls')").pluck().all() as string[];
    expect(columns).toEqual(expect.arrayContaining(callColumns(CALL_FIELDS)));
    store.close();
  });

  it('take a new field, declared once, to the columns, the wire, the insert and the API', () => {
    const responseId: CallField<string | null> = { column: 'response_id', kind: 'text', nullable: true, read: (c) => c.responseId, api: true };
    const fields = { ...CALL_FIELDS, responseId };

    const values = readCallFields(fields, call, { statusCode: 2 });
    expect(values).toMatchObject({ model: 'gpt-4o-2024-08-06', isError: true, costEstimated: true, outputTokens: 0, responseId: 'chatcmpl-42' });

    const span = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), parentSpanId: null, name: 'chat', kind: 3, startUs: 1, endUs: 2, statusCode: 2,
      statusMessage: '', resource: 0, scopeName: null, scopeVersion: null, category: 'llm', attributes: '{}', events: null, links: null,
      call: { ...values, json: '{}' }, sessionId: null, userId: null, inputPreview: null, outputPreview: null, searchText: '', logsUsed: 0, exchange: null, annotations: [] } as unknown as PreparedSpan;
    const batch: PreparedBatch = { resources: [], logs: [], annotations: [], spans: [span, { ...span, spanId: 'c'.repeat(16), call: null }] };
    expect(fromWire(structuredClone(toWire(batch, fields)), fields)).toEqual(batch);

    const db = new Database(':memory:');
    db.exec('CREATE TABLE llm_calls (span_row INTEGER PRIMARY KEY, call TEXT)');
    addColumns(db, 'llm_calls', callFieldColumns(fields));
    const columns = callColumns(fields);
    db.prepare(`INSERT INTO llm_calls (span_row, ${columns.join(', ')}, call) VALUES (1, ${columns.map(() => '?').join(', ')}, '{}')`)
      .run(...callArgs(fields, values));
    const api = apiColumns(fields, 'c');
    const row = db.prepare(`SELECT ${api.select} FROM llm_calls c`).get() as Record<string, unknown>;
    expect(api.fromRow(row)).toMatchObject({ responseId: 'chatcmpl-42', costEstimated: true, inputTokens: 10, ttftMs: 120.5 });
    expect(api.fromRow(row)).not.toHaveProperty('model');
    db.close();
  });
});
