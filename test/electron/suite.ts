// The @vscode/test-electron suite: runs inside a real desktop VS Code's extension host (no mocha:
// `run()` is the whole suite). It activates Spyglass, checks every contributed command is
// registered, waits for the collector to report the port it took and answer on it, sends one OTLP/JSON
// span and sees it through the API, then opens it with the Open Trace command.
// Run with `npm run test:electron` (see run.mjs); it needs to download VS Code, so CI does not run it.
import * as vscode from 'vscode';

interface Check {
  name: string;
  fn: () => Promise<void>;
}

const EXTENSION_ID = 'spyglass.spyglass';

function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The port the extension's collector took (the runner asks for any free one), from its exported API. */
let httpPort = 0;
function port(): number {
  assert(httpPort > 0, 'the collector has not reported its port yet');
  return httpPort;
}

const traceId = '5b8efff798038103d269b633813fc60c';

const checks: Check[] = [
  {
    name: 'the extension is installed and activates',
    fn: async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      assert(ext, `${EXTENSION_ID} is not loaded`);
      await ext.activate();
      assert(ext.isActive, `${EXTENSION_ID} did not activate`);
    },
  },
  {
    name: 'every contributed command is registered',
    fn: async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      const contributed = ((ext?.packageJSON as { contributes?: { commands?: { command: string }[] } }).contributes?.commands ?? []).map((c) => c.command);
      assert(contributed.length > 0, 'package.json contributes no commands');
      const registered = new Set(await vscode.commands.getCommands(true));
      const missing = contributed.filter((c) => !registered.has(c));
      assert(missing.length === 0, `commands contributed but not registered: ${missing.join(', ')}`);
    },
  },
  {
    name: 'the collector reports its port and answers on it',
    fn: async () => {
      const api = vscode.extensions.getExtension(EXTENSION_ID)!.exports as { state: { kind: string; httpPort?: number } };
      httpPort = await waitFor('the collector to own a port', async () => (api.state.kind === 'owner' ? api.state.httpPort : undefined), 30_000);
      const health = await waitFor(
        '/api/health',
        async () => {
          const res = await fetch(`http://127.0.0.1:${port()}/api/health`);
          return res.ok ? ((await res.json()) as { app?: string }) : undefined;
        },
        30_000,
      );
      assert(health.app === 'spyglass', `unexpected health answer ${JSON.stringify(health)}`);
    },
  },
  {
    name: 'an OTLP/JSON span sent to the collector is listed and opens',
    fn: async () => {
      const nowNs = BigInt(Date.now()) * 1_000_000n;
      const body = {
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'electron-suite' } }] },
            scopeSpans: [
              {
                scope: { name: 'electron-suite' },
                spans: [
                  {
                    traceId,
                    spanId: '051581bf3cb55c13',
                    name: 'chat gpt-4o-mini',
                    kind: 3,
                    startTimeUnixNano: String(nowNs - 250_000_000n),
                    endTimeUnixNano: String(nowNs),
                    attributes: [
                      { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
                      { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
                      { key: 'gen_ai.usage.input_tokens', value: { intValue: '12' } },
                      { key: 'gen_ai.usage.output_tokens', value: { intValue: '5' } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      };
      const res = await fetch(`http://127.0.0.1:${port()}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert(res.ok, `POST /v1/traces answered ${res.status}`);
      await waitFor(
        'the trace in /api/traces',
        async () => {
          const list = (await (await fetch(`http://127.0.0.1:${port()}/api/traces?limit=50`)).json()) as { traces: { traceId: string }[] };
          return list.traces.some((t) => t.traceId === traceId) ? true : undefined;
        },
        10_000,
      );
      await vscode.commands.executeCommand('spyglass.openTrace', traceId);
    },
  },
];

export async function run(): Promise<void> {
  let passed = 0;
  let failed = 0;
  for (const check of checks) {
    try {
      await check.fn();
      passed++;
      console.log(`  ✓ ${check.name}`);
    } catch (err) {
      failed++;
      console.log(`  ✗ ${check.name}\n    ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  console.log(`\nelectron: ${passed} passed, ${failed} failed`);
  if (failed > 0) throw new Error(`${failed} electron check(s) failed`);
}
