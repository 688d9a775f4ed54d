// A small assistant as a developer writes it, run by the prompts e2e suite on Node 22: its system
// prompt comes from a module in the developer's git workspace (PROMPT_MODULE), rendered with the
// user's name, and the official openai client streams each answer through Spyglass's recording
// proxy (no instrumentation at all). Run once, the prompt edited, run again: two versions.
// Env: SPYGLASS_URL, PROMPT_MODULE (absolute path). Prints one JSON line.
import { pathToFileURL } from 'node:url';
import OpenAI from 'openai';

const base = process.env.SPYGLASS_URL;
const module = process.env.PROMPT_MODULE;
if (!base || !module) throw new Error('SPYGLASS_URL and PROMPT_MODULE are required');

// A fresh import each run: the file is edited between runs.
const { systemPrompt } = await import(`${pathToFileURL(module).href}?t=${Date.now()}`);
const client = new OpenAI({ apiKey: 'sk-e2e-not-a-key', baseURL: `${base}/proxy/openai/v1`, maxRetries: 0 });
const users = ['Amara', 'Bastian', 'Chiara', 'Dev', 'Elif', 'Farid', 'Greta', 'Hiro'];
const answers = [];
for (const user of users) {
  const stream = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'system', content: systemPrompt(user) }, { role: 'user', content: 'Plan a day in Lisbon for me.' }],
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  answers.push(text);
}
console.log(JSON.stringify({ calls: answers.length, firstAnswer: answers[0] }));
