// A call as an OpenAI request: Chat Completions (messages with tool_calls and tool messages) and
// the Responses API (input items with function_call / function_call_output).

import type { History, ToolSpec, Turn } from './history';
import { turnText } from './history';
import { assignDefined, type ReplayParams } from './params';

function chatContent(t: Turn): string | Array<Record<string, unknown>> | null {
  const media = t.parts.some((p) => p.type === 'media');
  if (!media) return turnText(t);
  const out: Array<Record<string, unknown>> = [];
  for (const p of t.parts) {
    if (p.type === 'text') out.push({ type: 'text', text: p.text });
    else if (p.type === 'media') out.push({ type: 'image_url', image_url: { url: p.url ?? `data:${p.mime ?? 'image/png'};base64,${p.data}` } });
  }
  return out;
}

export function chatMessages(h: History, notes: string[]): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  if (h.system !== '' && !h.turns.some((t) => t.role === 'system' || t.role === 'developer')) out.push({ role: 'system', content: h.system });
  let orphans = 0;
  for (const t of h.turns) {
    // Tool results first, as their own `tool` messages (Anthropic-style histories carry them in a user turn).
    for (const p of t.parts) {
      if (p.type !== 'tool_result') continue;
      if (p.id === null) {
        orphans++;
        out.push({ role: 'user', content: `Result of ${p.name ? `tool ${p.name}` : 'a tool'}: ${p.text}` });
      } else {
        out.push({ role: 'tool', tool_call_id: p.id, content: p.text });
      }
    }
    if (t.role === 'tool') continue;
    if (t.role === 'assistant') {
      const calls = t.parts.filter((p) => p.type === 'tool_call');
      const text = turnText(t);
      if (text === null && calls.length === 0) continue;
      const m: Record<string, unknown> = { role: 'assistant', content: text };
      if (calls.length > 0) m.tool_calls = calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.argsText } }));
      out.push(m);
      continue;
    }
    const content = chatContent(t);
    if (content !== null && content !== '') out.push({ role: t.role, content });
  }
  if (orphans > 0) notes.push(`${orphans} tool result(s) answer no tool call in the history: sent as user text`);
  return out;
}

export function buildChatCompletions(model: string, h: History, tools: ToolSpec[], p: ReplayParams, notes: string[]): Record<string, unknown> {
  const body: Record<string, unknown> = { model, messages: chatMessages(h, notes) };
  if (tools.length > 0) body.tools = tools.map((t) => ({ type: 'function', function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.parameters } }));
  assignDefined(body, {
    temperature: p.temperature, top_p: p.topP, max_tokens: p.maxTokens, stop: p.stop, seed: p.seed,
    frequency_penalty: p.frequencyPenalty, presence_penalty: p.presencePenalty, n: p.choiceCount,
  });
  if (p.topK !== undefined) notes.push('top_k left out: Chat Completions has no such parameter');
  if (p.responseFormat?.kind === 'json') body.response_format = { type: 'json_object' };
  else if (p.responseFormat?.kind === 'schema') {
    const { name, schema, strict } = p.responseFormat;
    body.response_format = { type: 'json_schema', json_schema: { name, schema, ...(strict !== undefined ? { strict } : {}) } };
  }
  body.stream = true;
  body.stream_options = { include_usage: true };
  return body;
}

export function buildResponses(model: string, h: History, tools: ToolSpec[], p: ReplayParams, notes: string[]): Record<string, unknown> {
  const input: Array<Record<string, unknown>> = [];
  let orphans = 0;
  for (const t of h.turns) {
    for (const part of t.parts) {
      if (part.type === 'tool_result') {
        if (part.id === null) {
          orphans++;
          input.push({ role: 'user', content: `Result of a tool: ${part.text}` });
        } else input.push({ type: 'function_call_output', call_id: part.id, output: part.text });
      }
    }
    if (t.role === 'tool') continue;
    const media = t.parts.some((x) => x.type === 'media') && t.role !== 'assistant';
    const text = turnText(t);
    if (media) {
      const content: Array<Record<string, unknown>> = [];
      for (const x of t.parts) {
        if (x.type === 'text') content.push({ type: 'input_text', text: x.text });
        else if (x.type === 'media') content.push({ type: 'input_image', image_url: x.url ?? `data:${x.mime ?? 'image/png'};base64,${x.data}` });
      }
      input.push({ role: t.role, content });
    } else if (text !== null) {
      input.push({ role: t.role, content: text });
    }
    for (const c of t.parts) if (c.type === 'tool_call') input.push({ type: 'function_call', call_id: c.id, name: c.name, arguments: c.argsText });
  }
  if (orphans > 0) notes.push(`${orphans} tool result(s) answer no tool call in the history: sent as user text`);
  const body: Record<string, unknown> = { model };
  if (h.system !== '') body.instructions = h.system;
  body.input = input;
  if (tools.length > 0) body.tools = tools.map((t) => ({ type: 'function', name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.parameters }));
  assignDefined(body, { temperature: p.temperature, top_p: p.topP, max_output_tokens: p.maxTokens });
  for (const [k, v] of [['stop', p.stop], ['seed', p.seed], ['top_k', p.topK]] as const) if (v !== undefined) notes.push(`${k} left out: the Responses API has no such parameter`);
  if (p.responseFormat?.kind === 'json') body.text = { format: { type: 'json_object' } };
  else if (p.responseFormat?.kind === 'schema') {
    const { name, schema, strict } = p.responseFormat;
    body.text = { format: { type: 'json_schema', name, schema, ...(strict !== undefined ? { strict } : {}) } };
  }
  body.stream = true;
  return body;
}
