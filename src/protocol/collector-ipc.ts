// Messages between the VS Code extension host and the collector child process it forks
// (`dist/cli.js serve --ipc ...`). Reads go over the collector's HTTP JSON API instead, so a
// window that does not own the ports reads the same way as the one that does.

import type { AlertConfig } from './alerts';

export interface CollectorStartOptions {
  httpPort: number;
  grpcPort: number | null; // null: no gRPC listener
  dbPath: string;
  /** name → base URL; overrides the built-in proxy upstreams. */
  upstreams: Record<string, string>;
  /** Upstream OTLP/HTTP endpoint to forward everything to, or null. */
  forwardEndpoint: string | null;
  storeContent: boolean;
  retentionDays: number | null;
  retentionMaxMb: number | null;
  /** Raw price overrides from settings; validated in the collector. */
  priceOverrides: unknown;
  maxBodyBytes: number;
  /** Budgets, thresholds, the hard limit and the webhook (src/protocol/alerts.ts); absent: the defaults. */
  alerts?: Partial<AlertConfig>;
  /** The workspace's guardrails configuration (settings merged with `.spyglass/guardrails.json`); validated in the collector. */
  guardrails?: unknown;
  /** Privacy mode: PII and secrets replaced by typed placeholders before anything is stored. */
  privacyMode?: boolean;
}

export type HostToCollector =
  | { type: 'shutdown' }
  | { type: 'clear' };

export type CollectorToHost =
  | { type: 'listening'; httpPort: number; grpcPort: number | null; dbPath: string }
  | { type: 'start-failed'; code: 'EADDRINUSE' | 'EACCES' | 'DB' | 'OTHER'; port: number | null; message: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  /** The store is being upgraded to this version's schema before the collector listens: minutes on a large store. */
  | ({ type: 'upgrading' } & StoreUpgrade);

export interface StoreUpgrade {
  fromSchema: number;
  toSchema: number;
  /** The file's size before the upgrade. */
  bytes: number;
}
