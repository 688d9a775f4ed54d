// Terms for scripts without spaces: indexed as character pairs beside the text, queried the same
// way; other text is left exactly as it was (most of what is indexed pays nothing).
import { describe, expect, it } from 'vitest';
import { matchExpressions, withDenseScriptTerms } from '../../src/core/search-terms';

describe('search terms', () => {
  it('leaves text without dense script untouched', () => {
    const text = 'chat gpt-4o\nWhere is my order? Café crème';
    expect(withDenseScriptTerms(text)).toBe(text);
    expect(matchExpressions('order café')).toEqual(['"order"*', '"café"*']);
    expect(matchExpressions(' ,.; ')).toBeNull();
  });

  it('adds character pairs after each line with dense script, and Latin runs inside it', () => {
    expect(withDenseScriptTerms('hello\n北京欢迎你 ok\nbye')).toBe('hello\n北京欢迎你 ok\n北京 京欢 欢迎 迎你 你\nbye');
    expect(withDenseScriptTerms('用GPT翻译')).toBe('用GPT翻译\n用 GPT 翻译 译');
  });

  it('queries a word as its pairs, a single character as a prefix, and never passes syntax through', () => {
    expect(matchExpressions('北京欢迎')).toEqual(['"北京" "京欢" "欢迎"']);
    expect(matchExpressions('京')).toEqual(['"京"*']);
    expect(matchExpressions('GPT翻译 "NEAR(x)"')).toEqual(['"GPT"* "翻译"', '"NEAR"*', '"x"*']);
    // Marks stay with their character.
    expect(matchExpressions('ภาษาไทย')![0]).toContain('"ภา"');
  });
});
