// "Replay this version's calls with version B": one of A's calls sent again with B's text in
// place of A's, the call's own variable values kept. A template an instrumentation named is
// rendered again with the call's variables; a recovered template (variables as `{{…}}`) gives
// up the values the call put in its slots, and B's slots take them in order. The request body
// is walked as JSON and every string holding A's text as sent gets B's, so the same code serves
// OpenAI, Anthropic and Gemini bodies (system message, system field, systemInstruction parts). Pure.

import type { LlmCall } from '../model';
import { promptTextOf } from './identity';
import { SLOT, slotValues } from './versions';

export type CarryOver = { ok: true; body: string; text: string } | { ok: false; reason: string };

/** Placeholders a template language would use for a named variable: `{{ name }}`, `{name}`, `${name}`, `%(name)s`. */
function render(template: string, variables: Record<string, string>): string {
  let out = template;
  for (const [name, value] of Object.entries(variables)) {
    const n = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`\\{\\{\\s*${n}\\s*\\}\\}|\\$\\{${n}\\}|\\{${n}\\}|%\\(${n}\\)s`, 'g'), () => value);
  }
  return out;
}

/** A's text as the call sent it, and B's text as it would have sent it. */
export function carriedTexts(call: Pick<LlmCall, 'prompt' | 'systemInstructions' | 'inputMessages'>, templateA: string, templateB: string): { from: string; to: string } | { reason: string } {
  const template = call.prompt?.template;
  if (template) {
    const vars = call.prompt?.variables ?? {};
    return { from: render(template, vars), to: render(templateB, vars) };
  }
  const sent = promptTextOf(call);
  const values = slotValues(templateA, sent);
  if (values === null) return { reason: "the call's text is not an instance of version A's template" };
  const slotsB = templateB.split(SLOT).length - 1;
  if (slotsB !== values.length && slotsB !== 0) {
    return { reason: `version B has ${slotsB} variable${slotsB === 1 ? '' : 's'} where A has ${values.length}: the call's values cannot be carried over` };
  }
  return { from: sent, to: templateB.split(SLOT).reduce((acc, piece, k) => acc + values[k - 1]! + piece) };
}

/** Every string in a JSON value with `from` replaced by `to`; how many were changed. */
function replaceIn(value: unknown, from: string, to: string, count: { n: number }): unknown {
  if (typeof value === 'string') {
    if (!value.includes(from)) return value;
    count.n++;
    return value.split(from).join(to);
  }
  if (Array.isArray(value)) return value.map((v) => replaceIn(v, from, to, count));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceIn(v, from, to, count)]));
  }
  return value;
}

/** The request body with B's text where the call had A's. */
export function carryOver(body: string, call: Pick<LlmCall, 'prompt' | 'systemInstructions' | 'inputMessages'>, templateA: string, templateB: string): CarryOver {
  const texts = carriedTexts(call, templateA, templateB);
  if ('reason' in texts) return { ok: false, reason: texts.reason };
  if (texts.from === '') return { ok: false, reason: 'the call sent no prompt text to replace' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'the request body is not JSON' };
  }
  const count = { n: 0 };
  const replaced = replaceIn(parsed, texts.from, texts.to, count);
  if (count.n === 0) return { ok: false, reason: "version A's text as sent was not found in the request (split over several messages?)" };
  return { ok: true, body: JSON.stringify(replaced), text: texts.to };
}
