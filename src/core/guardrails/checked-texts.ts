// What the per-text rules found in texts already checked, so a text is checked once: an agent
// sends its whole conversation again with every call, and an application the same system prompt.
// Keyed by the text itself (the engine hashes strings natively) and by where it stood (side and
// origin decide which rules read it); bounded by entries and by the characters it keeps alive;
// least recently used first out. One store per resolved configuration.

import type { GuardrailHit } from './types';

/** A text's hits without their place in the call (start and end stay): re-located on use. */
export type PlacelessHit = Omit<GuardrailHit, 'location'> & { start?: number; end?: number };

/** Per family (and custom rule), the hits in one text at one kind of place. */
export type TextFindings = Map<string, PlacelessHit[]>;

interface Entry {
  /** `side|origin` → findings. */
  byPlace: Map<string, TextFindings>;
}

const MAX_TEXTS = 2048;
/** About 4 MB of one-byte text (8 MB two-byte) kept alive at most. */
const MAX_CHARS = 4_000_000;

export class CheckedTexts {
  private readonly entries = new Map<string, Entry>();
  private chars = 0;

  get(text: string, place: string): TextFindings | undefined {
    const e = this.entries.get(text);
    const f = e?.byPlace.get(place);
    if (f !== undefined) {
      // Most recently used last.
      this.entries.delete(text);
      this.entries.set(text, e!);
    }
    return f;
  }

  set(text: string, place: string, findings: TextFindings): void {
    let e = this.entries.get(text);
    if (e === undefined) {
      if (text.length > MAX_CHARS / 8) return; // a huge document would push out everything else
      e = { byPlace: new Map() };
      this.entries.set(text, e);
      this.chars += text.length;
      while (this.entries.size > MAX_TEXTS || this.chars > MAX_CHARS) {
        const oldest = this.entries.keys().next().value!;
        this.entries.delete(oldest);
        this.chars -= oldest.length;
      }
    }
    e.byPlace.set(place, findings);
  }

  clear(): void {
    this.entries.clear();
    this.chars = 0;
  }
}

const stores = new WeakMap<object, CheckedTexts>();

export function checkedTextsFor(config: object): CheckedTexts {
  let s = stores.get(config);
  if (s === undefined) {
    s = new CheckedTexts();
    stores.set(config, s);
  }
  return s;
}
