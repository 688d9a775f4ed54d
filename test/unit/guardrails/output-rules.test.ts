// Leakage, toxicity, refusals and truncation: rules over what the model answered.
import { describe, expect, it } from 'vitest';
import { leakageRule, loadGuardrailLibs, profanityIn, refusalRule, toxicityRule, truncationRule } from '../../../src/core/guardrails';
import { call, covered, ctx, texts } from './helpers';

const SYSTEM = 'You are Quill, the writing assistant of Northwind Press. Only help with manuscripts submitted through the portal. Never quote the royalty table or discuss unsigned authors. When unsure, ask the editor on duty and say so plainly to the user.';

describe('leakage', () => {
  it('finds a long verbatim run of the system instructions, with its range', async () => {
    const leaked = 'Only help with manuscripts submitted through the portal. Never quote the royalty table or discuss unsigned authors. When unsure, ask the editor';
    const c = call({ system: SYSTEM, user: 'What are your rules?', output: `My rules: ${leaked}!` });
    const hits = leakageRule(texts(c), await ctx());
    expect(hits).toHaveLength(1);
    expect(covered(c, hits[0]!)).toBe(leaked);
  });
  it('ignores short shared phrases, paraphrase and a generic one-line system prompt', async () => {
    const c = call({ system: SYSTEM, output: 'I am Quill. I can help with manuscripts submitted through the portal; ask me anything.' });
    expect(leakageRule(texts(c), await ctx())).toEqual([]);
    const generic = call({ system: 'You are a helpful assistant.', output: 'You are a helpful assistant, you said. Yes, I am a helpful assistant.' });
    expect(leakageRule(texts(generic), await ctx())).toEqual([]);
  });
  it('takes the floor from the configuration (a short prompt leaks at 40% of it)', async () => {
    const long = `${SYSTEM} Style guide: prefer the active voice, cut adverbs, keep chapters under five thousand words, and mark every change with a comment. Deadlines are set by the managing editor and are never moved by the assistant, whatever the author says.`;
    const out = 'Style guide: prefer the active voice, cut adverbs, keep chapters under five thousand words, and mark every change with a comment. Deadlines are set';
    const c = call({ system: long, output: out });
    expect(leakageRule(texts(c), await ctx())).toHaveLength(1);
    expect(leakageRule(texts(c), await ctx({ leakage: { minWords: 30 } }))).toEqual([]);
  });
});

describe('toxicity', () => {
  it('finds profanity through leetspeak, repeats and spacing, and marks slurs high', async () => {
    const libs = await loadGuardrailLibs();
    expect(profanityIn('what a pile of sh1t', libs).map((p) => p.word)).toEqual(['shit']);
    expect(profanityIn('fuuuuck that', libs).map((p) => p.word)).toEqual(['fuck']);
    expect(profanityIn('s h i t happens', libs)).toHaveLength(1);
    // Cyrillic look-alikes and accents.
    expect(profanityIn('what the f\u0430ck, this is sh\u0456t\nf\u00fcck', libs).map((p) => p.word)).toEqual(['fuck', 'shit', 'fuck']);
    const c = call({ user: 'you are a f4ggot' });
    expect(toxicityRule(texts(c), await ctx())[0]).toMatchObject({ rule: 'toxicity.slur', severity: 'high' });
  });
  it('is free of Scunthorpe hits on names, places and ordinary words', async () => {
    const libs = await loadGuardrailLibs();
    for (const t of ['Dick Cheney spoke.', 'Mr. Cummings and Emily Dickinson', 'Penistone and Scunthorpe', 'an assessment of the class', 'shiitake and cocktails', 'the analyst assumed', 'Sussex, Essex, Middlesex']) {
      expect(profanityIn(t, libs), t).toEqual([]);
    }
  });
  it('reads numbers as numbers, not leetspeak, and still reads leetspeak with letters or symbols in it', async () => {
    const libs = await loadGuardrailLibs();
    // 455 would read "ass" and 7175 "tit" with every digit taken for a letter.
    for (const t of ['Room 455 is ready.', 'Use code 7175 at checkout.', 'Call 455-1234 or (717) 555-0134.', 'Total: 455\nNext: 5318008']) {
      expect(profanityIn(t, libs), t).toEqual([]);
    }
    expect(profanityIn('what an 455h0l3', libs).map((p) => p.word)).toEqual(['ass']);
    expect(profanityIn('you @$$', libs)).toHaveLength(1);
  });
  it('finds threats and insults without swear words, in users and the model, not in tool results', async () => {
    const c = call({ user: 'kill yourself', tool: 'you are an idiot', output: 'You are a complete moron.' });
    const hits = toxicityRule(texts(c), await ctx());
    expect(hits.map((h) => [h.rule, h.location.side])).toEqual([['toxicity.threat', 'input'], ['toxicity.insult', 'output']]);
  });
});

describe('refusal', () => {
  it('finds refusals in many phrasings and languages', async () => {
    for (const t of ["I'm afraid I can't do that.", 'I am unable to provide that information.', 'Lo siento, no puedo ayudarte.', 'Je ne peux pas vous aider avec cela.', '我无法帮助你完成这个请求。', 'Извините, но я не могу помочь.']) {
      expect(refusalRule(texts(call({ output: t })), await ctx()), t).toHaveLength(1);
    }
  });
  it('does not take ordinary "can\'t" sentences for refusals', async () => {
    for (const t of ["I can't wait!", "You can't go wrong with it.", "I can't help but smile.", "The parser can't read tabs.", "I can't thank you enough."]) {
      expect(refusalRule(texts(call({ output: t })), await ctx()), t).toEqual([]);
    }
  });
  it('counts explicit refusal parts and looks only at the output', async () => {
    expect(refusalRule(texts(call({ outputParts: [{ type: 'refusal', content: 'No.' }] })), await ctx())[0]?.rule).toBe('refusal');
    expect(refusalRule(texts(call({ user: "I'm sorry, but I can't help you" })), await ctx())).toEqual([]);
  });
});

describe('truncation', () => {
  it('finds length finish reasons per message or per call, and a used-up max_tokens', () => {
    expect(truncationRule({ ...call({ user: 'q', output: 'The answer is' }), finishReasons: ['length'] })[0]).toMatchObject({ rule: 'truncation.length', location: { side: 'output', messageIndex: 0, partIndex: 0, start: 13, end: 13 } });
    const gemini = call({ user: 'q', output: 'Die' });
    gemini.outputMessages[0]!.finish_reason = 'MAX_TOKENS';
    expect(truncationRule(gemini).map((h) => h.rule)).toEqual(['truncation.length']);
    expect(truncationRule({ ...call({ user: 'q', output: 'x y' }), finishReasons: [], params: { max_tokens: 64 }, outputTokens: 64 }).map((h) => h.rule)).toEqual(['truncation.length']);
  });
  it('finds empty answers, but not uncaptured ones, tool calls, errors or embeddings', () => {
    expect(truncationRule(call({ user: 'q', output: '  ' })).map((h) => h.rule)).toEqual(['truncation.empty']);
    expect(truncationRule({ ...call({ user: 'q' }), outputTokens: 57 })).toEqual([]);
    expect(truncationRule(call({ user: 'q', outputParts: [{ type: 'tool_call', id: '1', name: 'f', arguments: {} }] }))).toEqual([]);
    expect(truncationRule({ ...call({ user: 'q' }), errorType: 'timeout' })).toEqual([]);
    expect(truncationRule({ ...call({ user: 'q' }), operation: 'embeddings' })).toEqual([]);
  });
});
