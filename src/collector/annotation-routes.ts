// The annotations API: list them across traces, add a user's feedback or note to a span or a
// trace, remove a user's own. Writes go through the collector's one writer (the group-commit
// queue) and are answered once committed.

import { HttpError, sendJson, type Route } from '../capture/http-server';
import { SOURCE_USER, type NewAnnotation } from '../core/annotations/model';
import type { AnnotationQuery, NewUserAnnotation } from '../protocol/api';
import type { AnnotationOp } from '../store/annotation-writes';
import type { Store } from '../store/store';
import { num, readJson, spanIdParam, str, traceIdParam } from './url-params';

export interface AnnotationApiContext {
  store: Store;
  /** Applies annotation changes through the writer; resolves once they are committed. */
  write(ops: AnnotationOp[]): Promise<void>;
}

const MAX_BODY_BYTES = 256 * 1024;
const MAX_EXPLANATION_CHARS = 10_000;

/** The body of a user's annotation, checked: a clear 400 for anything else. */
export function parseUserAnnotation(body: unknown): NewUserAnnotation {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'invalid annotation', 'expected a JSON object');
  const b = body as Record<string, unknown>;
  const explanation = b.explanation;
  if (explanation !== undefined && explanation !== null && typeof explanation !== 'string') {
    throw new HttpError(400, 'invalid annotation', 'explanation must be a string');
  }
  if (typeof explanation === 'string' && explanation.length > MAX_EXPLANATION_CHARS) {
    throw new HttpError(400, 'invalid annotation', `explanation is longer than ${MAX_EXPLANATION_CHARS} characters`);
  }
  const text = typeof explanation === 'string' && explanation.trim() !== '' ? explanation : undefined;
  if (b.kind === 'feedback') {
    if (b.label !== 'up' && b.label !== 'down') throw new HttpError(400, 'invalid annotation', 'feedback label must be "up" or "down"');
    return { kind: 'feedback', label: b.label, ...(text ? { explanation: text } : {}) };
  }
  if (b.kind === 'note') {
    if (!text) throw new HttpError(400, 'invalid annotation', 'a note needs an explanation (its text)');
    return { kind: 'note', explanation: text };
  }
  throw new HttpError(400, 'invalid annotation', 'kind must be "feedback" or "note"');
}

function annotationQuery(url: URL): AnnotationQuery {
  return {
    kind: str(url, 'kind'), name: str(url, 'name'), label: str(url, 'label'), source: str(url, 'source'),
    traceId: url.searchParams.has('traceId') ? traceIdParam(url.searchParams.get('traceId')!) : undefined,
    spanId: url.searchParams.has('spanId') ? spanIdParam(url.searchParams.get('spanId')!) : undefined,
    from: num(url, 'from'), to: num(url, 'to'), limit: num(url, 'limit'), cursor: str(url, 'cursor'),
  };
}

export function annotationRoutes(ctx: AnnotationApiContext): Route[] {
  const { queries } = ctx.store;

  const add = async (traceId: string, spanId: string | null, body: unknown) => {
    const input = parseUserAnnotation(body);
    let atUs: number;
    if (spanId) {
      const span = queries.getSpan(traceId, spanId);
      if (!span) throw new HttpError(404, 'span not found', `${traceId}/${spanId}`);
      atUs = Math.round(span.startTime * 1000);
    } else {
      const trace = queries.getTraceSummary(traceId);
      if (!trace) throw new HttpError(404, 'trace not found', traceId);
      atUs = Math.round(trace.startTime * 1000);
    }
    const annotation: NewAnnotation = {
      kind: input.kind, name: input.kind === 'feedback' ? 'thumbs' : 'note', label: input.kind === 'feedback' ? input.label : null,
      score: input.kind === 'feedback' ? (input.label === 'up' ? 1 : 0) : null, explanation: input.explanation ?? null,
      location: null, attributes: {}, traceId, spanId, source: SOURCE_USER, atUs, origin: null,
    };
    // A user has one opinion of a span: new feedback replaces their earlier one. Notes add up.
    const op: AnnotationOp = input.kind === 'feedback'
      ? { op: 'replace', traceId, spanId, source: SOURCE_USER, kind: 'feedback', annotations: [annotation] }
      : { op: 'add', annotations: [annotation] };
    await ctx.write([op]);
    const id = op.ids?.[0];
    const stored = id ? queries.annotations.byId(id) : null;
    if (!stored) throw new HttpError(500, 'annotation not stored');
    return stored;
  };

  return [
    {
      method: 'GET',
      pattern: /^\/api\/annotations$/,
      handler: ({ res, url }) => {
        try {
          sendJson(res, 200, queries.annotations.list(annotationQuery(url)));
        } catch (err) {
          if (err instanceof RangeError) throw new HttpError(400, 'invalid query', err.message);
          throw err;
        }
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/traces\/(?<traceId>[^/]+)\/annotations$/,
      handler: async ({ req, res, params }) => {
        const traceId = traceIdParam(params.traceId!);
        sendJson(res, 201, await add(traceId, null, await readJson(req, MAX_BODY_BYTES)));
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/traces\/(?<traceId>[^/]+)\/spans\/(?<spanId>[^/]+)\/annotations$/,
      handler: async ({ req, res, params }) => {
        const traceId = traceIdParam(params.traceId!);
        const spanId = spanIdParam(params.spanId!);
        sendJson(res, 201, await add(traceId, spanId, await readJson(req, MAX_BODY_BYTES)));
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/api\/annotations\/(?<id>[^/]+)$/,
      handler: async ({ res, params }) => {
        const id = Number(params.id);
        if (!Number.isSafeInteger(id) || id <= 0) throw new HttpError(400, 'invalid annotation id', 'expected a positive integer');
        const op: AnnotationOp = { op: 'delete', id, source: SOURCE_USER };
        await ctx.write([op]);
        if (op.removed) {
          res.writeHead(204).end();
          return;
        }
        const existing = queries.annotations.byId(id);
        if (!existing) throw new HttpError(404, 'annotation not found', String(id));
        throw new HttpError(403, 'not yours to remove', `only annotations made in Spyglass (source "user") can be removed; this one is from ${existing.source}`);
      },
    },
  ];
}
