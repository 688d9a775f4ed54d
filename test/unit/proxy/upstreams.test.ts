import { describe, expect, it } from 'vitest';
import { displayBase, parseUpstreamArg, UpstreamTable } from '../../../src/capture/proxy/upstreams';

describe('UpstreamTable', () => {
  it('has the built-ins, lets configured names override them, and names providers', () => {
    const t = new UpstreamTable({ openai: 'http://127.0.0.1:9000', ollama: 'http://localhost:11434/v1/', groqy: 'https://api.groq.com/openai' });
    expect(t.names()).toEqual(['anthropic', 'gemini', 'groqy', 'ollama', 'openai']);
    expect(t.get('openai')!.base.href).toBe('http://127.0.0.1:9000/');
    expect(t.get('openai')!.provider).toBe('openai');
    expect(t.get('ollama')).toMatchObject({ basePath: '/v1', provider: 'ollama' });
    expect(t.get('groqy')!.provider).toBe('groq');
    expect(t.get('gemini')!.provider).toBe('gcp.gemini');
    expect(t.get('anthropic')!.base.origin).toBe('https://api.anthropic.com');
  });

  it('refuses bad names and URLs loudly', () => {
    expect(() => new UpstreamTable({ 'a/b': 'http://x' })).toThrow(/invalid upstream name/);
    expect(() => new UpstreamTable({ x: 'not a url' })).toThrow(/invalid upstream URL/);
    expect(() => new UpstreamTable({ x: 'ftp://host' })).toThrow(/http/);
    expect(() => new UpstreamTable({ x: 'http://host/?a=1' })).toThrow(/query/);
  });

  it('parses --upstream values and hides credentials in a base URL', () => {
    expect(parseUpstreamArg('openai=http://127.0.0.1:9000')).toEqual(['openai', 'http://127.0.0.1:9000']);
    expect(parseUpstreamArg('az=https://x.openai.azure.com/openai?x=a=b')).toEqual(['az', 'https://x.openai.azure.com/openai?x=a=b']);
    expect(() => parseUpstreamArg('novalue=')).toThrow();
    expect(() => parseUpstreamArg('=http://x')).toThrow();
    expect(displayBase(new URL('https://user:secret@host.example/v1'))).toBe('https://host.example/v1');
  });
});
