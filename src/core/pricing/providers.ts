// Provider names arrive in many spellings: OTel GenAI `gen_ai.provider.name` / `gen_ai.system`
// (openai, azure.ai.openai, az.ai.openai, aws.bedrock, gcp.vertex_ai, mistral_ai, x_ai, …),
// OpenInference `llm.provider` (mistralai, vertexai, xai), the Vercel AI SDK's `ai.model.provider`
// (openai.chat, anthropic.messages, google.generative-ai, amazon-bedrock, azure-openai.chat) and the
// proxy's route names (openai, gemini, ollama, …). This maps them to the price table's provider ids.

import { findProvider } from '@pydantic/genai-prices';

/**
 * Where a provider's calls are priced: a price-table provider, free (local), a framework or client
 * that names itself where the provider belongs (priced as its model's own provider), or unknown.
 */
export type ProviderResolution =
  | { kind: 'table'; id: string }
  | { kind: 'free'; id: string }
  | { kind: 'framework'; id: string }
  | { kind: 'unknown' };

// Spellings the table's own provider matching gets wrong or misses. Keys are lowercase.
const ALIASES: Record<string, string> = {
  openai: 'openai',
  'azure.ai.openai': 'azure',
  'az.ai.openai': 'azure',
  'azure.ai.inference': 'azure',
  'az.ai.inference': 'azure',
  azure: 'azure',
  azure_openai: 'azure',
  'azure-openai': 'azure',
  azureopenai: 'azure',
  anthropic: 'anthropic',
  'aws.bedrock': 'aws',
  bedrock: 'aws',
  'amazon-bedrock': 'aws',
  aws: 'aws',
  'gcp.gemini': 'google',
  'gcp.vertex_ai': 'google',
  'gcp.gen_ai': 'google',
  gemini: 'google',
  google: 'google',
  vertex_ai: 'google',
  vertexai: 'google',
  vertex: 'google',
  'google-vertex': 'google',
  'google.generative-ai': 'google',
  'google.vertex': 'google',
  groq: 'groq',
  mistral_ai: 'mistral',
  mistralai: 'mistral',
  mistral: 'mistral',
  deepseek: 'deepseek',
  x_ai: 'x-ai',
  xai: 'x-ai',
  'x-ai': 'x-ai',
  grok: 'x-ai',
  cohere: 'cohere',
  perplexity: 'perplexity',
  together: 'together',
  together_ai: 'together',
  togetherai: 'together',
  fireworks: 'fireworks',
  fireworks_ai: 'fireworks',
  'fireworks-ai': 'fireworks',
  openrouter: 'openrouter',
  cerebras: 'cerebras',
  moonshot: 'moonshotai',
  moonshotai: 'moonshotai',
};

// Models served on the user's own machine: no bill.
const FREE: ReadonlySet<string> = new Set([
  'ollama',
  'lmstudio',
  'lm_studio',
  'lm-studio',
  'llamacpp',
  'llama.cpp',
  'llama_cpp',
  'vllm',
  'localai',
]);

// Agent frameworks and clients that put their own name in `gen_ai.system` / `gen_ai.provider.name`
// (Strands: `strands-agents`; GitHub Copilot Chat: `github`; LangChain callbacks: `langchain`).
// The model they called is billed by its own provider, found from the model's name.
const FRAMEWORKS: ReadonlySet<string> = new Set([
  'strands-agents',
  'strands',
  'langchain',
  'langgraph',
  'llamaindex',
  'llama_index',
  'crewai',
  'pydantic-ai',
  'pydantic_ai',
  'mastra',
  'openai-agents',
  'openai_agents',
  'google_adk',
  'gcp.vertex.agent',
  'autogen',
  'semantic_kernel',
  'haystack',
  'dspy',
  'github',
  'github.copilot',
  'copilot',
  'vercel',
  'ai',
]);

function canonicalKey(name: string): string {
  return name.trim().toLowerCase();
}

/**
 * Resolves a provider name as captured to a price-table provider id (or `free` for local
 * runtimes such as Ollama, LM Studio, llama.cpp and vLLM).
 *
 * Tries the exact spelling, then the part before the first '.' (the Vercel AI SDK's
 * `<provider>.<api>` form, e.g. `openai.responses`), then the price table's own provider matching.
 */
export function resolveProvider(provider: string | null | undefined): ProviderResolution {
  if (!provider) return { kind: 'unknown' };
  const key = canonicalKey(provider);
  if (!key) return { kind: 'unknown' };
  const head = key.split('.')[0]!;
  if (FRAMEWORKS.has(key)) return { kind: 'framework', id: key };
  for (const candidate of [key, head]) {
    if (FREE.has(candidate)) return { kind: 'free', id: candidate };
    const alias = ALIASES[candidate];
    if (alias) return { kind: 'table', id: alias };
  }
  const found = findProvider({ providerId: key });
  return found ? { kind: 'table', id: found.id } : { kind: 'unknown' };
}

/** Two provider spellings name the same provider (`az.ai.openai` and `azure` do). */
export function sameProvider(a: string, b: string): boolean {
  if (canonicalKey(a) === canonicalKey(b)) return true;
  const ra = resolveProvider(a);
  const rb = resolveProvider(b);
  return ra.kind !== 'unknown' && rb.kind !== 'unknown' && ra.kind === rb.kind && ra.id === rb.id;
}
