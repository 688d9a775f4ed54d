// Which provider wire format a stored call is sent in again, and where it goes. A proxied call
// says it itself (its recorded path); a call captured over OTLP is known by its provider,
// operation and model. What cannot be known is sent as OpenAI Chat Completions, the format
// nearly every other server (Ollama, vLLM, LM Studio, OpenRouter, Groq, …) accepts, and the
// answer says it was a guess.

export type WireApi = 'openai.chat_completions' | 'openai.responses' | 'anthropic.messages' | 'gemini.generate_content';

export const WIRE_APIS: readonly WireApi[] = ['openai.chat_completions', 'openai.responses', 'anthropic.messages', 'gemini.generate_content'];

/** What the choice looks at: a call's provider, operation, convention and model. */
export interface CallIdentity {
  provider: string | null;
  operation: string;
  convention: string;
  requestModel: string | null;
  responseModel: string | null;
}

export interface WireChoice {
  api: WireApi;
  /** The built-in proxy route the request goes to by default (null: none fits, one must be named). */
  upstream: string | null;
  /** Set when the provider did not say which API: why this one was chosen. */
  guessed: string | null;
}

const OPENAI_PROVIDERS = /^(openai|azure(\.ai\.openai)?|az\.ai\.openai)$/;
const ANTHROPIC_PROVIDERS = /^(anthropic|claude)$/;
const GEMINI_PROVIDERS = /^(gcp\.gemini|gemini|google|google_genai|gcp\.gen_ai|vertex_ai|gcp\.vertex_ai|vertexai)$/;

/** The API a proxied call used, from its recorded path (the proxy chose its parser the same way). */
export function wireApiOfPath(method: string, path: string): WireApi | null {
  const p = path.split('?')[0]!.replace(/\/+$/, '');
  if (method !== 'POST') return null;
  if (p.endsWith('/chat/completions')) return 'openai.chat_completions';
  if (p.endsWith('/responses')) return 'openai.responses';
  if (p.endsWith('/messages') && !p.includes('/threads/')) return 'anthropic.messages';
  if (/\/models\/[^/:]+:(generateContent|streamGenerateContent)$/.test(p)) return 'gemini.generate_content';
  return null;
}

export function chooseWireApi(call: CallIdentity): WireChoice {
  const provider = (call.provider ?? '').toLowerCase();
  const model = (call.requestModel ?? call.responseModel ?? '').toLowerCase();
  const op = call.operation.toLowerCase();
  if (ANTHROPIC_PROVIDERS.test(provider)) return { api: 'anthropic.messages', upstream: 'anthropic', guessed: null };
  if (GEMINI_PROVIDERS.test(provider) || op === 'generate_content') return { api: 'gemini.generate_content', upstream: 'gemini', guessed: null };
  if (OPENAI_PROVIDERS.test(provider)) {
    return { api: op === 'responses' || op === 'response' ? 'openai.responses' : 'openai.chat_completions', upstream: 'openai', guessed: null };
  }
  // A framework or gateway named as provider (bedrock, langchain, strands-agents, …): the model says whose API it is.
  if (model.startsWith('claude') || model.includes('anthropic.claude')) {
    return { api: 'anthropic.messages', upstream: 'anthropic', guessed: `provider "${call.provider ?? 'unknown'}" is not an API; model ${model} is Anthropic's` };
  }
  if (model.startsWith('gemini') || model.startsWith('models/gemini')) {
    return { api: 'gemini.generate_content', upstream: 'gemini', guessed: `provider "${call.provider ?? 'unknown'}" is not an API; model ${model} is Gemini's` };
  }
  if (/^(gpt-|o[1-9]|chatgpt|text-davinci|ft:gpt)/.test(model)) {
    return { api: op === 'responses' ? 'openai.responses' : 'openai.chat_completions', upstream: 'openai', guessed: `provider "${call.provider ?? 'unknown'}" is not an API; model ${model} is OpenAI's` };
  }
  // A local or compatible server: its proxy route carries its provider name (see upstreams.ts).
  return {
    api: 'openai.chat_completions',
    upstream: provider !== '' ? provider : null,
    guessed: `provider "${call.provider ?? 'unknown'}" did not say which API it speaks: rebuilt as OpenAI Chat Completions, which most servers accept`,
  };
}

/** The path a request of this API takes, below the upstream's base URL. */
export function wirePath(api: WireApi, model: string, stream: boolean): string {
  switch (api) {
    case 'openai.chat_completions':
      return '/v1/chat/completions';
    case 'openai.responses':
      return '/v1/responses';
    case 'anthropic.messages':
      return '/v1/messages';
    case 'gemini.generate_content':
      return `/v1beta/models/${encodeURIComponent(model)}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
  }
}

/** Which credential header an API authenticates with, and the environment variable holding its key. */
export function credentialOf(api: WireApi): { header: string; scheme: 'bearer' | 'raw'; env: string[] } {
  switch (api) {
    case 'anthropic.messages':
      return { header: 'x-api-key', scheme: 'raw', env: ['ANTHROPIC_API_KEY'] };
    case 'gemini.generate_content':
      return { header: 'x-goog-api-key', scheme: 'raw', env: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'] };
    default:
      return { header: 'authorization', scheme: 'bearer', env: ['OPENAI_API_KEY'] };
  }
}
