// Where `/proxy/<name>/<rest>` goes: the built-in providers plus the upstreams the user names
// (`--upstream <name>=<baseURL>`, settings), which override a built-in of the same name.

export const BUILTIN_UPSTREAMS: Readonly<Record<string, string>> = {
  openai: 'https://api.openai.com',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
};

export interface Upstream {
  name: string;
  base: URL;
  /** The base path without its trailing slash ('' for a bare host). */
  basePath: string;
  /** The GenAI provider name recorded for calls through this route. */
  provider: string;
}

/** Route names as they may appear in a URL path segment. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** gen_ai.provider.name values (GenAI semantic conventions) for well-known hosts and route names. */
const PROVIDER_BY_NAME: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  gemini: 'gcp.gemini',
  google: 'gcp.gemini',
  vertex: 'gcp.vertex_ai',
  azure: 'azure.ai.openai',
  groq: 'groq',
  mistral: 'mistral_ai',
  deepseek: 'deepseek',
  xai: 'x_ai',
  perplexity: 'perplexity',
  cohere: 'cohere',
};

const PROVIDER_BY_HOST: Array<[RegExp, string]> = [
  [/(^|\.)api\.openai\.com$/, 'openai'],
  [/\.openai\.azure\.com$/, 'azure.ai.openai'],
  [/(^|\.)api\.anthropic\.com$/, 'anthropic'],
  [/(^|\.)generativelanguage\.googleapis\.com$/, 'gcp.gemini'],
  [/aiplatform\.googleapis\.com$/, 'gcp.vertex_ai'],
  [/(^|\.)api\.groq\.com$/, 'groq'],
  [/(^|\.)api\.mistral\.ai$/, 'mistral_ai'],
  [/(^|\.)api\.deepseek\.com$/, 'deepseek'],
  [/(^|\.)api\.x\.ai$/, 'x_ai'],
  [/(^|\.)openrouter\.ai$/, 'openrouter'],
  [/(^|\.)api\.together\.xyz$/, 'together'],
  [/(^|\.)api\.fireworks\.ai$/, 'fireworks'],
  [/(^|\.)api\.perplexity\.ai$/, 'perplexity'],
  [/(^|\.)api\.cohere\.(ai|com)$/, 'cohere'],
];

export function providerFor(name: string, base: URL): string {
  const byName = PROVIDER_BY_NAME[name.toLowerCase()];
  if (byName) return byName;
  for (const [re, p] of PROVIDER_BY_HOST) if (re.test(base.hostname)) return p;
  // A local server (Ollama, vLLM, LM Studio) is known by the name the user gave its route.
  return name.toLowerCase();
}

export class UpstreamTable {
  private readonly byName = new Map<string, Upstream>();

  /** Throws on a malformed name or URL: a bad `--upstream` must fail loudly at start-up. */
  constructor(configured: Record<string, string> = {}) {
    for (const [name, url] of Object.entries({ ...BUILTIN_UPSTREAMS, ...configured })) this.add(name, url);
  }

  private add(name: string, url: string): void {
    if (!NAME.test(name)) throw new Error(`invalid upstream name "${name}": use letters, digits, '.', '_' or '-'`);
    let base: URL;
    try {
      base = new URL(url);
    } catch {
      throw new Error(`invalid upstream URL for "${name}": ${url}`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new Error(`upstream "${name}" must be an http:// or https:// URL, got ${url}`);
    }
    if (base.search || base.hash) throw new Error(`upstream "${name}" must not have a query or fragment: ${url}`);
    this.byName.set(name, { name, base, basePath: base.pathname.replace(/\/+$/, ''), provider: providerFor(name, base) });
  }

  get(name: string): Upstream | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }
}

/** Parses `name=baseURL` (the CLI's `--upstream` value). */
export function parseUpstreamArg(arg: string): [string, string] {
  const eq = arg.indexOf('=');
  if (eq <= 0 || eq === arg.length - 1) throw new Error(`--upstream expects <name>=<baseURL>, got "${arg}"`);
  return [arg.slice(0, eq).trim(), arg.slice(eq + 1).trim()];
}

/** A base URL fit to record: user info (credentials) removed. */
export function displayBase(base: URL): string {
  if (!base.username && !base.password) return base.href.replace(/\/$/, '');
  const copy = new URL(base.href);
  copy.username = '';
  copy.password = '';
  return copy.href.replace(/\/$/, '');
}
