// Privacy mode in a real VS Code host (`spyglass.guardrails.privacyMode` on): the same app as
// guardrails.e2e.ts sends a call with an e-mail address, a real-looking OpenAI key and a hidden
// instruction. The collector stores it with typed placeholders; the developer sees the three hits
// in the Guardrails view and, opening the call, `[EMAIL]` and `[SECRET:openai]` highlighted where
// the originals were, which the database file never held.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanDetail } from '../../src/protocol/api';
import { getJson } from './harness/collector-api';
import { runApp } from './harness/apps';
import { seen } from './harness/ui-wait';
import { waitFor } from './harness/wait';
import { endSession, screenshotOnFailure, startSession, type E2eSession } from './harness/session';


let dbPath: string;
let wb: E2eSession['wb'] | undefined;
let httpPort = 0;

const api = <T>(p: string) => getJson<T>(httpPort, p);

const guardrailRows = (text: string | RegExp) => wb!.viewRows('Guardrails', text);

let session: E2eSession | undefined;
screenshotOnFailure(() => session);
beforeAll(async () => {
  session = await startSession('guardrails-privacy', { settings: { 'spyglass.guardrails.privacyMode': true } });
  ({ wb, httpPort, db: dbPath } = session);
});

afterAll(() => endSession(session));

describe('privacy mode in code-server', () => {
  it('stores the call redacted and shows each placeholder as its hit, where it is', async () => {
    await seen(wb!.page.locator(`#workbench\\.parts\\.statusbar [aria-label^="Spyglass: listening on port ${httpPort}"]`), 'the collector listening', 90_000);
    const call: { traceId: string; chatSpanId: string } = await runApp(path.join(import.meta.dirname, 'app', 'guarded-app.mjs'), { SPYGLASS_URL: `http://127.0.0.1:${httpPort}` }, path.join(session!.out, 'app-output.log'));
    const span = await waitFor('the three hits on the call', async () => {
      const d = await api<SpanDetail>(`/api/traces/${call.traceId}/spans/${call.chatSpanId}`).catch(() => undefined);
      return d && d.guardrails.length >= 3 ? d : undefined;
    }, { timeoutMs: 60_000 });
    expect(span.guardrails.map((g) => g.rule).sort()).toEqual(['injection.hidden-text', 'pii.email', 'secret.openai']);

    await wb!.activityBarItem('Spyglass').click({ force: true });
    await seen(guardrailRows('Personal data (PII)'), 'the PII category in the Guardrails view', 30_000);
    await seen(guardrailRows('Secrets'), 'the secrets category', 10_000);
    // The first hit row the short pane shows; the call opens with every hit marked.
    const hit = guardrailRows(/Instructions hidden in an HTML comment/).first();
    await seen(hit, 'the injection hit row', 30_000);
    await hit.click();
    await wb!.waitInWebview('#waterfall .span-row');
    const marks = wb!.webviewContent().locator('#conversation mark.annotated.kind-guardrail');
    await waitFor('three marked ranges in the conversation', async () => ((await marks.count()) === 3 ? true : undefined), { timeoutMs: 30_000 });
    const texts = await marks.allTextContents();
    expect(texts).toContain('[EMAIL]');
    expect(texts).toContain('[SECRET:openai]');
    expect(texts.some((t) => /ignore all previous instructions/.test(t))).toBe(true);
    const email = wb!.webviewContent().locator('#conversation mark.annotated').filter({ hasText: '[EMAIL]' });
    expect(await email.getAttribute('title')).toMatch(/^pii\.email \(pii, medium\): E-mail address \(redacted before storage\)/);
    await wb!.screenshot('01-redacted-call-with-hits');

    const bytes = Buffer.concat([dbPath, `${dbPath}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)));
    expect(bytes.includes('[SECRET:openai]')).toBe(true);
    expect(bytes.includes('dana.whitfield@northwind-mail.com')).toBe(false);
    expect(bytes.includes('Qm7Vx2Lr9TfK4bZp8NcW1yHs6DjA3uEo')).toBe(false);
  });
});
