// The text an event of a streamed answer adds, per wire format: what a replay shows while the
// answer arrives. Pure: one SSE event's data in, the added text (or '') out.

import { isRecord } from '../conventions/values';
import type { WireApi } from './wire-api';

export function streamedText(api: WireApi | null, data: string): string {
  if (data === '[DONE]' || data === '') return '';
  let e: unknown;
  try {
    e = JSON.parse(data);
  } catch {
    return '';
  }
  if (!isRecord(e)) return '';
  switch (api) {
    case 'anthropic.messages': {
      const d = isRecord(e.delta) ? e.delta : null;
      return e.type === 'content_block_delta' && d && d.type === 'text_delta' && typeof d.text === 'string' ? d.text : '';
    }
    case 'openai.responses':
      return e.type === 'response.output_text.delta' && typeof e.delta === 'string' ? e.delta : '';
    case 'gemini.generate_content': {
      let out = '';
      for (const c of Array.isArray(e.candidates) ? e.candidates.slice(0, 1) : []) {
        const parts = isRecord(c) && isRecord(c.content) && Array.isArray(c.content.parts) ? c.content.parts : [];
        for (const p of parts) if (isRecord(p) && typeof p.text === 'string' && p.thought !== true) out += p.text;
      }
      return out;
    }
    default: {
      const choice = Array.isArray(e.choices) ? e.choices[0] : null;
      const d = isRecord(choice) && isRecord(choice.delta) ? choice.delta : null;
      return d && typeof d.content === 'string' ? d.content : '';
    }
  }
}
