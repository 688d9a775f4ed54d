// Privacy mode: before a call is stored, every PII and secret hit's text is replaced by a typed
// placeholder (`[EMAIL]`, `[SECRET:openai]`), and every hit's range is moved to where its text
// now is, so the stored hit still points at the right characters.

import type { ChatMessage, MessagePart } from '../model';
import type { CallLocation, GuardrailHit, GuardrailSubject } from './types';
import { partText } from './text';

type Redactable = Pick<GuardrailSubject, 'systemInstructions' | 'inputMessages' | 'outputMessages'>;

export interface Redaction<T extends Redactable> {
  call: T;
  hits: GuardrailHit[];
}

const REDACTED = new Set(['pii', 'secret']);

export function placeholderFor(hit: GuardrailHit): string {
  const type = (hit.type ?? hit.rule.slice(hit.rule.indexOf('.') + 1)).replace(/[^\w.-]/g, '');
  return hit.category === 'secret' ? `[SECRET:${type}]` : `[${type.toUpperCase()}]`;
}

const partKey = (l: CallLocation): string => `${l.side}|${l.messageIndex ?? ''}|${l.partIndex ?? ''}`;

interface Span {
  start: number;
  end: number;
  placeholder: string;
  secret: boolean;
}

/** Old offset → new offset in a part whose spans (sorted, disjoint) were replaced; inside a span, its placeholder's start or end. */
function mapper(spans: Array<Span & { newStart: number; newEnd: number }>): (pos: number, isEnd: boolean) => number {
  return (pos, isEnd) => {
    let delta = 0;
    for (const s of spans) {
      if (pos <= s.start) break;
      if (pos < s.end) return isEnd ? s.newEnd : s.newStart;
      delta = s.newEnd - s.end;
    }
    return pos + delta;
  };
}

function withText(part: MessagePart, text: string): MessagePart {
  const copy = { ...part } as MessagePart & Record<string, unknown>;
  const asValue = (original: unknown): unknown => {
    if (typeof original === 'string') return text;
    try {
      return JSON.parse(text);
    } catch {
      return text; // the placeholder broke the JSON (a hit across a quote): keep the text
    }
  };
  if (part.type === 'tool_call') copy.arguments = asValue((part as { arguments?: unknown }).arguments);
  else if (part.type === 'tool_call_response') copy.response = asValue((part as { response?: unknown }).response);
  else if (typeof (part as { content?: unknown }).content === 'string') copy.content = text;
  else copy.text = text;
  return copy;
}

/** The call with PII and secrets replaced, and all hits located in the redacted text. */
export function redactCall<T extends Redactable>(call: T, hits: GuardrailHit[]): Redaction<T> {
  const byPart = new Map<string, Span[]>();
  for (const h of hits) {
    const l = h.location;
    if (!REDACTED.has(h.category) || l.start === undefined || l.end === undefined || l.partIndex === undefined) continue;
    const list = byPart.get(partKey(l)) ?? [];
    list.push({ start: l.start, end: l.end, placeholder: placeholderFor(h), secret: h.category === 'secret' });
    byPart.set(partKey(l), list);
  }
  if (byPart.size === 0) return { call, hits };

  const maps = new Map<string, ReturnType<typeof mapper>>();
  const newParts = new Map<string, MessagePart>();
  const partAt = (l: CallLocation): MessagePart | undefined =>
    l.side === 'system' ? call.systemInstructions[l.partIndex!] : (l.side === 'input' ? call.inputMessages : call.outputMessages)[l.messageIndex ?? -1]?.parts[l.partIndex!];

  for (const [key, list] of byPart) {
    const [side, mi, pi] = key.split('|');
    const loc: CallLocation = { side: side as CallLocation['side'], partIndex: Number(pi) };
    if (mi !== '') loc.messageIndex = Number(mi);
    const part = partAt(loc);
    const text = part ? partText(part) : null;
    if (!part || text === null) continue;
    // Overlapping hits become one replacement; a secret's placeholder wins over PII's.
    list.sort((a, b) => a.start - b.start || b.end - a.end);
    const merged: Span[] = [];
    for (const s of list) {
      const last = merged[merged.length - 1];
      if (last && s.start < last.end) {
        last.end = Math.max(last.end, s.end);
        if (s.secret && !last.secret) {
          last.placeholder = s.placeholder;
          last.secret = true;
        }
      } else merged.push({ ...s, end: Math.min(s.end, text.length) });
    }
    let out = '';
    let cursor = 0;
    const placed: Array<Span & { newStart: number; newEnd: number }> = [];
    for (const s of merged) {
      out += text.slice(cursor, s.start);
      const newStart = out.length;
      out += s.placeholder;
      placed.push({ ...s, newStart, newEnd: out.length });
      cursor = s.end;
    }
    out += text.slice(cursor);
    newParts.set(key, withText(part, out));
    maps.set(key, mapper(placed));
  }

  const replaceIn = (messages: ChatMessage[], side: 'input' | 'output'): ChatMessage[] =>
    messages.map((m, mi) => {
      if (!m.parts.some((_, pi) => newParts.has(`${side}|${mi}|${pi}`))) return m;
      return { ...m, parts: m.parts.map((p, pi) => newParts.get(`${side}|${mi}|${pi}`) ?? p) };
    });
  const redacted = {
    ...call,
    systemInstructions: call.systemInstructions.map((p, pi) => newParts.get(`system||${pi}`) ?? p),
    inputMessages: replaceIn(call.inputMessages, 'input'),
    outputMessages: replaceIn(call.outputMessages, 'output'),
  } as T;

  const moved = hits.map((h) => {
    const l = h.location;
    const map = maps.get(partKey(l));
    if (!map || l.start === undefined || l.end === undefined) return h;
    const start = map(l.start, false);
    const end = Math.max(start, map(l.end, true));
    return { ...h, location: { ...l, start, end } };
  });
  return { call: redacted, hits: moved };
}
