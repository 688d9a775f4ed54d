import { describe, expect, it } from 'vitest';
import {
  decodeLogsJson,
  decodeLogsProtobuf,
  decodeTracesJson,
  decodeTracesProtobuf,
  OtlpDecodeError,
  WARNINGS_ATTRIBUTE,
} from '../../../src/capture/otlp';
import { decodeTracesProtobufWithSchema } from '../../../src/capture/otlp/decode-protobuf-schema';
import { encodeLogsRequest, encodeTraceRequest, jsonBody, oneSpan, ROOT_SPAN_ID, TRACE_ID, traceRequestJson } from './fixtures';

/**
 * Decodes one request in both encodings, which must agree on everything but the wording of
 * rejection reasons (each names fields as its own encoding spells them).
 */
function both(json: Record<string, unknown>, opts?: { maxStringChars?: number }) {
  const p = decodeTracesProtobuf(encodeTraceRequest(json), opts);
  const j = decodeTracesJson(jsonBody(json), opts);
  expect({ ...p, errors: p.errors.length }).toEqual({ ...j, errors: j.errors.length });
  return p;
}

describe('span validation', () => {
  it.each([
    ['trace id of the wrong length', { traceId: 'abcdef' }, 'trace_id must be 16 bytes, got 3'],
    ['span id of the wrong length', { spanId: 'abcdef0123456789ab' }, 'span_id must be 8 bytes, got 9'],
    ['all-zero trace id', { traceId: '0'.repeat(32) }, 'trace_id is all zeros'],
    ['all-zero span id', { spanId: '0'.repeat(16) }, 'span_id is all zeros'],
    ['missing trace id', { traceId: '' }, 'trace_id is missing'],
    ['parent id of the wrong length', { parentSpanId: 'abcd' }, 'parent_span_id must be 8 bytes or empty, got 2'],
    ['missing start time', { startTimeUnixNano: '0' }, 'start_time_unix_nano is missing'],
  ])('rejects a span with a %s, keeping the others', (_name, fields, reason) => {
    const json = traceRequestJson();
    const good = (json.resourceSpans as { scopeSpans: { spans: unknown[] }[] }[])[0]!.scopeSpans[0]!.spans;
    const bad = (oneSpan(fields).resourceSpans as { scopeSpans: { spans: unknown[] }[] }[])[0]!.scopeSpans[0]!.spans[0];
    good.push(bad);
    const p = decodeTracesProtobuf(encodeTraceRequest(json));
    const j = decodeTracesJson(jsonBody(json));
    for (const r of [p, j]) {
      expect(r.batch.spans).toHaveLength(2);
      expect(r.rejectedSpans).toBe(1);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toContain('span "one"');
      const inProtoNames = r.errors[0]!.replace('parentSpanId', 'parent_span_id').replace('traceId', 'trace_id').replace('spanId', 'span_id');
      expect(inProtoNames).toContain(reason);
    }
  });

  it('treats an all-zero parent id as no parent', () => {
    const r = both(oneSpan({ parentSpanId: '0'.repeat(16) }));
    expect(r.rejectedSpans).toBe(0);
    expect(r.batch.spans[0]!.parentSpanId).toBeNull();
  });

  it('clamps an end before the start to the start and says so on the span and in the answer', () => {
    const r = both(oneSpan({ startTimeUnixNano: '1700000005000000000', endTimeUnixNano: '1700000004000000000' }));
    const span = r.batch.spans[0]!;
    expect(span.startUs).toBe(1_700_000_005_000_000);
    expect(span.endUs).toBe(span.startUs);
    expect(span.attributes[WARNINGS_ATTRIBUTE]).toEqual(['end_time_unix_nano is 1000000 µs before start_time_unix_nano; end set to start']);
    expect(r.rejectedSpans).toBe(0);
    expect(r.warnings[0]).toMatch(/^span "one" \(eee19b7ec3c1b174\): end_time_unix_nano is 1000000 µs before/);
  });

  it('clamps a missing end to the start', () => {
    const r = both(oneSpan({ endTimeUnixNano: '0' }));
    expect(r.batch.spans[0]!.endUs).toBe(r.batch.spans[0]!.startUs);
    expect(r.warnings).toHaveLength(1);
  });

  it('rejects times too large for exact microseconds', () => {
    const r = both(oneSpan({ endTimeUnixNano: '18446744073709551615' }));
    expect(r.rejectedSpans).toBe(1);
    expect(r.errors[0]).toContain('end_time_unix_nano is out of range');
  });

  it('cuts a multi-megabyte attribute to the configured size and marks the cut', () => {
    const huge = 'x'.repeat(3 * 1024 * 1024);
    const r = both(oneSpan({ attributes: [{ key: 'gen_ai.input.messages', value: { stringValue: huge } }, { key: 'ok', value: { stringValue: 'small' } }] }));
    const attrs = r.batch.spans[0]!.attributes;
    expect((attrs['gen_ai.input.messages'] as string).length).toBe(1024 * 1024);
    expect(attrs.ok).toBe('small');
    expect(attrs[WARNINGS_ATTRIBUTE]).toEqual(['attribute "gen_ai.input.messages" truncated from 3145728 to 1048576 characters']);
    expect(r.warnings).toHaveLength(1);

    const small = both(oneSpan({ attributes: [{ key: 'k', value: { arrayValue: { values: [{ stringValue: '😀😀😀' }] } } }] }), { maxStringChars: 3 });
    // never splits a surrogate pair
    expect(small.batch.spans[0]!.attributes.k).toEqual(['😀']);
  });

  it('keeps strings with invalid UTF-8, with replacement characters and a warning', () => {
    const body = encodeTraceRequest(oneSpan({ name: 'AAAA', attributes: [{ key: 'k', value: { stringValue: 'BBBB' } }] }));
    body[body.indexOf('AAAA')] = 0xff;
    body[body.indexOf('BBBB') + 1] = 0xc3; // a lead byte with no continuation
    const r = decodeTracesProtobuf(body);
    expect(r.rejectedSpans).toBe(0);
    expect(r.batch.spans[0]!.name).toBe('\uFFFDAAA');
    expect(r.batch.spans[0]!.attributes.k).toBe('B\uFFFDBB');
    expect(r.warnings).toEqual(['2 string field(s) held invalid UTF-8; each bad sequence was stored as U+FFFD']);

    const json = jsonBody(oneSpan({ name: 'AAAA' }));
    json[json.indexOf('AAAA')] = 0xfe;
    const j = decodeTracesJson(json);
    expect(j.batch.spans[0]!.name).toBe('\uFFFDAAA');
    expect(j.warnings).toEqual(['body held invalid UTF-8; each bad sequence was stored as U+FFFD']);
  });

  it('reads unknown kinds and status codes as unspecified, with a warning', () => {
    const r = both(oneSpan({ kind: 9, status: { code: 7 } }));
    expect(r.batch.spans[0]).toMatchObject({ kind: 0, statusCode: 0 });
    expect(r.batch.spans[0]!.attributes[WARNINGS_ATTRIBUTE]).toHaveLength(2);
  });

  it('caps the list of reasons but counts every rejection', () => {
    const spans = Array.from({ length: 50 }, (_, i) => ({ traceId: 'ab', spanId: ROOT_SPAN_ID, name: `s${i}`, startTimeUnixNano: '1' }));
    const r = both({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
    expect(r.rejectedSpans).toBe(50);
    expect(r.errors).toHaveLength(21);
    expect(r.errors[20]).toBe('… and 30 more');
  });
});

describe('JSON field types', () => {
  it.each([
    ['a number as a string value', { attributes: [{ key: 'k', value: { stringValue: 5 } }] }, 'attribute "k": stringValue must be a string, got number'],
    ['a float as an int value', { attributes: [{ key: 'k', value: { intValue: '1.5' } }] }, 'attribute "k": intValue must be an integer or a decimal string, got "1.5"'],
    ['a string as a bool value', { attributes: [{ key: 'k', value: { boolValue: 'yes' } }] }, 'boolValue must be true or false, got "yes"'],
    ['attributes as an object', { attributes: { k: 'v' } }, 'attributes must be an array, got object'],
    ['a key that is not a string', { attributes: [{ key: 1, value: {} }] }, 'attributes[0].key must be a string, got number'],
    ['a name that is a number', { name: 42 }, 'name must be a string, got number'],
    ['a kind that is a boolean', { kind: true }, 'kind must be an enum number or name, got boolean'],
    ['a kind name that does not exist', { kind: 'SPAN_KIND_SIDEWAYS' }, 'kind must be an enum number or name, got "SPAN_KIND_SIDEWAYS"'],
    ['a negative time', { startTimeUnixNano: -5 }, 'startTimeUnixNano must be nanoseconds as a string or number, got number'],
    ['a time that is not digits', { startTimeUnixNano: '17e17' }, 'startTimeUnixNano must be a decimal string of nanoseconds, got "17e17"'],
    ['a trace id that is not hex', { traceId: 'zz'.repeat(16) }, 'traceId is neither 32 hex digits nor base64 of 16 bytes'],
    ['a span id that is a number', { spanId: 12 }, 'spanId must be a hex string, got number'],
    ['events as a string', { events: 'none' }, 'events must be an array, got string'],
    ['a link without ids', { links: [{}] }, 'links[0].traceId is missing'],
    ['status as a string', { status: 'ERROR' }, 'status must be an object, got string'],
  ])('rejects a span with %s, with a clear reason', (_name, fields, reason) => {
    const r = decodeTracesJson(jsonBody(oneSpan(fields)));
    expect(r.batch.spans).toEqual([]);
    expect(r.rejectedSpans).toBe(1);
    expect(r.errors[0]).toContain(reason);
  });

  it.each([
    ['malformed JSON', '{"resourceSpans": [', /^body is not valid JSON: /],
    ['an array body', '[]', /^body must be a JSON object, got array$/],
    ['resourceSpans as an object', '{"resourceSpans": {}}', /^resourceSpans must be an array, got object$/],
    ['a resourceSpans entry that is a number', '{"resourceSpans": [1]}', /^resourceSpans\[0\] must be an object, got number$/],
    ['scopeSpans as a string', '{"resourceSpans": [{"scopeSpans": "x"}]}', /^resourceSpans\[0\]\.scopeSpans must be an array, got string$/],
    ['spans as an object', '{"resourceSpans": [{"scopeSpans": [{"spans": {}}]}]}', /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans must be an array/],
    ['resource attributes as a string', '{"resourceSpans": [{"resource": {"attributes": "x"}}]}', /^resourceSpans\[0\]\.resource: attributes must be an array/],
  ])('refuses a body with %s as a whole', (_name, text, message) => {
    expect(() => decodeTracesJson(Buffer.from(text))).toThrow(OtlpDecodeError);
    expect(() => decodeTracesJson(Buffer.from(text))).toThrow(message);
  });
});

// Built by hand: protobufjs' own encoder refuses to write these.
const len = (n: number): Buffer => {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
};
const field = (no: number, bytes: Buffer): Buffer => Buffer.concat([len((no << 3) | 2), len(bytes.length), bytes]);
const fixed64 = (no: number, v: bigint): Buffer => {
  const b = Buffer.alloc(9);
  b[0] = (no << 3) | 1;
  b.writeBigUInt64LE(v, 1);
  return b;
};
const request = (...spanFields: Buffer[]): Buffer => field(1, field(2, field(2, Buffer.concat(spanFields)))); // resource_spans.scope_spans.spans
const ids = [field(1, Buffer.from(TRACE_ID, 'hex')), field(2, Buffer.from(ROOT_SPAN_ID, 'hex')), fixed64(7, 1_700_000_000_000_000_000n), fixed64(8, 1_700_000_001_000_000_000n)];


describe('protobuf bodies', () => {
  it('refuses truncated protobuf as a whole', () => {
    const body = encodeTraceRequest(traceRequestJson());
    for (const cut of [1, 10, body.length / 2, body.length - 1]) {
      expect(() => decodeTracesProtobuf(body.subarray(0, Math.floor(cut)))).toThrow(/^body is not a valid protobuf ExportTraceServiceRequest: /);
    }
  });

  it('refuses nesting deeper than the recursion limit', () => {
    let value = field(1, Buffer.from('leaf')); // AnyValue.string_value
    for (let i = 0; i < 200; i++) value = field(5, field(1, value)); // AnyValue.array_value.values
    const body = request(...ids, field(9, Buffer.concat([field(1, Buffer.from('deep')), field(2, value)])));
    expect(() => decodeTracesProtobuf(body)).toThrow(OtlpDecodeError);
    expect(() => decodeTracesProtobuf(body)).toThrow(/nested deeper than 100 levels/);
  });

  it('skips known fields sent with the wrong wire type instead of misreading them', () => {
    // name (field 5, a string) sent as the varint 7; kind (field 6, a varint) sent as a string
    const body = request(...ids, Buffer.from([(5 << 3) | 0, 7]), field(6, Buffer.from('CLIENT')), field(5, Buffer.from('real name')));
    const r = decodeTracesProtobuf(body);
    expect(r.rejectedSpans).toBe(0);
    expect(r.batch.spans[0]).toMatchObject({ traceId: TRACE_ID, spanId: ROOT_SPAN_ID, name: 'real name', kind: 0 });
    const reference = decodeTracesProtobufWithSchema(body);
    expect(r.batch).toEqual(reference.batch);
    // protobufjs skips them silently; this decoder says so in the partial-success answer.
    expect(reference.warnings).toEqual([]);
    expect(r.warnings).toEqual(['2 field(s) came with the wrong wire type for their field number and were skipped']);
  });

  it('counts wrong wire types in every message, known fields only', () => {
    const wrong = [
      Buffer.concat([len(16 << 3), Buffer.from([1])]), // Span.flags is fixed32, sent as a varint
      field(10, Buffer.from('x')), // Span.dropped_attributes_count is a varint, sent as bytes
      Buffer.concat([len(99 << 3), Buffer.from([1])]), // an unknown field: nothing to say about it
    ];
    const status = field(15, Buffer.concat([field(3, Buffer.from('ERROR'))])); // Status.code as bytes
    const event = field(11, Buffer.concat([field(1, Buffer.from('not a time')), field(2, Buffer.from('ev'))])); // Event.time as bytes
    const r = decodeTracesProtobuf(request(...ids, ...wrong, status, event));
    expect(r.rejectedSpans).toBe(0);
    expect(r.batch.spans[0]!.events).toEqual([{ timeUs: 0, name: 'ev', attributes: {} }]);
    expect(r.warnings).toEqual(['4 field(s) came with the wrong wire type for their field number and were skipped']);
    expect(decodeTracesProtobuf(request(...ids, Buffer.concat([len(99 << 3), Buffer.from([1])]))).warnings).toEqual([]);
  });

  it('refuses field number 0 and wire types 6 and 7', () => {
    for (const bad of [Buffer.from([0x00, 0x01]), Buffer.from([(3 << 3) | 6]), Buffer.from([(3 << 3) | 7])]) {
      expect(() => decodeTracesProtobuf(request(...ids, bad))).toThrow(OtlpDecodeError);
      expect(() => decodeTracesProtobufWithSchema(request(...ids, bad))).toThrow(OtlpDecodeError);
    }
  });

  it('reads a resource that comes after its spans, and merges fields that occur twice', () => {
    const resource = field(1, field(1, Buffer.concat([field(1, Buffer.from('service.name')), field(2, field(1, Buffer.from('late')))])));
    const attr = (key: string, value: Buffer) => field(9, Buffer.concat([field(1, Buffer.from(key)), field(2, value)]));
    const arr = (s: string) => field(5, field(1, field(1, Buffer.from(s))));
    const spans = field(2, field(2, Buffer.concat([...ids, attr('list', Buffer.concat([arr('a'), arr('b')]))])));
    const body = field(1, Buffer.concat([spans, resource]));
    const r = decodeTracesProtobuf(body);
    expect(r.batch.spans[0]!.resource).toEqual({ 'service.name': 'late' });
    expect(r.batch.spans[0]!.attributes).toEqual({ list: ['a', 'b'] });
    expect(r).toEqual(decodeTracesProtobufWithSchema(body));
  });
});

describe('log validation', () => {
  const record = (fields: Record<string, unknown>) => ({
    resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '1700000000000000000', body: { stringValue: 'b' }, ...fields }] }] }],
  });

  it('rejects a record with ids of the wrong length', () => {
    for (const fields of [{ traceId: 'abcd', spanId: ROOT_SPAN_ID }, { traceId: TRACE_ID, spanId: 'abcd' }]) {
      const p = decodeLogsProtobuf(encodeLogsRequest(record(fields)));
      const j = decodeLogsJson(jsonBody(record(fields)));
      expect(p.batch).toEqual(j.batch);
      for (const r of [p, j]) {
        expect(r.rejectedLogs).toBe(1);
        expect(r.errors[0]).toMatch(/^log record 0: (trace_id|traceId|span_id|spanId) must be (16|8) bytes or empty, got 2$/);
      }
    }
  });

  it('reads all-zero ids as no span context', () => {
    const r = decodeLogsProtobuf(encodeLogsRequest(record({ traceId: '0'.repeat(32), spanId: '0'.repeat(16) })));
    expect(r.batch.logs[0]).toMatchObject({ traceId: null, spanId: null });
  });

  it('cuts a huge body and marks it on the record', () => {
    const r = decodeLogsJson(jsonBody(record({ body: { stringValue: 'y'.repeat(100) } })), { maxStringChars: 10 });
    expect(r.batch.logs[0]!.body).toBe('y'.repeat(10));
    expect(r.batch.logs[0]!.attributes[WARNINGS_ATTRIBUTE]).toEqual(['body truncated from 100 to 10 characters']);
    expect(r.warnings).toEqual(['log record 0: body truncated from 100 to 10 characters']);
  });
});

/** An AnyValue `levels` kvlists (or arrays) deep around a string, as OTLP/JSON and as protobuf bytes. */
function nested(levels: number, via: 'kvlist' | 'array'): { json: Record<string, unknown>; pb: Buffer } {
  let json: Record<string, unknown> = { stringValue: 'leaf' };
  let pb = field(1, Buffer.from('leaf'));
  for (let i = 0; i < levels; i++) {
    if (via === 'kvlist') {
      json = { kvlistValue: { values: [{ key: 'k', value: json }] } };
      pb = field(6, field(1, Buffer.concat([field(1, Buffer.from('k')), field(2, pb)]))); // AnyValue.kvlist_value.values[0]
    } else {
      json = { arrayValue: { values: [json] } };
      pb = field(5, field(1, pb)); // AnyValue.array_value.values[0]
    }
  }
  return { json, pb };
}

function decodes(fn: () => unknown): true | string {
  try {
    fn();
    return true;
  } catch (err) {
    expect(err).toBeInstanceOf(OtlpDecodeError);
    return (err as Error).message;
  }
}

describe('nesting depth: one cap for both encodings, the whole body refused past it', () => {
  const keyValue = (value: Buffer) => Buffer.concat([field(1, Buffer.from('deep')), field(2, value)]);
  const spanIds = [field(1, Buffer.from(TRACE_ID, 'hex')), field(2, Buffer.from(ROOT_SPAN_ID, 'hex')), fixed64(7, 1n), fixed64(8, 2n)];
  const cases = {
    'span attribute': {
      json: (v: Record<string, unknown>) => decodeTracesJson(jsonBody(oneSpan({ attributes: [{ key: 'deep', value: v }] }))),
      pb: (v: Buffer) => decodeTracesProtobuf(field(1, field(2, field(2, Buffer.concat([...spanIds, field(9, keyValue(v))]))))),
    },
    'log body': {
      json: (v: Record<string, unknown>) => decodeLogsJson(jsonBody({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '1', body: v }] }] }] })),
      pb: (v: Buffer) => decodeLogsProtobuf(field(1, field(2, field(2, Buffer.concat([fixed64(1, 1n), field(5, v)]))))),
    },
    'resource attribute': {
      json: (v: Record<string, unknown>) => {
        const req = oneSpan({}) as { resourceSpans: Record<string, unknown>[] };
        req.resourceSpans[0]!.resource = { attributes: [{ key: 'deep', value: v }] };
        return decodeTracesJson(jsonBody(req));
      },
      pb: (v: Buffer) => decodeTracesProtobuf(field(1, Buffer.concat([field(1, field(1, keyValue(v))), field(2, field(2, Buffer.concat(spanIds)))]))),
    },
  };

  for (const [where, decode] of Object.entries(cases)) {
    for (const via of ['kvlist', 'array'] as const) {
      it(`${where}, nested by ${via}: the deepest value protobuf accepts, JSON accepts; one level more, both refuse`, () => {
        let deepest = 0;
        while (decodes(() => decode.pb(nested(deepest + 1, via).pb)) === true) deepest++;
        expect(deepest).toBeGreaterThan(25);
        expect(decodes(() => decode.json(nested(deepest, via).json))).toBe(true);
        const past = nested(deepest + 1, via);
        expect(decodes(() => decode.pb(past.pb))).toMatch(/nested deeper than 100 levels/);
        expect(decodes(() => decode.json(past.json))).toMatch(/nested deeper than 100 levels/);
      });
    }
  }

  it('refuses the 1,500-level body of the report (74 KB) and a 2,000-level log body', () => {
    const deep = (n: number) => '{"kvlistValue":{"values":[{"key":"k","value":'.repeat(n) + '{"stringValue":"x"}' + '}]}}'.repeat(n);
    const traces = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE_ID}","spanId":"${ROOT_SPAN_ID}","name":"n","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"a","value":${deep(1500)}}]}]}]}]}`;
    expect(traces.length).toBeGreaterThan(70_000);
    expect(decodes(() => decodeTracesJson(Buffer.from(traces)))).toMatch(/^attribute "a\.k\.k.*nested deeper than 100 levels/);
    const logs = `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1","body":${deep(2000)}}]}]}]}`;
    expect(decodes(() => decodeLogsJson(Buffer.from(logs)))).toMatch(/nested deeper than 100 levels/);
  });
});

describe('repeated span ids in one request', () => {
  it('keeps the first, refuses the others and says why, in both encodings', () => {
    const req = traceRequestJson();
    const spans = (req.resourceSpans as { scopeSpans: { spans: Record<string, unknown>[] }[] }[])[0]!.scopeSpans[0]!.spans;
    const first = spans[0]!;
    spans.push({ ...first, name: 'again' }, { ...first, name: 'and again' });
    const p = decodeTracesProtobuf(encodeTraceRequest(req));
    const j = decodeTracesJson(jsonBody(req));
    expect(p).toEqual(j);
    expect(p.batch.spans.map((s) => s.name)).toEqual(spans.slice(0, -2).map((s) => s.name));
    expect(p.rejectedSpans).toBe(2);
    expect(p.errors).toEqual([
      `span "again" (${first.spanId}): the same trace and span id came earlier in this request; the first one was kept`,
      `span "and again" (${first.spanId}): the same trace and span id came earlier in this request; the first one was kept`,
    ]);
  });

  it('is not a repeat when only the span id is shared (another trace)', () => {
    const req = oneSpan({});
    const scope = (req.resourceSpans as { scopeSpans: { spans: Record<string, unknown>[] }[] }[])[0]!.scopeSpans[0]!;
    scope.spans.push({ ...scope.spans[0]!, traceId: 'f'.repeat(32) });
    const r = decodeTracesJson(jsonBody(req));
    expect(r.rejectedSpans).toBe(0);
    expect(r.batch.spans).toHaveLength(2);
  });
});
