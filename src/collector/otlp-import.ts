// OTLP/JSON files in: one ExportTraceServiceRequest, or JSONL with one request per line.

import { decodeTracesJson } from '../capture/otlp';
import type { IngestBatch } from '../core/model';

/** Decodes each request in `text` and hands its batch to `ingest`; resolves to the spans accepted. */
export async function importOtlpJson(text: string, ingest: (batch: IngestBatch) => Promise<number> | number): Promise<number> {
  const trimmed = text.trim();
  const docs = trimmed.startsWith('{') && !/\}\s*\n\s*\{/.test(trimmed) ? [trimmed] : trimmed.split(/\r?\n/).filter((l) => l.trim());
  let accepted = 0;
  for (const doc of docs) accepted += await ingest(decodeTracesJson(Buffer.from(doc, 'utf8')).batch);
  return accepted;
}
