// The environment an application needs to send its telemetry or provider calls to Spyglass,
// and its rendering as a snippet for the user's shell. Pure: no vscode, no Node.

import { LOOPBACK_HOST } from '../connection/loopback';

export interface EnvVar {
  name: string;
  value: string;
  description: string;
  /** 'otlp': for instrumented apps; 'proxy': changes where provider calls go. */
  kind: 'otlp' | 'proxy';
}

export interface Endpoints {
  httpPort: number;
  grpcPort: number | null;
}

export function otlpHttpEndpoint(httpPort: number): string {
  return `http://${LOOPBACK_HOST}:${httpPort}`;
}

/** Base URLs as each official SDK expects them (OpenAI's includes `/v1`, Anthropic's does not). */
export function proxyBaseUrls(httpPort: number): { openai: string; anthropic: string; gemini: string } {
  const base = `http://${LOOPBACK_HOST}:${httpPort}/proxy`;
  return { openai: `${base}/openai/v1`, anthropic: `${base}/anthropic`, gemini: `${base}/gemini` };
}

export function upstreamBaseUrl(httpPort: number, name: string): string {
  return `http://${LOOPBACK_HOST}:${httpPort}/proxy/${encodeURIComponent(name)}`;
}

export function appEnvironment(ep: Endpoints): EnvVar[] {
  const proxy = proxyBaseUrls(ep.httpPort);
  return [
    {
      name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
      value: otlpHttpEndpoint(ep.httpPort),
      description: 'OTLP/HTTP receiver (OpenTelemetry SDKs, OpenLLMetry, OpenInference, Vercel AI SDK, Logfire)',
      kind: 'otlp',
    },
    {
      name: 'OTEL_EXPORTER_OTLP_PROTOCOL',
      value: 'http/protobuf',
      description: 'Send OTLP over HTTP with protobuf bodies (http/json works too)',
      kind: 'otlp',
    },
    { name: 'OPENAI_BASE_URL', value: proxy.openai, description: 'Recording proxy for the OpenAI client', kind: 'proxy' },
    { name: 'ANTHROPIC_BASE_URL', value: proxy.anthropic, description: 'Recording proxy for the Anthropic client', kind: 'proxy' },
    { name: 'GOOGLE_GEMINI_BASE_URL', value: proxy.gemini, description: 'Recording proxy for the Google Gen AI (Gemini) client', kind: 'proxy' },
  ];
}

/** What the opt-in terminal integration puts into integrated terminals. */
export function terminalEnvironment(httpPort: number, includeProxy: boolean): Record<string, string> {
  const env: Record<string, string> = {};
  for (const v of appEnvironment({ httpPort, grpcPort: null })) {
    if (v.kind === 'otlp') env[v.name] = v.value;
  }
  if (includeProxy) {
    const proxy = proxyBaseUrls(httpPort);
    env.OPENAI_BASE_URL = proxy.openai;
    env.ANTHROPIC_BASE_URL = proxy.anthropic;
  }
  return env;
}

export type ShellKind = 'posix' | 'fish' | 'powershell' | 'cmd' | 'dotenv';

export const SHELL_LABELS: Record<ShellKind, string> = {
  posix: 'bash / zsh',
  fish: 'fish',
  powershell: 'PowerShell',
  cmd: 'Command Prompt',
  dotenv: '.env file',
};

export function defaultShell(platform: string): ShellKind {
  return platform === 'win32' ? 'powershell' : 'posix';
}

function quotePosix(v: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

export function formatEnvLine(v: Pick<EnvVar, 'name' | 'value'>, shell: ShellKind): string {
  switch (shell) {
    case 'posix':
      return `export ${v.name}=${quotePosix(v.value)}`;
    case 'fish':
      return `set -gx ${v.name} ${quotePosix(v.value)}`;
    case 'powershell':
      return `$env:${v.name} = '${v.value.replace(/'/g, "''")}'`;
    case 'cmd':
      return `set "${v.name}=${v.value}"`;
    case 'dotenv':
      return `${v.name}=${v.value}`;
  }
}

export function formatEnvSnippet(vars: readonly EnvVar[], shell: ShellKind): string {
  const comment = shell === 'cmd' ? 'REM' : '#';
  const lines: string[] = [];
  const groups: [EnvVar['kind'], string][] = [
    ['otlp', 'Spyglass: OpenTelemetry export (instrumented apps)'],
    ['proxy', 'Spyglass: recording proxy for provider SDKs (no instrumentation needed)'],
  ];
  for (const [kind, title] of groups) {
    const vs = vars.filter((v) => v.kind === kind);
    if (vs.length === 0) continue;
    if (lines.length > 0) lines.push('');
    lines.push(`${comment} ${title}`);
    for (const v of vs) lines.push(formatEnvLine(v, shell));
  }
  return `${lines.join('\n')}\n`;
}
