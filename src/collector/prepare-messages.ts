// Messages between the collector's thread and its preparing worker thread (prepare-worker.ts).
// Everything here crosses threads by structured clone: plain data only.

import type { OtlpIngestOutcome, OtlpIngestRequest, ProxyCapture } from '../capture/sink';
import type { PreparedBatch } from '../store/prepare';
import type { GuardrailsConfig } from '../core/guardrails/config';
import type { PreparedWire } from './prepared-wire';

export interface PrepareWorkerData {
  /** Raw price overrides, validated again in the worker (they are the same as the collector's). */
  priceOverrides: unknown;
  storeContent: boolean;
  /** Privacy mode: content is stored with PII and secrets redacted under this guardrails configuration. */
  privacy?: GuardrailsConfig;
}

export type PrepareTask = ({ kind: 'otlp' } & OtlpIngestRequest & { id: number }) | { kind: 'proxy'; id: number; capture: ProxyCapture };

/** A decoded and prepared OTLP body, with what its partial-success answer reports. */
export interface PreparedOtlp extends OtlpIngestOutcome {
  batch: PreparedBatch;
}

export type PrepareReply =
  | { type: 'ready' }
  /** `outcome`: what an OTLP body's answer reports (null for a proxy capture). */
  | { type: 'prepared'; id: number; outcome: OtlpIngestOutcome | null; wire: PreparedWire }
  /** `invalid`: the body cannot be decoded (an OtlpDecodeError), not a fault of the worker. */
  | { type: 'failed'; id: number; invalid: boolean; message: string };
