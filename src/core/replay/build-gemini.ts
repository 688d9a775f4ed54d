// A call as a Gemini generateContent request: systemInstruction apart, `user` and `model`
// contents, functionCall parts and the functionResponse parts answering them (tied by name),
// generationConfig for the parameters.

import type { History, ToolSpec } from './history';
import { isRecord } from '../conventions/values';
import { assignDefined, type ReplayParams } from './params';

type Part = Record<string, unknown>;

export function buildGeminiContent(h: History, tools: ToolSpec[], p: ReplayParams, notes: string[]): Record<string, unknown> {
  const contents: Array<{ role: 'user' | 'model'; parts: Part[] }> = [];
  const system: string[] = h.system !== '' ? [h.system] : [];
  let orphans = 0;
  for (const t of h.turns) {
    if (t.role === 'system' || t.role === 'developer') {
      for (const x of t.parts) if (x.type === 'text') system.push(x.text);
      continue;
    }
    const role = t.role === 'assistant' ? 'model' : 'user';
    const parts: Part[] = [];
    for (const x of t.parts) {
      if (x.type === 'text') parts.push({ text: x.text });
      else if (x.type === 'media') parts.push(x.url !== null ? { fileData: { mimeType: x.mime ?? 'application/octet-stream', fileUri: x.url } } : { inlineData: { mimeType: x.mime ?? 'image/png', data: x.data ?? '' } });
      else if (x.type === 'tool_call') parts.push({ functionCall: { name: x.name, args: x.args } });
      else if (x.type === 'tool_result' && x.id === null) {
        orphans++;
        parts.push({ text: `Result of ${x.name ? `tool ${x.name}` : 'a tool'}: ${x.text}` });
      } else if (x.type === 'tool_result') {
        // A function's response is an object; anything else is wrapped, as Google's SDKs do.
        const response = isRecord(x.response) ? x.response : { result: x.response ?? null };
        parts.push({ functionResponse: { name: x.name ?? 'tool', response } });
      }
    }
    if (parts.length === 0) continue;
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  }
  if (orphans > 0) notes.push(`${orphans} tool result(s) answer no tool call in the history: sent as user text`);
  const body: Record<string, unknown> = {};
  if (system.length > 0) body.systemInstruction = { parts: [{ text: system.join('\n\n') }] };
  body.contents = contents;
  if (tools.length > 0) {
    body.tools = [{ functionDeclarations: tools.map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.parameters })) }];
  }
  const config: Record<string, unknown> = {};
  assignDefined(config, {
    temperature: p.temperature, topP: p.topP, topK: p.topK, maxOutputTokens: p.maxTokens, stopSequences: p.stop, seed: p.seed,
    candidateCount: p.choiceCount, presencePenalty: p.presencePenalty, frequencyPenalty: p.frequencyPenalty,
  });
  if (p.responseFormat) {
    config.responseMimeType = 'application/json';
    if (p.responseFormat.kind === 'schema') config.responseJsonSchema = p.responseFormat.schema;
  }
  if (Object.keys(config).length > 0) body.generationConfig = config;
  return body;
}
