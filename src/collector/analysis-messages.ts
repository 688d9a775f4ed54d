// Messages between the collector's thread and its analysis worker (analysis-worker.ts), sent in
// WorkerChannel envelopes. Plain data only: everything crosses threads by structured clone.

import type { NewAnnotation } from '../core/annotations/model';
import type { AnalysesConfig } from '../core/analyses/registry';

/** Where an analysis has come to in the stored calls, in (store revision, span row) order. */
export interface AnalysisCursor {
  rev: number;
  row: number;
}

export interface AnalysisWorkerData {
  dbPath: string;
  /** The analyses' configuration: a changed one starts another worker. */
  config: AnalysesConfig;
}

/** Analyse the calls after the least advanced cursor, at most `limit` of them. */
export interface AnalyseRequest {
  type: 'analyse';
  cursors: Record<string, AnalysisCursor>;
  limit: number;
}

/** What an analysis now says about one span: it replaces all it said before. */
export interface AnalysisResult {
  traceId: string;
  spanId: string;
  analysis: string;
  annotations: NewAnnotation[];
}

export interface AnalyseReply {
  type: 'analysed';
  results: AnalysisResult[];
  /** Each analysis's cursor after this batch. */
  cursors: Record<string, AnalysisCursor>;
  /** Calls read. */
  calls: number;
  /** Fewer than `limit` calls were left: the runner has caught up for now. */
  done: boolean;
}

export type ToAnalysisWorker = AnalyseRequest;
export type FromAnalysisWorker = AnalyseReply;
