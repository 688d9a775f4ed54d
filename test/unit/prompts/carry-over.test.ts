// Carrying a call's variable values from version A's text to version B's, in the request bodies
// of each wire format.
import { describe, expect, it } from 'vitest';
import { emptyCall } from '../../../src/core/conventions/call';
import type { LlmCall } from '../../../src/core/model';
import { carryOver, carriedTexts } from '../../../src/core/prompts/carry-over';

const systemCall = (text: string): LlmCall => ({ ...emptyCall('proxy'), systemInstructions: [{ type: 'text', content: text }] });

describe('carriedTexts', () => {
  it('puts the values a call gave version A\'s slots into version B\'s, in order', () => {
    const call = systemCall('You help Ana plan trips to Oslo. Answer briefly.');
    expect(carriedTexts(call, 'You help {{…}} plan trips to {{…}}. Answer briefly.', 'You help {{…}} plan trips to {{…}}. Answer politely.'))
      .toEqual({ from: 'You help Ana plan trips to Oslo. Answer briefly.', to: 'You help Ana plan trips to Oslo. Answer politely.' });
  });

  it('takes B as it is when it has no variables, and refuses when the slot counts differ', () => {
    const call = systemCall('Help Bo.');
    expect(carriedTexts(call, 'Help {{…}}.', 'Be terse.')).toEqual({ from: 'Help Bo.', to: 'Be terse.' });
    expect(carriedTexts(call, 'Help {{…}}.', 'Help {{…}} in {{…}}.')).toEqual({ reason: expect.stringMatching(/2 variables where A has 1/) });
    expect(carriedTexts(systemCall('Something else'), 'Help {{…}}.', 'Be terse.')).toEqual({ reason: expect.stringMatching(/not an instance/) });
  });

  it('renders a named template again with the call\'s variables, whatever the placeholder style', () => {
    const call: LlmCall = { ...emptyCall('openinference'), prompt: { name: null, version: null, template: 'Weather in {city}?', variables: { city: 'Lima' }, experiment: null, variant: null } as LlmCall['prompt'] };
    expect(carriedTexts(call, 'Weather in {city}?', 'What is the weather in {{ city }} today?')).toEqual({ from: 'Weather in Lima?', to: 'What is the weather in Lima today?' });
  });
});

describe('carryOver', () => {
  const call = systemCall('You help "Ana" plan trips.\nAnswer briefly.');
  const A = 'You help "{{…}}" plan trips.\nAnswer briefly.';
  const B = 'You help "{{…}}" plan trips.\nAnswer politely.';

  it('replaces the text in an OpenAI chat body, JSON escapes and all, leaving the rest as sent', () => {
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'You help "Ana" plan trips.\nAnswer briefly.' }, { role: 'user', content: 'Plan my day.' }], temperature: 0.2 });
    const r = carryOver(body, call, A, B);
    expect(r.ok).toBe(true);
    const out = JSON.parse((r as { body: string }).body);
    expect(out.messages[0].content).toBe('You help "Ana" plan trips.\nAnswer politely.');
    expect(out.messages[1]).toEqual({ role: 'user', content: 'Plan my day.' });
    expect(out.temperature).toBe(0.2);
  });

  it('finds it in Anthropic\'s system blocks and Gemini\'s systemInstruction parts', () => {
    const anthropic = JSON.stringify({ model: 'claude', system: [{ type: 'text', text: 'You help "Ana" plan trips.\nAnswer briefly.' }], messages: [] });
    expect(JSON.parse((carryOver(anthropic, call, A, B) as { body: string }).body).system[0].text).toMatch(/politely/);
    const gemini = JSON.stringify({ systemInstruction: { parts: [{ text: 'You help "Ana" plan trips.\nAnswer briefly.' }] }, contents: [] });
    expect(JSON.parse((carryOver(gemini, call, A, B) as { body: string }).body).systemInstruction.parts[0].text).toMatch(/politely/);
  });

  it('says why when the text is not in the request or the body is not JSON', () => {
    expect(carryOver(JSON.stringify({ messages: [{ role: 'system', content: 'other' }] }), call, A, B)).toEqual({ ok: false, reason: expect.stringMatching(/not found/) });
    expect(carryOver('not json', call, A, B)).toEqual({ ok: false, reason: expect.stringMatching(/not JSON/) });
  });
});
