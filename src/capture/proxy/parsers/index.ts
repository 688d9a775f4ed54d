// Which parser reads an exchange, chosen from the method and the path after the route name.
// Paths decide, not route names: an OpenAI-compatible server under any name is read as OpenAI.

import { anthropicMessagesParser } from './anthropic-messages';
import { geminiParser } from './gemini';
import { genericParser } from './generic';
import { openaiChatParser } from './openai-chat';
import { openaiEmbeddingsParser } from './openai-embeddings';
import { openaiResponsesParser } from './openai-responses';
import type { ApiParser } from './types';

const GEMINI_METHOD = /\/models\/[^/:]+:(\w+)$/;
const GEMINI_OPERATIONS: Record<string, string> = {
  embedContent: 'embeddings',
  batchEmbedContents: 'embeddings',
  countTokens: 'count_tokens',
};

export function parserFor(method: string, path: string): ApiParser {
  const p = path.split('?')[0]!.replace(/\/+$/, '');
  if (method === 'POST') {
    if (p.endsWith('/chat/completions')) return openaiChatParser;
    if (p.endsWith('/responses')) return openaiResponsesParser;
    if (p.endsWith('/embeddings')) return openaiEmbeddingsParser;
    // Anthropic's endpoint; OpenAI's Assistants API also has …/threads/{id}/messages.
    if (p.endsWith('/messages') && !p.includes('/threads/')) return anthropicMessagesParser;
    const g = GEMINI_METHOD.exec(p);
    if (g && (g[1] === 'generateContent' || g[1] === 'streamGenerateContent')) return geminiParser;
    if (g) return { ...genericParser(p), operation: GEMINI_OPERATIONS[g[1]!] ?? g[1]! };
  }
  return genericParser(p);
}

export type { ApiParser } from './types';
