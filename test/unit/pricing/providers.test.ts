import { describe, expect, it } from 'vitest';
import { findProvider } from '@pydantic/genai-prices';
import { resolveProvider, sameProvider } from '../../../src/core/pricing';

describe('resolveProvider', () => {
  const cases: [string, string][] = [
    // OTel GenAI gen_ai.provider.name / gen_ai.system
    ['openai', 'openai'],
    ['azure.ai.openai', 'azure'],
    ['az.ai.openai', 'azure'],
    ['azure.ai.inference', 'azure'],
    ['anthropic', 'anthropic'],
    ['aws.bedrock', 'aws'],
    ['gcp.gemini', 'google'],
    ['gcp.vertex_ai', 'google'],
    ['gcp.gen_ai', 'google'],
    ['groq', 'groq'],
    ['mistral_ai', 'mistral'],
    ['deepseek', 'deepseek'],
    ['x_ai', 'x-ai'],
    ['cohere', 'cohere'],
    ['perplexity', 'perplexity'],
    // OpenInference llm.provider
    ['mistralai', 'mistral'],
    ['vertexai', 'google'],
    ['xai', 'x-ai'],
    ['google', 'google'],
    // Vercel AI SDK ai.model.provider
    ['openai.chat', 'openai'],
    ['openai.responses', 'openai'],
    ['anthropic.messages', 'anthropic'],
    ['google.generative-ai', 'google'],
    ['google.vertex.chat', 'google'],
    ['amazon-bedrock', 'aws'],
    ['azure-openai.chat', 'azure'],
    ['groq.chat', 'groq'],
    ['mistral.chat', 'mistral'],
    ['xai.chat', 'x-ai'],
    // proxy routes
    ['gemini', 'google'],
    ['openrouter', 'openrouter'],
    ['  OpenAI ', 'openai'],
  ];

  it.each(cases)('%s → %s', (name, id) => {
    expect(resolveProvider(name)).toEqual({ kind: 'table', id });
  });

  it('maps only to providers that exist in the table', () => {
    for (const [, id] of cases) expect(findProvider({ providerId: id })?.id, id).toBe(id);
  });

  it('knows local runtimes are free', () => {
    for (const name of ['ollama', 'ollama.chat', 'lmstudio', 'llama.cpp', 'vllm']) {
      expect(resolveProvider(name).kind, name).toBe('free');
    }
  });

  it('says unknown for names it cannot place', () => {
    expect(resolveProvider(null)).toEqual({ kind: 'unknown' });
    expect(resolveProvider('')).toEqual({ kind: 'unknown' });
    expect(resolveProvider('acme-gateway')).toEqual({ kind: 'unknown' });
  });

  it('compares spellings', () => {
    expect(sameProvider('azure', 'az.ai.openai')).toBe(true);
    expect(sameProvider('azure', 'openai')).toBe(false);
    expect(sameProvider('Acme', 'acme')).toBe(true);
    expect(sameProvider('acme', 'other')).toBe(false);
  });
});
