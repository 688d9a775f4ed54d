import { describe, expect, it } from 'vitest';
import { isPlaceholder, secretRule } from '../../../src/core/guardrails';
import { call, covered, ctx, texts } from './helpers';

// Generated fakes: random-looking, right shape, never real credentials.
const chars = 'aB3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zQw7eRt6yUi5oPa4sDf3gHj2kLl1zXc0v';
const fake = (n: number, from = 0): string => Array.from({ length: n }, (_, i) => chars[(i * 7 + from) % chars.length]).join('');

async function secrets(text: string, where: 'user' | 'tool' | 'output' = 'user'): Promise<Array<{ rule: string; text: string; explanation: string }>> {
  const c = where === 'user' ? call({ user: text }) : where === 'tool' ? call({ tool: text }) : call({ output: text });
  return (await secretRule(texts(c), await ctx())).map((h) => ({ rule: h.rule, text: covered(c, h), explanation: h.explanation }));
}

describe('secrets', () => {
  it('finds provider keys through secretlint, with ranges, without quoting them in the explanation', async () => {
    const key = `sk-ant-api03-${fake(93)}AA`;
    const hits = await secrets(`export ANTHROPIC_API_KEY=${key}\nnext line`);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.rule).toBe('secret.anthropic');
    expect(hits[0]!.text).toBe(key);
    expect(hits[0]!.explanation).not.toContain(key.slice(14, 30));
  });
  it('finds GitHub and Slack tokens in tool results and model output', async () => {
    expect((await secrets(`token ghp_${fake(36, 3)}`, 'tool')).map((h) => h.rule)).toEqual(['secret.github']);
    expect((await secrets(`xoxb-730418265937-5820374619283-${fake(24, 5)}`, 'output')).map((h) => h.rule)).toEqual(['secret.slack']);
  });
  it('adds what the preset lacks: OpenAI project keys of any length, JWTs, PEM keys, Google keys, connection strings', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.' + fake(43, 9);
    const pem = `-----BEGIN EC PRIVATE KEY-----\n${fake(64)}\n${fake(64, 2)}\n-----END EC PRIVATE KEY-----`;
    const rules = (await secrets(`a sk-proj-${fake(120, 1)} b ${jwt} c ${pem} d AIza${fake(35, 4)} e redis://default:${fake(20, 6)}@cache.internal:6379`)).map((h) => h.rule);
    expect(rules.sort()).toEqual(['secret.connection-string', 'secret.google', 'secret.jwt', 'secret.openai', 'secret.privatekey']);
  });
  it('finds a long random value assigned to a credential-like name', async () => {
    expect((await secrets(`{"client_secret": "${fake(40, 8)}"}`)).map((h) => h.rule)).toEqual(['secret.generic']);
  });
  it('leaves placeholders, lookups and documentation examples alone', async () => {
    for (const t of [
      'OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
      "api_key=os.environ['OPENAI_API_KEY']",
      'const k = process.env.ANTHROPIC_API_KEY;',
      'api_key: <your-api-key>',
      'postgres://user:${DB_PASSWORD}@localhost:5432/app',
      'aws_access_key_id = AKIAIOSFODNN7EXAMPLE',
      '-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----',
      "api_key = 'sk-proj-abc123abc123abc123abc123abc123abc123abc123abc123'",
      'Commit 9fceb02d0ae598e95dc970b74767f19372d61af8 fixed it.',
    ]) {
      expect(await secrets(t), t).toEqual([]);
    }
    expect(isPlaceholder('${{ secrets.GITHUB_TOKEN }}')).toBe(true);
  });
  it('does not join two texts into one secret', async () => {
    const c = call({ user: ['token ghp_' + fake(20), fake(16, 2) + ' rest'] });
    expect(await secretRule(texts(c), await ctx())).toEqual([]);
  });
});
