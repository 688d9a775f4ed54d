// A call as an Anthropic Messages request: system apart, user and assistant turns alternating,
// tool_use blocks in the assistant's turn and the tool_result blocks answering them first in the
// next user turn, max_tokens always set (the API requires it).

import type { History, ToolSpec } from './history';
import { assignDefined, type ReplayParams } from './params';

/** What Anthropic's API answers when max_tokens is missing is a 400; this is what a replay asks for then. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

type Block = Record<string, unknown>;

function mediaBlock(mime: string | null, data: string | null, url: string | null): Block {
  const isPdf = mime === 'application/pdf';
  const source = url !== null ? { type: 'url', url } : { type: 'base64', media_type: mime ?? 'image/png', data: data ?? '' };
  return { type: isPdf ? 'document' : 'image', source };
}

export function buildAnthropicMessages(model: string, h: History, tools: ToolSpec[], p: ReplayParams, notes: string[]): Record<string, unknown> {
  const system: string[] = h.system !== '' ? [h.system] : [];
  const messages: Array<{ role: 'user' | 'assistant'; content: Block[] }> = [];
  const push = (role: 'user' | 'assistant', blocks: Block[]) => {
    if (blocks.length === 0) return;
    const last = messages[messages.length - 1];
    // Consecutive turns of one role are one message; tool results stay ahead of the text.
    if (last && last.role === role) {
      const results = blocks.filter((b) => b.type === 'tool_result');
      last.content = [...last.content.filter((b) => b.type === 'tool_result'), ...results, ...last.content.filter((b) => b.type !== 'tool_result'), ...blocks.filter((b) => b.type !== 'tool_result')];
    } else messages.push({ role, content: blocks });
  };
  let orphans = 0;
  for (const t of h.turns) {
    if (t.role === 'system' || t.role === 'developer') {
      const text = t.parts.filter((x) => x.type === 'text').map((x) => (x as { text: string }).text).join('\n');
      if (text !== '') system.push(text);
      continue;
    }
    const role = t.role === 'assistant' ? 'assistant' : 'user';
    const results: Block[] = [];
    const rest: Block[] = [];
    for (const x of t.parts) {
      if (x.type === 'text') rest.push({ type: 'text', text: x.text });
      else if (x.type === 'media') rest.push(mediaBlock(x.mime, x.data, x.url));
      else if (x.type === 'tool_call') {
        if (role === 'assistant') rest.push({ type: 'tool_use', id: x.id, name: x.name, input: x.args });
        else rest.push({ type: 'text', text: `Call of tool ${x.name}: ${x.argsText}` });
      } else if (x.type === 'tool_result') {
        if (x.id === null) {
          orphans++;
          rest.push({ type: 'text', text: `Result of ${x.name ? `tool ${x.name}` : 'a tool'}: ${x.text}` });
        } else results.push({ type: 'tool_result', tool_use_id: x.id, content: x.text });
      }
    }
    if (results.length > 0) push('user', results);
    push(role === 'assistant' || results.length === 0 ? role : 'user', rest);
  }
  if (orphans > 0) notes.push(`${orphans} tool result(s) answer no tool call in the history: sent as user text`);
  const body: Record<string, unknown> = { model, max_tokens: p.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS };
  if (p.maxTokens === undefined) notes.push(`max_tokens was not recorded: set to ${ANTHROPIC_DEFAULT_MAX_TOKENS} (the API requires it)`);
  if (system.length > 0) body.system = system.join('\n\n');
  body.messages = messages;
  if (tools.length > 0) body.tools = tools.map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}), input_schema: t.parameters }));
  assignDefined(body, { temperature: p.temperature, top_p: p.topP, top_k: p.topK, stop_sequences: p.stop });
  for (const [k, v] of [['seed', p.seed], ['frequency_penalty', p.frequencyPenalty], ['presence_penalty', p.presencePenalty], ['n', p.choiceCount]] as const) {
    if (v !== undefined) notes.push(`${k} left out: Anthropic Messages has no such parameter`);
  }
  if (p.responseFormat) notes.push('response format left out: Anthropic Messages asks for JSON through the prompt or a tool');
  body.stream = true;
  return body;
}
