// A request as code a developer can paste and run: curl, TypeScript (openai, @anthropic-ai/sdk)
// and Python (openai, anthropic). Keys are read from the environment, never written into the
// code; the base URL is the Spyglass proxy route, so running it is recorded as a trace too (a
// comment says what to drop to call the provider directly).

import { isRecord } from '../conventions/values';
import { credentialOf, type WireApi } from './wire-api';

export type CodeLanguage = 'curl' | 'typescript' | 'python';

export interface CodeRequest {
  api: WireApi | null;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Which languages a request can be written in: SDK code needs an API the SDK speaks and a JSON object body. */
export function codeLanguages(req: CodeRequest): CodeLanguage[] {
  const sdk = (req.api === 'openai.chat_completions' || req.api === 'openai.responses' || req.api === 'anthropic.messages') && jsonBody(req.body) !== null;
  return sdk ? ['curl', 'typescript', 'python'] : ['curl'];
}

function jsonBody(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return isRecord(v) ? v : null;
  } catch {
    return null;
  }
}

/** Headers an SDK does not set itself and the request needs (betas, organization). */
const SDK_EXTRA_HEADERS = /^(anthropic-beta|openai-beta|openai-organization|openai-project)$/;

const ENDPOINT_SUFFIX: Partial<Record<WireApi, RegExp>> = {
  'openai.chat_completions': /\/chat\/completions$/,
  'openai.responses': /\/responses$/,
  'anthropic.messages': /\/v1\/messages$/,
};

/** The SDK's base URL for a request sent to `routeBase` (`http://127.0.0.1:4318/proxy/openai`). */
function sdkBaseUrl(req: CodeRequest, routeBase: string): string {
  const p = req.path.split('?')[0]!;
  const suffix = req.api ? ENDPOINT_SUFFIX[req.api] : undefined;
  return `${routeBase}${suffix ? p.replace(suffix, '') : p}`;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function toCurl(req: CodeRequest, routeBase: string): string {
  const cred = credentialOf(req.api ?? 'openai.chat_completions');
  const lines = [`curl -sS -N -X ${req.method} ${shellQuote(routeBase + req.path)}`];
  lines.push(`-H ${cred.scheme === 'bearer' ? `"Authorization: Bearer $${cred.env[0]}"` : `"${cred.header}: $${cred.env[0]}"`}`);
  for (const [k, v] of Object.entries(req.headers)) if (k !== 'user-agent' && !k.startsWith('x-stainless')) lines.push(`-H ${shellQuote(`${k}: ${v}`)}`);
  let delim = 'SPYGLASS_BODY';
  while (req.body.split('\n').includes(delim)) delim += '_';
  lines.push(`--data-binary @- <<'${delim}'`);
  return `${lines.join(' \\\n  ')}\n${req.body.replace(/\n$/, '')}\n${delim}\n`;
}

function pretty(body: Record<string, unknown>): string {
  return JSON.stringify(body, null, 2);
}

export function toTypeScript(req: CodeRequest, routeBase: string): string {
  const body = jsonBody(req.body);
  if (!body || !req.api || req.api === 'gemini.generate_content') throw new Error('TypeScript code is written for OpenAI and Anthropic requests with a JSON body');
  const stream = body.stream === true;
  const extra = Object.entries(req.headers).filter(([k]) => SDK_EXTRA_HEADERS.test(k));
  const headers = extra.length > 0 ? `, defaultHeaders: ${JSON.stringify(Object.fromEntries(extra))}` : '';
  const base = JSON.stringify(sdkBaseUrl(req, routeBase));
  const note = '// Goes through Spyglass (recorded as a new trace); remove baseURL to call the provider directly.';
  if (req.api === 'anthropic.messages') {
    return [
      "import Anthropic from '@anthropic-ai/sdk';", '', note,
      `const client = new Anthropic({ apiKey: process.env.ANTHROPIC_API_KEY, baseURL: ${base}${headers} });`, '',
      `const body: Anthropic.${stream ? 'MessageCreateParamsStreaming' : 'MessageCreateParamsNonStreaming'} = ${pretty(body)};`, '',
      ...(stream
        ? ['const stream = await client.messages.create(body);', 'for await (const event of stream) {', "  if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') process.stdout.write(event.delta.text);", '}', "process.stdout.write('\\n');"]
        : ['const message = await client.messages.create(body);', "console.log(message.content.map((b) => (b.type === 'text' ? b.text : '')).join(''));"]),
      '',
    ].join('\n');
  }
  const head = ["import OpenAI from 'openai';", '', note, `const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY, baseURL: ${base}${headers} });`, ''];
  if (req.api === 'openai.responses') {
    return [...head,
      `const body: OpenAI.Responses.${stream ? 'ResponseCreateParamsStreaming' : 'ResponseCreateParamsNonStreaming'} = ${pretty(body)};`, '',
      ...(stream
        ? ['const stream = await client.responses.create(body);', 'for await (const event of stream) {', "  if (event.type === 'response.output_text.delta') process.stdout.write(event.delta);", '}', "process.stdout.write('\\n');"]
        : ['const response = await client.responses.create(body);', 'console.log(response.output_text);']),
      ''].join('\n');
  }
  return [...head,
    `const body: OpenAI.Chat.${stream ? 'ChatCompletionCreateParamsStreaming' : 'ChatCompletionCreateParamsNonStreaming'} = ${pretty(body)};`, '',
    ...(stream
      ? ['const stream = await client.chat.completions.create(body);', 'for await (const chunk of stream) {', "  process.stdout.write(chunk.choices[0]?.delta?.content ?? '');", '}', "process.stdout.write('\\n');"]
      : ['const completion = await client.chat.completions.create(body);', 'console.log(completion.choices[0]?.message.content);']),
    ''].join('\n');
}

/** A JSON value as a Python literal (True/False/None; strings in JSON form, which Python reads alike). */
export function pythonLiteral(v: unknown, indent = ''): string {
  const inner = `${indent}    `;
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'None';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return v.length === 0 ? '[]' : `[\n${v.map((x) => `${inner}${pythonLiteral(x, inner)}`).join(',\n')},\n${indent}]`;
  const entries = Object.entries(v as Record<string, unknown>);
  return entries.length === 0 ? '{}' : `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${pythonLiteral(x, inner)}`).join(',\n')},\n${indent}}`;
}

export function toPython(req: CodeRequest, routeBase: string): string {
  const body = jsonBody(req.body);
  if (!body || !req.api || req.api === 'gemini.generate_content') throw new Error('Python code is written for OpenAI and Anthropic requests with a JSON body');
  const stream = body.stream === true;
  const extra = Object.entries(req.headers).filter(([k]) => SDK_EXTRA_HEADERS.test(k));
  const headers = extra.length > 0 ? `, default_headers=${pythonLiteral(Object.fromEntries(extra))}` : '';
  const base = JSON.stringify(sdkBaseUrl(req, routeBase));
  const note = '# Goes through Spyglass (recorded as a new trace); remove base_url to call the provider directly.';
  const anthropic = req.api === 'anthropic.messages';
  const lines = [
    'import os', '', anthropic ? 'from anthropic import Anthropic' : 'from openai import OpenAI', '', note,
    `client = ${anthropic ? 'Anthropic' : 'OpenAI'}(api_key=os.environ["${anthropic ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY'}"], base_url=${base}${headers})`, '',
    `body = ${pythonLiteral(body)}`, '',
  ];
  const call = anthropic ? 'client.messages.create(**body)' : req.api === 'openai.responses' ? 'client.responses.create(**body)' : 'client.chat.completions.create(**body)';
  if (stream) {
    lines.push(`for event in ${call}:`);
    if (anthropic) lines.push('    if event.type == "content_block_delta" and event.delta.type == "text_delta":', '        print(event.delta.text, end="", flush=True)');
    else if (req.api === 'openai.responses') lines.push('    if event.type == "response.output_text.delta":', '        print(event.delta, end="", flush=True)');
    else lines.push('    if event.choices and event.choices[0].delta.content:', '        print(event.choices[0].delta.content, end="", flush=True)');
    lines.push('print()');
  } else {
    lines.push(`result = ${call}`);
    if (anthropic) lines.push('print("".join(b.text for b in result.content if b.type == "text"))');
    else if (req.api === 'openai.responses') lines.push('print(result.output_text)');
    else lines.push('print(result.choices[0].message.content)');
  }
  return `${lines.join('\n')}\n`;
}

export function toCode(language: CodeLanguage, req: CodeRequest, routeBase: string): string {
  return language === 'curl' ? toCurl(req, routeBase) : language === 'typescript' ? toTypeScript(req, routeBase) : toPython(req, routeBase);
}
