// Where a replay's key comes from: the headers of the request that asked for it (passed through,
// never stored), else the collector's environment. Nothing here is ever written anywhere.

import { credentialOf, type WireApi } from '../../core/replay/wire-api';

/** Credential headers a caller of /api/replay may send for the provider. */
export const PASSED_CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'x-goog-api-key', 'api-key'] as const;

export type CredentialResult =
  | { ok: true; headers: Record<string, string>; from: 'request' | 'environment' | 'none' }
  | { ok: false; detail: string };

export interface CredentialInput {
  api: WireApi | null;
  /** Headers of the /api/replay request (lowercase names). */
  incoming: Record<string, string | string[] | undefined>;
  /** Names of the credential headers the original request carried (their values were never stored). */
  originalNames: string[];
  /** Whether the upstream needs a key at all: false for a local server the original reached without one. */
  needsKey: boolean;
  env: Record<string, string | undefined>;
  upstream: string;
}

export function replayCredentials(c: CredentialInput): CredentialResult {
  const passed: Record<string, string> = {};
  for (const name of PASSED_CREDENTIAL_HEADERS) {
    const v = c.incoming[name];
    if (typeof v === 'string' && v !== '') passed[name] = v;
  }
  if (Object.keys(passed).length > 0) return { ok: true, headers: passed, from: 'request' };
  const want = credentialOf(c.api ?? 'openai.chat_completions');
  for (const name of want.env) {
    const key = c.env[name];
    if (!key) continue;
    // The header the app used (Azure's api-key, say), else the API's own.
    const header = c.originalNames.find((n) => (PASSED_CREDENTIAL_HEADERS as readonly string[]).includes(n)) ?? want.header;
    return { ok: true, headers: { [header]: header === 'authorization' ? `Bearer ${key}` : key }, from: 'environment' };
  }
  if (!c.needsKey) return { ok: true, headers: {}, from: 'none' };
  const header = want.header === 'authorization' ? 'Authorization: Bearer <key>' : `${want.header}: <key>`;
  return {
    ok: false,
    detail: `replaying through "${c.upstream}" needs an API key: send it with this request (${header}), or set ${want.env.join(' or ')} in the collector's environment (in VS Code: "Spyglass: Set API Key…")`,
  };
}
