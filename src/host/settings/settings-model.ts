// Turns the `spyglass.*` settings into the collector's start options, validating each value
// (settings.json is hand-edited: a bad value gets a warning and the default, never a crash).

import { ALERT_SETTINGS, alertSettings } from './alert-settings';
import type { CollectorStartOptions } from '../../protocol/collector-ipc';

export const SETTINGS_SECTION = 'spyglass';

/** Settings (relative to `spyglass.`) that change how the collector runs: a restart applies them. */
export const CAPTURE_SETTINGS = [
  'httpPort',
  'grpcPort',
  'databasePath',
  'retention.days',
  'retention.maxSizeMb',
  'prices.overrides',
  'proxy.upstreams',
  'privacy.storeContent',
  'forward.endpoint',
  'capture.maxBodySizeMb',
  'collector.nodePath',
  'guardrails.privacyMode',
] as const;

export const TERMINAL_SETTINGS = ['terminal.injectEnvironment', 'terminal.injectProxyBaseUrls'] as const;

export const DEFAULTS = {
  httpPort: 4318,
  grpcPort: 4317,
  retentionDays: 30,
  retentionMaxSizeMb: 2048,
  maxBodySizeMb: 32,
} as const;

export type SettingReader = (key: string) => unknown;

export interface StartOptionsResult {
  options: CollectorStartOptions;
  warnings: string[];
}

function port(value: unknown, key: string, fallback: number, allowZero: boolean, warnings: string[]): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= (allowZero ? 0 : 1) && value <= 65535) return value;
  warnings.push(`spyglass.${key} must be a port number (${allowZero ? 0 : 1}–65535); using ${fallback}`);
  return fallback;
}

function nonNegative(value: unknown, key: string, fallback: number, warnings: string[]): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  warnings.push(`spyglass.${key} must be a number ≥ 0; using ${fallback}`);
  return fallback;
}

export function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/') || p.startsWith('~\\')) return home + p.slice(1);
  return p;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Proxy route names become URL path segments (`/proxy/<name>/...`). */
export const UPSTREAM_NAME = /^[a-z0-9][a-z0-9._-]*$/i;

export function toStartOptions(get: SettingReader, env: { defaultDbPath: string; home: string }): StartOptionsResult {
  const warnings: string[] = [];
  // 0: any free port, for this window alone (nobody can find it to share it; tests use it).
  const httpPort = port(get('httpPort'), 'httpPort', DEFAULTS.httpPort, true, warnings);
  const grpcRaw = port(get('grpcPort'), 'grpcPort', DEFAULTS.grpcPort, true, warnings);
  let grpcPort: number | null = grpcRaw === 0 ? null : grpcRaw;
  if (grpcPort === httpPort) {
    warnings.push(`spyglass.grpcPort equals spyglass.httpPort (${httpPort}); gRPC is turned off until they differ`);
    grpcPort = null;
  }

  const dbRaw = get('databasePath');
  const dbPath = typeof dbRaw === 'string' && dbRaw.trim() !== '' ? expandHome(dbRaw.trim(), env.home) : env.defaultDbPath;

  const days = nonNegative(get('retention.days'), 'retention.days', DEFAULTS.retentionDays, warnings);
  const maxMb = nonNegative(get('retention.maxSizeMb'), 'retention.maxSizeMb', DEFAULTS.retentionMaxSizeMb, warnings);
  const bodyMb = nonNegative(get('capture.maxBodySizeMb'), 'capture.maxBodySizeMb', DEFAULTS.maxBodySizeMb, warnings);

  const upstreams: Record<string, string> = {};
  const upRaw = get('proxy.upstreams');
  if (upRaw !== undefined && upRaw !== null) {
    if (typeof upRaw !== 'object' || Array.isArray(upRaw)) {
      warnings.push('spyglass.proxy.upstreams must be an object of name → base URL; ignored');
    } else {
      for (const [name, url] of Object.entries(upRaw as Record<string, unknown>)) {
        if (!UPSTREAM_NAME.test(name)) warnings.push(`spyglass.proxy.upstreams: "${name}" is not a valid route name (letters, digits, . _ -); ignored`);
        else if (typeof url !== 'string' || !isHttpUrl(url)) warnings.push(`spyglass.proxy.upstreams.${name} must be an http(s) URL; ignored`);
        else upstreams[name] = url.replace(/\/+$/, '');
      }
    }
  }

  const fwdRaw = get('forward.endpoint');
  let forwardEndpoint: string | null = null;
  if (typeof fwdRaw === 'string' && fwdRaw.trim() !== '') {
    if (isHttpUrl(fwdRaw.trim())) forwardEndpoint = fwdRaw.trim();
    else warnings.push('spyglass.forward.endpoint must be an http(s) URL of an OTLP/HTTP receiver; forwarding is off');
  }

  const prices = get('prices.overrides');
  let priceOverrides: unknown = [];
  if (Array.isArray(prices)) priceOverrides = prices;
  else if (prices !== undefined && prices !== null) warnings.push('spyglass.prices.overrides must be an array; ignored');

  const store = get('privacy.storeContent');

  return {
    options: {
      httpPort,
      grpcPort,
      dbPath,
      upstreams,
      forwardEndpoint,
      storeContent: typeof store === 'boolean' ? store : true,
      retentionDays: days === 0 ? null : days,
      retentionMaxMb: maxMb === 0 ? null : maxMb,
      priceOverrides,
      maxBodyBytes: Math.round(bodyMb * 1024 * 1024) || DEFAULTS.maxBodySizeMb * 1024 * 1024,
      alerts: alertSettings(get, warnings),
    },
    warnings,
  };
}

/** Which of our settings a configuration change touched. */
export function changedSettings(affects: (section: string) => boolean): { capture: boolean; terminal: boolean; autoStart: boolean } {
  return {
    capture: [...CAPTURE_SETTINGS, ...ALERT_SETTINGS].some((k) => affects(`${SETTINGS_SECTION}.${k}`)),
    terminal: TERMINAL_SETTINGS.some((k) => affects(`${SETTINGS_SECTION}.${k}`)),
    autoStart: affects(`${SETTINGS_SECTION}.capture.autoStart`),
  };
}
