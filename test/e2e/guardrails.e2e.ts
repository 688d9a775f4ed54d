// Guardrails in a real VS Code host: the packaged VSIX in a fresh code-server, driven in Debian
// Chromium. A real app (test/e2e/app/guarded-app.mjs, OpenTelemetry SDK over OTLP/HTTP protobuf)
// sends one LLM call whose user message holds an e-mail address and a real-looking (never issued)
// OpenAI key, and whose tool result hides an instruction in an HTML comment. The developer:
//   - sees the trace in the Traces tree with a shield and its three guardrail hits;
//   - sees the Guardrails view list the three hits by category and rule;
//   - clicks a hit and the trace panel opens on that call, scrolled to the marked range, with all
//     three hits highlighted where they are and the rule on hover.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuardrailPage, SpanDetail } from '../../src/protocol/api';
import { getJson } from './harness/collector-api';
import { runApp } from './harness/apps';
import { seen, textMatching } from './harness/ui-wait';
import { waitFor } from './harness/wait';
import { endSession, screenshotOnFailure, startSession, type E2eSession } from './harness/session';

const APP_ROOT = 'guarded support agent';

let wb: E2eSession['wb'] | undefined;
let httpPort = 0;
let call: { traceId: string; chatSpanId: string } | undefined;

const api = <T>(p: string) => getJson<T>(httpPort, p);

const panel = () => wb!.webviewContent();
const statusItem = () => wb!.page.locator(`#workbench\\.parts\\.statusbar [aria-label^="Spyglass: listening on port ${httpPort}"]`);
const guardrailRows = (text?: string | RegExp) => wb!.viewRows('Guardrails', text);

let session: E2eSession | undefined;
screenshotOnFailure(() => session);
beforeAll(async () => {
  session = await startSession('guardrails');
  ({ wb, httpPort } = session);
});

afterAll(() => endSession(session));

describe('guardrails in code-server', () => {
  it('checks the call an app sends and finds the e-mail address, the key and the hidden instruction', async () => {
    await seen(statusItem(), `status bar item "Spyglass: listening on port ${httpPort}"`, 90_000);
    call = await runApp(path.join(import.meta.dirname, 'app', 'guarded-app.mjs'), { SPYGLASS_URL: `http://127.0.0.1:${httpPort}` }, path.join(session!.out, 'app-output.log'));
    const span = await waitFor('the three hits on the call', async () => {
      const d = await api<SpanDetail>(`/api/traces/${call!.traceId}/spans/${call!.chatSpanId}`).catch(() => undefined);
      return d && d.guardrails.length >= 3 ? d : undefined;
    }, { timeoutMs: 60_000 });
    expect(span.guardrails.map((g) => g.category).sort()).toEqual(['injection', 'pii', 'secret']);
    expect(span.guardrails.find((g) => g.category === 'injection')).toMatchObject({ location: 'input', messageIndex: 2 });
  });

  it('marks the trace in the Traces tree and lists the hits in the Guardrails view', async () => {
    // The container's item carries the Guardrails view's badge, which keeps Playwright from seeing it as stable: click it as a user would.
    await wb!.activityBarItem('Spyglass').click({ force: true });
    await seen(wb!.page.locator('.part.sidebar .composite.title h2').filter({ hasText: 'Spyglass' }).first(), 'the Spyglass side bar', 30_000);
    const traceRow = wb!.viewRows('Traces', APP_ROOT).first();
    await textMatching(traceRow, /3 guardrail hits/, 'the trace row counting its guardrail hits', 30_000);
    await seen(traceRow.locator('.codicon-shield'), 'the shield on the trace row', 10_000);

    await seen(guardrailRows('Personal data (PII)'), 'the PII category in the Guardrails view', 30_000);
    await seen(guardrailRows('Secrets'), 'the secrets category', 30_000);
    await seen(guardrailRows('Prompt injection'), 'the injection category', 30_000);
    await seen(guardrailRows('pii.email'), 'the e-mail rule', 30_000);
    await seen(guardrailRows('secret.openai'), 'the OpenAI key rule', 10_000);
    await seen(guardrailRows('injection.hidden-text'), 'the hidden-instruction rule', 10_000);
    const page = await api<GuardrailPage>('/api/guardrails');
    expect(page.counts.total).toBe(3);
    await wb!.screenshot('01-guardrails-view-and-tree');
  });

  it('opens the call at a hit with every hit highlighted where it is', async () => {
    const hit = guardrailRows(/Instructions hidden in an HTML comment/).first();
    await seen(hit, 'the injection hit row', 10_000);
    await hit.click();
    await wb!.waitInWebview('#waterfall .span-row');
    const marks = panel().locator('#conversation mark.annotated.kind-guardrail');
    await waitFor('three marked ranges in the conversation', async () => ((await marks.count()) === 3 ? true : undefined), { timeoutMs: 30_000 });
    const texts = await marks.allTextContents();
    expect(texts).toContain('dana.whitfield@northwind-mail.com');
    expect(texts.some((t) => t.startsWith('sk-proj-'))).toBe(true);
    expect(texts.some((t) => /ignore all previous instructions/.test(t))).toBe(true);
    // The hit clicked is the one scrolled to, inside the tool result, with its rule on hover.
    const revealed = panel().locator('.part-tool-result mark.annotated.revealed');
    await seen(revealed, 'the clicked hit, revealed in the tool result', 15_000);
    expect(await revealed.getAttribute('title')).toMatch(/^injection\.hidden-text \(injection, high\)/);
    expect(await revealed.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= window.innerHeight;
    })).toBe(true);
    await textMatching(panel().locator('#span-details h2.details-title').first(), /chat gpt-4o-mini/, 'the call selected', 10_000);
    await wb!.screenshot('02-call-opened-at-the-hit');

    const email = panel().locator('#conversation mark.annotated').filter({ hasText: 'dana.whitfield@northwind-mail.com' });
    await email.scrollIntoViewIfNeeded();
    expect(await email.getAttribute('title')).toMatch(/^pii\.email \(pii, medium\): E-mail address/);
    await wb!.screenshot('03-hits-highlighted-in-conversation');
  });
});
