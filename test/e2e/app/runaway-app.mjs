// An agent that has gone wrong, as a developer would meet one: the official openai client, its base
// URL pointed at Spyglass's recording proxy, retrying the same request in a tight loop until the
// provider (here: Spyglass's circuit breaker) says no. Run by the alerts e2e suite on Node 22.
// Env: SPYGLASS_URL, ROUTE (the proxy route), SERVICE (sent as x-spyglass-service), MAX_CALLS.
// Prints one JSON line: how many calls went through and what the refusal said.
import OpenAI from 'openai';

const base = process.env.SPYGLASS_URL;
if (!base) throw new Error('SPYGLASS_URL is required');
const client = new OpenAI({
  apiKey: 'sk-e2e-not-a-real-key',
  baseURL: `${base}/proxy/${process.env.ROUTE ?? 'openai'}/v1`,
  maxRetries: 0,
  defaultHeaders: { 'x-spyglass-service': process.env.SERVICE ?? 'runaway-agent' },
});

const startedAt = Date.now();
let ok = 0;
let refused = null;
for (let i = 0; i < Number(process.env.MAX_CALLS ?? 500) && !refused; i++) {
  try {
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'system', content: 'You are a planning agent.' }, { role: 'user', content: 'Plan the next step. The last step failed; try again.' }],
    });
    ok++;
  } catch (err) {
    if (!(err instanceof OpenAI.APIError)) throw err;
    refused = { status: err.status, code: err.code, message: err.message, at: Date.now() };
  }
}
console.log(JSON.stringify({ startedAt, ok, refused }));
