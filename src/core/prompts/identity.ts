// Which prompt a stored call belongs to. A name an instrumentation gives (a prompt registry's, a
// template's) is the prompt across services; a template without a name, or bare system
// instructions, belong to the calls of one service and span name. An experiment's variants are
// grouped the same way, under the experiment. The hash a call's text is stored under is computed
// from the call alone (a stored column); the group needs the span's service and name too.

import type { LlmCall } from '../model';
import { hashString } from '../hash';
import { callSystemText } from './text';

export type PromptSource = 'template' | 'system' | 'experiment';

/** The text a call's prompt version is recognised by: the template when given, else the system instructions. */
export function promptTextOf(call: Pick<LlmCall, 'prompt' | 'systemInstructions' | 'inputMessages'>): string {
  return call.prompt?.template ?? callSystemText(call);
}

/** Stored with the call: the hash of its prompt text, or null when the call belongs to no prompt nor experiment. */
export function promptHashOf(call: LlmCall): string | null {
  const text = promptTextOf(call);
  if (text === '' && call.promptName === null && !call.prompt?.variant) return null;
  return hashString(text);
}

/** Stored with the call: how its prompt is known. */
export function promptSourceOf(call: LlmCall): 'template' | 'system' | null {
  if (call.promptName !== null || call.prompt?.template) return 'template';
  return promptTextOf(call) !== '' ? 'system' : null;
}

/** A call's stored prompt columns, as the writer and the queries read them. */
export interface PromptColumns {
  promptName: string | null;
  promptVersion: string | null;
  promptHash: string | null;
  promptSource: string | null;
  experiment: string | null;
  variant: string | null;
}

export interface PromptKey {
  groupKey: string;
  source: PromptSource;
  name: string;
  /** The text's hash. */
  hash: string;
  /** The version the instrumentation declared (the variant, for an experiment), else null. */
  declaredVersion: string | null;
}

/** The prompt (and experiment) groups a call counts in: none, one or two. */
export function promptKeysOf(c: PromptColumns, serviceName: string | null, spanName: string): PromptKey[] {
  if (c.promptHash === null) return [];
  const keys: PromptKey[] = [];
  const where = `${serviceName ?? ''}\u0000${spanName}`;
  if (c.promptSource === 'template' && c.promptName !== null) {
    keys.push({ groupKey: `template\u0000${c.promptName}`, source: 'template', name: c.promptName, hash: c.promptHash, declaredVersion: c.promptVersion });
  } else if (c.promptSource === 'template') {
    keys.push({ groupKey: `template\u0000${where}`, source: 'template', name: spanName, hash: c.promptHash, declaredVersion: c.promptVersion });
  } else if (c.promptSource === 'system') {
    keys.push({ groupKey: `system\u0000${where}`, source: 'system', name: spanName, hash: c.promptHash, declaredVersion: null });
  }
  if (c.experiment !== null && c.variant !== null) {
    keys.push({ groupKey: `experiment\u0000${c.experiment}`, source: 'experiment', name: c.experiment, hash: c.promptHash, declaredVersion: c.variant });
  }
  return keys;
}

/** A prompt's id in URLs and the API: short, stable, and free of characters a path would need to escape. */
export function promptIdOf(groupKey: string): string {
  return hashString(groupKey);
}
