// @vitest-environment happy-dom
// The trace webview against a host endpoint that answers like TraceController: the outline as a
// message, span details and text search on request (the search is the host's real index), the
// user's feedback stored and echoed back.
import { beforeEach, describe, expect, it } from 'vitest';
import type { AnnotationDto, SpanDto, TraceDetail } from '../../../src/protocol/api';
import {
  MessageEndpoint,
  type TraceHostToWebview,
  type TracePanelState,
  type TracePersistedState,
  type TraceWebviewToHost,
  type WireMessage,
} from '../../../src/protocol/webview';
import { searchableText } from '../../../src/host/panels/span-text-index';
import { mountTraceView, type TraceView } from '../../../webview/trace/view';
import { ROW_HEIGHT } from '../../../webview/trace/waterfall';
import { HOSTILE, TRACE_ID, bigTrace, hostileTrace, outlineOf, spanDto, summary } from './fixtures';

function readyState(detail: TraceDetail, extra: Partial<TracePanelState> = {}): TracePanelState {
  return { traceId: TRACE_ID, status: 'ready', trace: detail.trace, traceAnnotations: [], error: null, selectedSpanId: null, loadedAt: 1, ...extra };
}

interface Harness {
  view: TraceView;
  root: HTMLElement;
  /** What the webview sent (requests, commands, notifications). */
  posted: WireMessage[];
  persisted: TracePersistedState[];
  host: MessageEndpoint<TraceHostToWebview, TraceWebviewToHost>;
  detail: TraceDetail;
  requested: string[];
}

let annotationSeq = 0;

/** Mounts the view with `detail` in the "store" of a fake host; the outline is sent as the host sends it. */
function mount(detail: TraceDetail | null, opts: { persisted?: TracePersistedState; state?: Partial<TracePanelState>; failDetail?: boolean } = {}): Harness {
  const posted: WireMessage[] = [];
  const saved: TracePersistedState[] = [];
  const requested: string[] = [];
  const data = detail ?? { trace: summary([spanDto('x000000000000000', null, 0, 1)]), spans: [], annotations: [] };
  // eslint-disable-next-line prefer-const
  let host: MessageEndpoint<TraceHostToWebview, TraceWebviewToHost>;
  const view = new MessageEndpoint<TraceWebviewToHost, TraceHostToWebview>({
    post: (m) => {
      posted.push(m);
      const copy = JSON.parse(JSON.stringify(m)) as unknown;
      queueMicrotask(() => host.onMessage(copy));
    },
  });
  host = new MessageEndpoint<TraceHostToWebview, TraceWebviewToHost>({
    post: (m) => {
      const copy = JSON.parse(JSON.stringify(m)) as unknown;
      queueMicrotask(() => view.onMessage(copy));
    },
  });
  const span = (id: string): SpanDto => {
    const s = data.spans.find((x) => x.spanId === id);
    if (!s) throw new Error(`span ${id} not found`);
    return s;
  };
  host
    .handleRequest('spanDetail', ({ spanId }) => {
      requested.push(spanId);
      if (opts.failDetail) throw new Error('the collector is gone');
      return structuredClone(span(spanId));
    })
    .handleRequest('findText', ({ query }) => ({ query, spanIds: data.spans.filter((s) => searchableText(s).includes(query.toLowerCase())).map((s) => s.spanId) }))
    .handleRequest('annotate', ({ spanId, annotation }) => {
      const target = spanId === null ? data.annotations : span(spanId).annotations;
      // like the collector: the user's new feedback replaces their earlier one on the same target
      if (annotation.kind === 'feedback') for (let i = target.length - 1; i >= 0; i--) if (target[i].kind === 'feedback' && target[i].source === 'user') target.splice(i, 1);
      const a: AnnotationDto = {
        id: `a${++annotationSeq}`,
        traceId: TRACE_ID,
        spanId,
        kind: annotation.kind,
        name: annotation.kind === 'feedback' ? 'thumbs' : 'note',
        label: annotation.kind === 'feedback' ? annotation.label : null,
        score: null,
        explanation: annotation.explanation ?? null,
        source: 'user',
        location: null,
        attributes: {},
        createdAt: 1_763_800_000_000,
        callRevision: null,
      };
      target.push(a);
      return a;
    })
    .handleRequest('deleteAnnotation', ({ id }) => {
      for (const list of [data.annotations, ...data.spans.map((s) => s.annotations)]) {
        const i = list.findIndex((a) => a.id === id);
        if (i >= 0) list.splice(i, 1);
      }
      return null;
    });
  const root = document.createElement('div');
  root.id = 'app';
  document.body.appendChild(root);
  const initial = detail ? readyState(detail, opts.state) : ({ traceId: TRACE_ID, status: 'not-found', trace: null, traceAnnotations: null, error: null, selectedSpanId: null, loadedAt: null, ...opts.state } as TracePanelState);
  const v = mountTraceView(root, { endpoint: view, initial, persisted: opts.persisted, persist: (s) => saved.push(s) });
  if (detail) v.applyOutline(outlineOf(detail));
  view.sendReady();
  return { view: v, root, posted, persisted: saved, host, detail: data, requested };
}

const rows = (root: HTMLElement) => [...root.querySelectorAll<HTMLElement>('#waterfall .span-row')];
const settle = () => new Promise((r) => setTimeout(r, 0));
async function until(check: () => boolean, what: string, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await settle();
  }
}

beforeEach(() => {
  document.body.replaceChildren();
});

describe('trace view with hostile captured text', () => {
  it('renders every captured string as text, never as markup', async () => {
    const { root, view } = mount(hostileTrace());
    await view.detailShown();
    // the LLM call is selected by default, so the conversation is on screen
    expect(root.querySelector('#conversation')).not.toBeNull();
    // No element the data tried to inject exists anywhere.
    expect(document.querySelectorAll('img')).toHaveLength(0);
    expect(document.querySelectorAll('script')).toHaveLength(0);
    expect(document.querySelectorAll('b')).toHaveLength(0);
    for (const el of document.querySelectorAll('*')) {
      for (const attr of el.getAttributeNames()) expect(attr.startsWith('on'), `${el.tagName} has ${attr}`).toBe(false);
    }
    // ...and the text itself is shown verbatim.
    const text = root.textContent ?? '';
    expect(text).toContain(`What is the weather in Paris? ${HOSTILE}`);
    expect(text).toContain(`It is 21°C in Paris. ${HOSTILE}`);
    expect(text).toContain(`agent run ${HOSTILE}`);
    expect(root.querySelector('.part-text')!.textContent).toBe(`You are a weather bot. ${HOSTILE}`);
  });

  it('shows hostile attribute keys and values as text in the attributes table', async () => {
    const { root, view } = mount(hostileTrace());
    await view.detailShown();
    const table = root.querySelector('#attributes')!;
    const cells = [...table.querySelectorAll('th, td')].map((td) => td.textContent);
    expect(cells).toContain(`evil.${HOSTILE}`);
    expect(cells).toContain(HOSTILE);
    expect(table.querySelectorAll('img, b, script')).toHaveLength(0);
  });

  it('keeps a hostile role out of class names', async () => {
    const detail = hostileTrace();
    detail.spans[1].llm!.inputMessages.unshift({ role: 'user" onmouseover="alert(1)', parts: [{ type: 'text', content: 'x' }] });
    const { root, view } = mount(detail);
    await view.detailShown();
    const first = root.querySelector('.messages-input .message')!;
    expect(first.className).toBe('message role-user-onmouseover-alert-1 message-input');
    expect(first.getAttribute('onmouseover')).toBeNull();
    expect(first.querySelector('.message-role')!.textContent).toBe('user" onmouseover="alert(1)');
  });

  it('renders the error span and its exception as text', async () => {
    const h = mount(hostileTrace());
    const errorRow = rows(h.root).find((r) => r.dataset.spanId === 'aaaaaaaaaaaaaaa3')!;
    expect(errorRow.classList.contains('error')).toBe(true);
    errorRow.querySelector<HTMLElement>('.span-name')!.click();
    await h.view.detailShown();
    const box = h.root.querySelector('#span-details .error-box')!;
    expect(box.textContent).toContain(`upstream failed ${HOSTILE}`);
    expect(box.querySelector('.exception')!.textContent).toBe(`TimeoutError: ${HOSTILE}`);
    expect(box.querySelector('.stacktrace')!.textContent).toBe(`at fetch ${HOSTILE}`);
    expect(box.querySelectorAll('img')).toHaveLength(0);
  });

  it('renders an annotation an app sent (evaluation) as text, with its score, label and location', async () => {
    const detail = hostileTrace();
    detail.spans[1].annotations.push({
      id: 'e1', traceId: TRACE_ID, spanId: 'aaaaaaaaaaaaaaa2', kind: 'evaluation', name: `relevance ${HOSTILE}`, label: 'relevant', score: 0.8123456,
      explanation: `Because ${HOSTILE}`, source: 'instrumentation', location: { side: 'output', messageIndex: 0, partIndex: 1, start: 3, end: 9 },
      attributes: {}, createdAt: 1_763_800_000_000, callRevision: 0,
    });
    const h = mount(detail);
    const row = rows(h.root).find((r) => r.dataset.spanId === 'aaaaaaaaaaaaaaa2')!;
    expect(row.querySelector('.annotation-marks')!.getAttribute('aria-label')).toBe('1 evaluation');
    expect(row.querySelector('.kind-evaluation .codicon-beaker')).not.toBeNull();
    await h.view.detailShown();
    const item = h.root.querySelector('#annotations .annotation.kind-evaluation')!;
    expect(item.querySelector('.annotation-name')!.textContent).toBe(`relevance ${HOSTILE}`);
    expect(item.querySelector('.annotation-score')!.textContent).toBe('0.8123');
    expect(item.querySelector('.annotation-label')!.textContent).toBe('relevant');
    expect(item.querySelector('.annotation-explanation')!.textContent).toBe(`Because ${HOSTILE}`);
    expect(item.querySelector('.annotation-meta')!.textContent).toContain('sent by the app');
    expect(item.querySelector('.annotation-meta')!.textContent).toContain('output, message 1, part 2, characters 3–9');
    expect(item.querySelector('.annotation-delete')).toBeNull(); // only the user's own can be removed
    expect(document.querySelectorAll('img, b, script')).toHaveLength(0);
  });
});

describe('annotations inside a call', () => {
  it('marks the character range a hit points at, as text, with the rule on hover, and badges a whole message', async () => {
    const detail = hostileTrace();
    const call = detail.spans[1];
    const base = { traceId: TRACE_ID, spanId: call.spanId, score: null, explanation: null, attributes: {}, createdAt: 1, callRevision: 0 };
    // "What is the weather in Paris? …": "Paris" is characters 23–28 of the user's message
    call.annotations.push(
      { ...base, id: 'g1', kind: 'guardrail', name: 'pii.location', label: 'hit', source: 'rule:pii', location: { side: 'input', messageIndex: 0, partIndex: 0, start: 23, end: 28 } },
      { ...base, id: 'g2', kind: 'guardrail', name: `injection ${HOSTILE}`, label: null, source: 'rule:injection', location: { side: 'input', messageIndex: 0, partIndex: 0, start: 30, end: 9_999 } },
      { ...base, id: 'e1', kind: 'evaluation', name: 'tone', label: 'friendly', source: 'instrumentation', location: { side: 'output', messageIndex: 0 } },
      { ...base, id: 's1', kind: 'guardrail', name: 'leak', label: null, source: 'rule:leak', location: { side: 'system', partIndex: 0, start: 0, end: 3 } },
    );
    const h = mount(detail);
    await h.view.detailShown();
    const user = h.root.querySelector('.messages-input .message.role-user .part-text')!;
    const marks = [...user.querySelectorAll('mark.annotated')];
    expect(marks.map((m) => m.textContent)).toEqual(['Paris', HOSTILE]); // the second range is clipped to the text
    expect(marks[0].getAttribute('title')).toBe('pii.location (hit)');
    expect(marks[1].getAttribute('title')).toBe(`injection ${HOSTILE}`);
    expect(user.textContent).toBe(`What is the weather in Paris? ${HOSTILE}`); // the text itself is unchanged
    expect(h.root.querySelector('.messages-output .message .message-header .inline-annotation.kind-evaluation')!.getAttribute('title')).toBe('tone: friendly');
    expect(h.root.querySelector('.role-system mark.annotated')!.textContent).toBe('You');
    expect(document.querySelectorAll('img, b, script')).toHaveLength(0);
  });
});

describe('guardrail hits inside tool calls and results', () => {
  it('marks a hit in a tool result where its range points (the text the checks read), and scrolls to a hit when asked', async () => {
    const detail = hostileTrace();
    const call = detail.spans[1];
    const toolIndex = call.llm!.inputMessages.findIndex((m) => m.role === 'tool');
    // The checks read a tool result that is not a string as its JSON: {"temp":21,"note":…}; "temp" is characters 2–6.
    call.annotations.push({
      id: 't1', traceId: TRACE_ID, spanId: call.spanId, kind: 'guardrail', name: 'injection.hidden-text', label: 'injection', score: null,
      explanation: 'Instructions hidden in a tool result', source: 'rule:guardrails', location: { side: 'input', messageIndex: toolIndex, partIndex: 0, start: 2, end: 6 },
      attributes: { category: 'injection', severity: 'high', rule: 'injection.hidden-text' }, createdAt: 1, callRevision: 0,
    });
    const h = mount(detail);
    await h.view.detailShown();
    const mark = h.root.querySelector<HTMLElement>('.part-tool-result mark.annotated')!;
    expect(mark.textContent).toBe('temp');
    expect(mark.classList.contains('severity-high')).toBe(true);
    expect(mark.getAttribute('title')).toBe('injection.hidden-text (injection, high): Instructions hidden in a tool result');
    expect(h.root.querySelector('.part-tool-result')!.textContent).toContain(`"note":${JSON.stringify(HOSTILE)}`);
    expect(mark.classList.contains('revealed')).toBe(false);
    h.host.command('selectSpan', { spanId: call.spanId, annotationId: 't1' });
    await expect.poll(() => h.root.querySelector('.part-tool-result mark.annotated')?.classList.contains('revealed')).toBe(true);
    expect(document.activeElement?.getAttribute('data-annotation-id')).toBe('t1');
    expect(document.querySelectorAll('img, b, script')).toHaveLength(0);
  });
});

describe('trace view', () => {
  it('lays out the waterfall from the outline with the orphan as a root and the LLM call selected', () => {
    const { root, view } = mount(hostileTrace());
    const ids = rows(root).map((r) => r.dataset.spanId);
    expect(ids).toEqual(['aaaaaaaaaaaaaaa1', 'aaaaaaaaaaaaaaa2', 'aaaaaaaaaaaaaaa3', 'aaaaaaaaaaaaaaa4']);
    expect(rows(root).map((r) => r.dataset.depth)).toEqual(['0', '1', '1', '0']);
    expect(rows(root)[3].classList.contains('orphan')).toBe(true);
    expect(view.selectedSpanId).toBe('aaaaaaaaaaaaaaa2');
    expect(root.querySelector('.span-row.selected')!.getAttribute('data-span-id')).toBe('aaaaaaaaaaaaaaa2');
    expect(root.querySelector('.span-row.llm-call .codicon-sparkle')).not.toBeNull();
    expect(root.querySelector('.span-row.llm-call .span-meta')!.textContent).toBe('gpt-4o-mini-2024-07-18 · 1.23k→56 · ~$0.000321');
    expect(root.querySelector('.cat-tool .codicon-error')).not.toBeNull(); // errors override the category icon
    expect(root.querySelector('.cat-agent .codicon-hubot')).not.toBeNull();
  });

  it('shows the outline facts at once and the detail when it arrives, asking only for the selected span', async () => {
    const h = mount(hostileTrace());
    const pane = h.root.querySelector('#span-details')!;
    expect(pane.querySelector('.span-details.loading .details-title')!.textContent).toBe('chat gpt-4o-mini');
    expect(pane.querySelector('.detail-loading')).not.toBeNull();
    await h.view.detailShown();
    expect(pane.querySelector('.span-details.loading')).toBeNull();
    expect(pane.querySelector('#llm-summary')).not.toBeNull();
    expect(h.requested).toEqual(['aaaaaaaaaaaaaaa2']);
    // back to a span seen before: from the cache, no second request
    h.view.select('aaaaaaaaaaaaaaa1');
    await h.view.detailShown();
    h.view.select('aaaaaaaaaaaaaaa2');
    expect(pane.querySelector('#llm-summary')).not.toBeNull();
    expect(h.requested).toEqual(['aaaaaaaaaaaaaaa2', 'aaaaaaaaaaaaaaa1']);
  });

  it('says so when a span detail cannot be loaded, and keeps the outline facts', async () => {
    const h = mount(hostileTrace(), { failDetail: true });
    await until(() => h.root.querySelector('.detail-error') !== null, 'the error');
    expect(h.root.querySelector('.detail-error')!.textContent).toContain('the collector is gone');
    expect(h.root.querySelector('.details-title')!.textContent).toBe('chat gpt-4o-mini');
  });

  it('shows the LLM call: tokens, estimated cost, TTFT, finish reasons, model and provider', async () => {
    const { root, view } = mount(hostileTrace());
    await view.detailShown();
    const metric = (k: string) => root.querySelector(`#llm-summary [data-metric="${k}"] .metric-value`)!.textContent;
    expect(metric('input-tokens')).toBe('1,234');
    expect(metric('cached-tokens')).toBe('1,000');
    expect(metric('output-tokens')).toBe('56');
    expect(metric('reasoning-tokens')).toBe('12');
    expect(metric('cost')).toBe('$0.000321estimated');
    expect(root.querySelector('#llm-summary .estimated')).not.toBeNull();
    expect(metric('ttft')).toBe('313ms');
    expect(metric('finish-reasons')).toBe('tool_calls');
    expect(root.querySelector('.llm-model-name')!.textContent).toBe('gpt-4o-mini-2024-07-18 (requested gpt-4o-mini)');
    expect(root.querySelector('.llm-provider')!.textContent).toBe('openai');
  });

  it('renders messages with parts: tool calls as pretty JSON, tool results, reasoning collapsed', async () => {
    const { root, view, posted } = mount(hostileTrace());
    await view.detailShown();
    expect(root.querySelectorAll('#conversation .message.role-system')).toHaveLength(1);
    expect(root.querySelectorAll('#conversation .message.role-user')).toHaveLength(1);
    expect(root.querySelectorAll('#conversation .message.role-tool')).toHaveLength(1);
    const call = root.querySelector('.part-tool-call')!;
    expect(call.querySelector('.tool-name')!.textContent).toBe('get_weather');
    expect(call.querySelector('.tool-call-id')!.textContent).toBe('call_1');
    // JSON arguments as a foldable tree, open; copied as pretty JSON through the host
    const rows = [...call.querySelectorAll('.tool-arguments .json-row')].map((r) => r.textContent);
    expect(rows).toEqual(['city: "Paris"', 'unit: "c"']);
    expect(call.querySelector<HTMLDetailsElement>('.tool-arguments details.json-node')!.open).toBe(true);
    call.querySelector<HTMLButtonElement>('.copy-button')!.click();
    const copied = posted.filter((m) => m.kind === 'command' && m.method === 'copyText').at(-1) as { params: { text: string; what: string } };
    expect(copied.params).toEqual({ text: '{\n  "city": "Paris",\n  "unit": "c"\n}', what: 'tool arguments' });
    const result = root.querySelector('.part-tool-result')!;
    expect([...result.querySelectorAll('.json-row')].map((r) => r.textContent)).toEqual(['temp: 21', `note: ${JSON.stringify(HOSTILE)}`]);
    expect(result.querySelectorAll('img, script')).toHaveLength(0);
    const reasoning = root.querySelector<HTMLDetailsElement>('details.part-reasoning')!;
    expect(reasoning.open).toBe(false);
    expect(reasoning.textContent).toContain(`Thinking about Paris ${HOSTILE}`);
    expect(root.querySelector('.message-output .finish-reason')!.textContent).toBe('stop');
  });

  it('selects on click, tells the host and persists the selection for a reload', async () => {
    const h = mount(hostileTrace());
    rows(h.root)[0].querySelector<HTMLElement>('.span-name')!.click();
    expect(h.view.selectedSpanId).toBe('aaaaaaaaaaaaaaa1');
    expect(h.root.querySelector('#span-details .details-title')!.textContent).toBe(`agent run ${HOSTILE}`);
    expect(h.posted).toContainEqual({ kind: 'notification', method: 'didSelectSpan', params: { spanId: 'aaaaaaaaaaaaaaa1' } });
    expect(h.persisted.at(-1)).toEqual({ traceId: TRACE_ID, selectedSpanId: 'aaaaaaaaaaaaaaa1', layout: { waterfallPx: null, namePx: null } });
  });

  it('restores the persisted selection and obeys selectSpan from the host, also before the outline came', async () => {
    const h = mount(hostileTrace(), { persisted: { traceId: TRACE_ID, selectedSpanId: 'aaaaaaaaaaaaaaa4' } });
    expect(h.view.selectedSpanId).toBe('aaaaaaaaaaaaaaa4');
    h.host.command('selectSpan', { spanId: 'aaaaaaaaaaaaaaa3' });
    await until(() => h.view.selectedSpanId === 'aaaaaaaaaaaaaaa3', 'selectSpan');
    expect(h.root.querySelector('#span-details')!.getAttribute('aria-live')).toBe('polite');
    expect(h.root.querySelector('.span-details')!.getAttribute('data-span-id')).toBe('aaaaaaaaaaaaaaa3');

    const late = mount(null);
    late.host.command('selectSpan', { spanId: 'aaaaaaaaaaaaaaa3' });
    await settle();
    late.view.applyOutline(outlineOf(hostileTrace()));
    expect(late.view.selectedSpanId).toBe('aaaaaaaaaaaaaaa3');
  });

  it('sends "go to source" for code.filepath attributes, and "open as JSON"', async () => {
    const h = mount(hostileTrace());
    await h.view.detailShown();
    h.root.querySelector<HTMLButtonElement>('#go-to-source')!.click();
    expect(h.posted).toContainEqual({ kind: 'command', method: 'openSource', params: { path: 'src/agent.ts', line: 42 } });
    h.root.querySelector<HTMLButtonElement>('#open-span-json')!.click();
    expect(h.posted).toContainEqual({ kind: 'command', method: 'openJson', params: { spanId: 'aaaaaaaaaaaaaaa2' } });
  });

  it('folds a subtree from its twisty and with the keyboard', () => {
    const h = mount(hostileTrace());
    rows(h.root)[0].querySelector<HTMLElement>('.twisty')!.click();
    h.view.waterfall.renderNow();
    expect(rows(h.root).map((r) => r.dataset.spanId)).toEqual(['aaaaaaaaaaaaaaa1', 'aaaaaaaaaaaaaaa4']);
    expect(rows(h.root)[0].getAttribute('aria-expanded')).toBe('false');
    h.view.select('aaaaaaaaaaaaaaa1');
    h.view.waterfall.scroller.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight' }));
    h.view.waterfall.renderNow();
    expect(rows(h.root)).toHaveLength(4);
    h.view.waterfall.scroller.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown' }));
    expect(h.view.selectedSpanId).toBe('aaaaaaaaaaaaaaa2');
  });

  it('shows a banner while the trace is not in the store, then the trace when its outline arrives', () => {
    const h = mount(null);
    const banner = h.root.querySelector<HTMLElement>('#trace-status')!;
    expect(banner.hidden).toBe(false);
    expect(banner.textContent).toContain('not in the store');
    expect(rows(h.root)).toHaveLength(0);
    const detail = hostileTrace();
    h.view.applyOutline(outlineOf(detail));
    h.view.apply(readyState(detail, { loadedAt: 2 }));
    h.view.waterfall.renderNow();
    expect(banner.hidden).toBe(true);
    expect(rows(h.root)).toHaveLength(4);
  });

  it('keeps the old trace on screen when the collector goes away, and empties it when the trace was deleted', () => {
    const detail = hostileTrace();
    const h = mount(detail);
    h.view.apply(readyState(detail, { status: 'no-collector', error: 'The Spyglass collector is not running.' }));
    h.view.waterfall.renderNow();
    expect(h.root.querySelector('#trace-status')!.textContent).toContain('not running');
    expect(rows(h.root)).toHaveLength(4);
    h.view.apply(readyState(detail, { status: 'not-found', trace: null, error: 'Trace is not in the store (yet).' }));
    h.view.waterfall.renderNow();
    expect(rows(h.root)).toHaveLength(0);
  });

  it('takes the outline as the JSON text the host passes on, and refuses one of an unknown shape', async () => {
    const detail = hostileTrace();
    const h = mount(null);
    h.host.notify('didChangeOutline', { json: JSON.stringify(outlineOf(detail)) });
    await until(() => rows(h.root).length === 4, 'rows from the message');
    h.host.notify('didChangeOutline', { json: JSON.stringify({ ...outlineOf(detail), name: [0] }) }); // columns of unequal length
    await until(() => h.root.querySelector('#trace-status')!.textContent!.includes('shape this panel does not know'), 'the refusal');
    expect(rows(h.root)).toHaveLength(4);
    h.host.notify('didChangeOutline', { json: '{not json' });
    await settle();
    expect(rows(h.root)).toHaveLength(4);
  });

  it('patches: a new span, a changed call and new annotation counts, without a whole resend', async () => {
    const detail = hostileTrace();
    const h = mount(detail);
    await h.view.detailShown();
    expect(h.root.querySelector('#annotations')).toBeNull();
    // the selected call got an evaluation, and a new span arrived; the patch lists just those
    const call = detail.spans[1];
    call.annotations.push({
      id: 'e9', traceId: TRACE_ID, spanId: call.spanId, kind: 'evaluation', name: 'groundedness', label: 'pass', score: 1, explanation: null,
      source: 'instrumentation', location: null, attributes: {}, createdAt: 1, callRevision: 0,
    });
    const added = spanDto('aaaaaaaaaaaaaaa5', 'aaaaaaaaaaaaaaa1', 990, 999, { name: 'late step', category: 'tool' });
    detail.spans.push(added);
    h.view.applyOutline(outlineOf(detail, { revision: 2, partial: true, spans: [call, added] }));
    h.view.waterfall.renderNow();
    expect(rows(h.root).map((r) => r.dataset.spanId)).toContain('aaaaaaaaaaaaaaa5');
    expect(rows(h.root)).toHaveLength(5);
    expect(rows(h.root).find((r) => r.dataset.spanId === call.spanId)!.querySelector('.annotation-marks')).not.toBeNull();
    // the stale detail stays on screen while the fresh one is asked for, then replaces it
    expect(h.root.querySelector('#llm-summary')).not.toBeNull();
    await until(() => h.root.querySelector('#annotations .kind-evaluation') !== null, 'the new annotation on the selected span');
    expect(h.requested.filter((id) => id === call.spanId)).toHaveLength(2);
    expect(h.view.selectedSpanId).toBe(call.spanId);
  });

  it('keeps only the visible rows of a 10,000-span trace in the DOM', () => {
    const detail = bigTrace(10_000);
    const started = performance.now();
    const h = mount(detail);
    const mountMs = performance.now() - started;
    const viewport = window.innerHeight || 600;
    const maxRows = Math.ceil(viewport / ROW_HEIGHT) + 2 * 10 + 1;
    h.view.waterfall.renderNow();
    expect(rows(h.root).length).toBeGreaterThan(10);
    expect(rows(h.root).length).toBeLessThanOrEqual(maxRows);
    const canvas = h.root.querySelector<HTMLElement>('.waterfall-canvas')!;
    expect(canvas.style.height).toBe(`${10_000 * ROW_HEIGHT}px`);
    // Scroll to the end: the last rows are rendered, the first ones are gone.
    h.view.waterfall.scroller.scrollTop = 10_000 * ROW_HEIGHT;
    h.view.waterfall.renderNow();
    const after = rows(h.root);
    expect(after.length).toBeLessThanOrEqual(maxRows);
    expect(after.some((r) => r.dataset.spanId === 'r000000000000000')).toBe(false);
    expect(after.some((r) => r.dataset.index === '9999')).toBe(true);
    expect(mountMs).toBeLessThan(10_000); // only a quadratic render would break this on a loaded machine
  });

  it('reveals a span deep in a folded subtree when selected', () => {
    const detail = bigTrace(2_000);
    const h = mount(detail);
    h.view.waterfall.setAllCollapsed(true);
    h.view.waterfall.renderNow();
    const target = detail.spans[1_995].spanId;
    h.view.select(target);
    h.view.waterfall.renderNow();
    expect(rows(h.root).some((r) => r.dataset.spanId === target && r.classList.contains('selected'))).toBe(true);
  });

  it('summarises the trace in the header, with its feedback and annotation counts', () => {
    const spans = [spanDto('bbbbbbbbbbbbbbb1', null, 0, 1500, { name: 'handle request' })];
    const detail: TraceDetail = {
      trace: summary(spans, { costUsd: 0.5, costEstimated: false, spanCount: 1, feedback: { up: 2, down: 1 }, annotationCounts: { feedback: 3, evaluation: 4 } }),
      spans,
      annotations: [],
    };
    const h = mount(detail);
    const stat = (k: string) => h.root.querySelector(`#trace-header [data-stat="${k}"] .stat-value`)!.textContent;
    expect(h.root.querySelector('.trace-title')!.textContent).toBe('handle request');
    expect(stat('duration')).toBe('1.5s');
    expect(stat('cost')).toBe('$0.50');
    expect(stat('spans')).toBe('1');
    expect(stat('feedback')).toBe('2 up · 1 down');
    expect(stat('annotations')).toBe('4 evaluations');
  });
});

describe('feedback', () => {
  const thumb = (root: HTMLElement, target: 'call' | 'trace', which: 'up' | 'down') => root.querySelector<HTMLButtonElement>(`#feedback-${target}-${which}`)!;

  it('rates a call thumbs down with a comment, replaces it with thumbs up, and takes it back', async () => {
    const detail = hostileTrace();
    const h = mount(detail);
    await h.view.detailShown();
    const call = detail.spans[1];
    expect(thumb(h.root, 'call', 'down').getAttribute('aria-pressed')).toBe('false');
    thumb(h.root, 'call', 'down').click();
    // the rating is saved at once, and the comment box opens with the focus in it
    await until(() => h.root.querySelector('#feedback-call-text') !== null, 'the comment box');
    expect(call.annotations.map((a) => a.label)).toEqual(['down']);
    expect(thumb(h.root, 'call', 'down').getAttribute('aria-pressed')).toBe('true');
    expect(thumb(h.root, 'call', 'down').querySelector('.codicon-thumbsdown-filled')).not.toBeNull();
    const area = h.root.querySelector<HTMLTextAreaElement>('#feedback-call-text')!;
    expect(document.activeElement).toBe(area);
    area.value = `Wrong city ${HOSTILE}`;
    area.dispatchEvent(new Event('input'));
    area.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    await until(() => h.root.querySelector('#feedback-call-text') === null, 'the comment saved');
    expect(call.annotations).toHaveLength(1); // the comment replaced the bare rating
    expect(call.annotations[0]).toMatchObject({ kind: 'feedback', label: 'down', explanation: `Wrong city ${HOSTILE}`, source: 'user' });
    expect(h.root.querySelector('.feedback-call .feedback-comment-text')!.textContent).toBe(`Wrong city ${HOSTILE}`);
    expect(h.root.querySelector('#annotations .annotation-label')!.textContent).toBe('thumbs down');
    expect(document.querySelectorAll('img, b, script')).toHaveLength(0);

    // thumbs up replaces the thumbs down (and keeps the comment)
    thumb(h.root, 'call', 'up').click();
    await until(() => thumb(h.root, 'call', 'up').getAttribute('aria-pressed') === 'true', 'thumbs up');
    expect(call.annotations.map((a) => [a.label, a.explanation])).toEqual([['up', `Wrong city ${HOSTILE}`]]);
    // Escape closes the comment box and puts the focus back on the thumb
    h.root.querySelector<HTMLTextAreaElement>('#feedback-call-text')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect(h.root.querySelector('#feedback-call-text')).toBeNull();
    expect(document.activeElement).toBe(thumb(h.root, 'call', 'up'));
    // pressing the pressed thumb takes the rating back
    thumb(h.root, 'call', 'up').click();
    await until(() => thumb(h.root, 'call', 'up').getAttribute('aria-pressed') === 'false', 'rating removed');
    expect(call.annotations).toEqual([]);
    expect(h.root.querySelector('.feedback-call .feedback-status')!.textContent).toBe('Feedback removed');
  });

  it('offers no rating on spans that are not LLM calls, and rates the whole trace from the header', async () => {
    const detail = hostileTrace();
    const h = mount(detail);
    h.view.select('aaaaaaaaaaaaaaa3');
    await h.view.detailShown();
    expect(h.root.querySelector('#feedback-call')).toBeNull();
    thumb(h.root, 'trace', 'up').click();
    await until(() => thumb(h.root, 'trace', 'up').getAttribute('aria-pressed') === 'true', 'trace thumbs up');
    expect(detail.annotations).toMatchObject([{ kind: 'feedback', label: 'up', spanId: null }]);
    thumb(h.root, 'trace', 'down').click();
    await until(() => thumb(h.root, 'trace', 'down').getAttribute('aria-pressed') === 'true', 'trace thumbs down');
    expect(detail.annotations.map((a) => a.label)).toEqual(['down']);
  });

  it('removes the user\'s own annotation from the list', async () => {
    const detail = hostileTrace();
    detail.spans[1].annotations.push({
      id: 'n1', traceId: TRACE_ID, spanId: 'aaaaaaaaaaaaaaa2', kind: 'note', name: 'note', label: null, score: null, explanation: 'check the units',
      source: 'user', location: null, attributes: {}, createdAt: 1, callRevision: null,
    });
    const h = mount(detail);
    await h.view.detailShown();
    h.root.querySelector<HTMLButtonElement>('[data-annotation-id="n1"] .annotation-delete')!.click();
    await until(() => h.root.querySelector('[data-annotation-id="n1"]') === null, 'the note removed');
    expect(detail.spans[1].annotations).toEqual([]);
  });
});

describe('find in spans', () => {
  const type = (input: HTMLInputElement, value: string) => {
    input.value = value;
    input.dispatchEvent(new Event('input'));
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
  };

  it('finds names at once and message text and attribute values through the host, highlights them and steps through them', async () => {
    const h = mount(hostileTrace());
    const input = h.root.querySelector<HTMLInputElement>('#span-filter')!;
    const count = h.root.querySelector('#span-filter-count')!;
    type(input, 'WEATHER IN PARIS'); // message text of the LLM call, case-insensitive: only the host knows it
    expect(count.textContent).toBe('Searching text…');
    await until(() => count.textContent === '1 of 1', 'the text hit');
    h.view.waterfall.renderNow();
    expect(h.view.selectedSpanId).toBe('aaaaaaaaaaaaaaa2');
    expect(rows(h.root).filter((r) => r.classList.contains('match')).map((r) => r.dataset.spanId)).toEqual(['aaaaaaaaaaaaaaa2']);
    expect(h.posted).toContainEqual(expect.objectContaining({ kind: 'request', method: 'findText', params: { query: 'WEATHER IN PARIS' } }));

    type(input, 'TimeoutError'); // an exception event attribute
    await until(() => h.view.selectedSpanId === 'aaaaaaaaaaaaaaa3', 'the exception hit');

    type(input, 'late orphan'); // a name: found in the outline before the host answers
    expect(h.view.selectedSpanId).toBe('aaaaaaaaaaaaaaa4');

    type(input, 'weather'); // service name of all four, and the tool's name
    await until(() => count.textContent?.startsWith('4 found') === true || count.textContent === '1 of 4' || count.textContent === '2 of 4', 'four hits');
    h.view.waterfall.renderNow();
    expect(rows(h.root).filter((r) => r.classList.contains('match'))).toHaveLength(4);
    h.root.querySelector<HTMLButtonElement>('#filter-next')!.click();
    const after = h.view.selectedSpanId;
    h.root.querySelector<HTMLButtonElement>('#filter-prev')!.click();
    expect(h.view.selectedSpanId).not.toBe(after);

    type(input, 'no such text anywhere');
    await until(() => count.textContent === 'No match', 'no match');
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    h.view.waterfall.renderNow();
    expect(rows(h.root).some((r) => r.classList.contains('match'))).toBe(false);
  });

  it('searches a 10,000-span trace and reveals a hit deep in a folded subtree', async () => {
    const detail = bigTrace(10_000);
    const h = mount(detail);
    h.view.waterfall.setAllCollapsed(true);
    type(h.root.querySelector<HTMLInputElement>('#span-filter')!, 'call 9876');
    h.view.waterfall.renderNow();
    const hit = rows(h.root).find((r) => r.classList.contains('selected'))!;
    expect(hit.querySelector('.span-name')!.textContent).toBe('call 9876');
    expect(hit.classList.contains('match')).toBe(true);
  });
});

describe('reading a call', () => {
  const commands = (h: Harness, method: string) => h.posted.filter((m) => m.kind === 'command' && m.method === method).map((m) => (m as { params: unknown }).params);

  function markdownTrace(): TraceDetail {
    const detail = hostileTrace();
    detail.spans[1].llm!.outputMessages = [{
      role: 'assistant',
      parts: [{ type: 'text', content: `# Forecast\n\nIt will be **sunny** in Paris.\n\n- see [the docs](https://example.com/docs)\n- [x](javascript:alert(1)) and ${HOSTILE}\n\n![chart](https://tracker.example/pixel.png)\n\n\`\`\`js\nconsole.log(1)\n\`\`\`` }],
      finish_reason: 'stop',
    }];
    detail.spans[1].attributes['app.config'] = '{"retries":3,"backoff":{"base":0.5,"max":[1,2]}}';
    return detail;
  }

  it('renders a markdown answer sanitized: formatting yes, raw HTML, scripts and images no, links through the host', async () => {
    const h = mount(markdownTrace());
    await h.view.detailShown();
    const answer = h.root.querySelector<HTMLElement>('.message-output .part-markdown')!;
    expect(answer.querySelector('h1')!.textContent).toBe('Forecast');
    expect(answer.querySelector('strong')!.textContent).toBe('sunny');
    expect(answer.querySelectorAll('img, script, b, a[href], [onerror], [onmouseover]')).toHaveLength(0);
    expect(answer.textContent).toContain(HOSTILE); // raw HTML shown as text
    const image = answer.querySelector('.md-image')!;
    expect(image.textContent).toContain('Image: chart');
    const links = [...answer.querySelectorAll<HTMLElement>('.md-link')];
    expect(links.map((l) => l.dataset.url)).toEqual(['https://example.com/docs', 'https://tracker.example/pixel.png']);
    expect(links[0]!.textContent).toBe('the docs (example.com)'); // where it goes, beside what it says
    expect(links[0]!.getAttribute('role')).toBe('link');
    expect(answer.textContent).toContain('x'); // the javascript: link is left as its words
    links[0]!.click();
    links[0]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(commands(h, 'openLink')).toEqual([{ url: 'https://example.com/docs' }, { url: 'https://example.com/docs' }]);
    answer.querySelector<HTMLButtonElement>('.md-code-copy')!.click();
    expect(commands(h, 'copyText').at(-1)).toEqual({ text: 'console.log(1)\n', what: 'code' });
  });

  it('toggles a message to its raw text and keeps the choice when the span is shown again', async () => {
    const h = mount(markdownTrace());
    await h.view.detailShown();
    const toggle = h.root.querySelector<HTMLButtonElement>('.message-output .markdown-toggle')!;
    toggle.click();
    const raw = h.root.querySelector('.message-output .part-text')!;
    expect(raw.classList.contains('part-markdown')).toBe(false);
    expect(raw.textContent).toContain('It will be **sunny** in Paris.');
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    h.view.select('aaaaaaaaaaaaaaa1');
    h.view.select('aaaaaaaaaaaaaaa2');
    await h.view.detailShown();
    expect(h.root.querySelector('.message-output .part-markdown')).toBeNull();
    // plain text needs no toggle
    expect(h.root.querySelector('.message-input .markdown-toggle')).toBeNull();
  });

  it('shows attributes as a key/value table, JSON values as a foldable tree, each value with a copy button', async () => {
    const h = mount(markdownTrace());
    await h.view.detailShown();
    const row = h.root.querySelector<HTMLElement>('#attributes tr[data-key="app.config"]')!;
    expect(row.querySelector('th')!.textContent).toBe('app.config');
    const top = row.querySelector<HTMLDetailsElement>('details.json-node')!;
    expect(top.open).toBe(true);
    expect(row.querySelector<HTMLDetailsElement>('.json-children details.json-node')!.open).toBe(false); // nested: folded
    expect([...top.querySelector('.json-children')!.children].filter((c) => c.classList.contains('json-row')).map((r) => r.textContent)).toEqual(['retries: 3']);
    row.querySelector<HTMLButtonElement>('.copy-button')!.click();
    expect(commands(h, 'copyText').at(-1)).toEqual({ text: JSON.stringify({ retries: 3, backoff: { base: 0.5, max: [1, 2] } }, null, 2), what: 'value of app.config' });
    h.root.querySelector<HTMLButtonElement>('.message-output .copy-button')!.click();
    expect((commands(h, 'copyText').at(-1) as { text: string }).text).toContain('It will be **sunny** in Paris.');
    h.root.querySelector<HTMLButtonElement>('#copy-span-json')!.click();
    const span = JSON.parse((commands(h, 'copyText').at(-1) as { text: string }).text) as SpanDto;
    expect(span.spanId).toBe('aaaaaaaaaaaaaaa2');
    expect(span.llm?.outputMessages).toHaveLength(1);
  });

  it('shows a tool span\'s arguments and result as formatted blocks, whatever the convention', async () => {
    const detail = hostileTrace();
    detail.spans[2].attributes = { 'tool.name': 'get_weather', 'input.value': '{"city":"Paris"}', 'output.value': `sunny ${HOSTILE}` };
    const h = mount(detail);
    h.view.select('aaaaaaaaaaaaaaa3');
    await h.view.detailShown();
    const io = h.root.querySelector('#tool-io')!;
    expect(io.querySelector('h3')!.textContent).toBe('Tool get_weather');
    expect([...io.querySelectorAll('#tool-io-arguments .json-row')].map((r) => r.textContent)).toEqual(['city: "Paris"']);
    expect(io.querySelector('#tool-io-arguments .tool-io-source')!.textContent).toBe('input.value');
    expect(io.querySelector('#tool-io-result pre')!.textContent).toBe(`sunny ${HOSTILE}`);
    expect(io.querySelectorAll('img, b, script')).toHaveLength(0);
  });

  it('highlights what find matches in the details pane, opening the section that holds it', async () => {
    const h = mount(markdownTrace());
    await h.view.detailShown();
    const attrs = h.root.querySelector<HTMLDetailsElement>('#attributes')!.closest('details')!;
    expect(attrs.open).toBe(false); // an LLM call's attributes start folded
    const input = h.root.querySelector<HTMLInputElement>('#span-filter')!;
    input.value = 'src/AGENT';
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    await until(() => h.root.querySelectorAll('#span-details mark.find-match').length > 0, 'a highlighted match');
    const marks = [...h.root.querySelectorAll('#span-details mark.find-match')];
    expect(marks.every((m) => m.textContent!.toLowerCase() === 'src/agent')).toBe(true);
    expect(attrs.open).toBe(true);
    input.value = '';
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect(h.root.querySelectorAll('#span-details mark.find-match')).toHaveLength(0);
    expect(h.root.querySelector('#go-to-source')!.textContent).toBe('Go to src/agent.ts:42'); // text joined back whole
  });

  it('lets another feature add buttons to the span\'s action bar', async () => {
    const h = mount(hostileTrace());
    await h.view.detailShown();
    h.view.addSpanActions((span) => (span.llm ? [Object.assign(document.createElement('button'), { id: 'replay-call', textContent: 'Replay' })] : []));
    expect(h.root.querySelector('#span-actions #replay-call')).not.toBeNull();
    h.view.select('aaaaaaaaaaaaaaa1');
    await h.view.detailShown();
    expect(h.root.querySelector('#replay-call')).toBeNull();
  });
});

describe('waterfall zoom, splitters and screen readers', () => {
  const key = (el: HTMLElement, k: string, extra: KeyboardEventInit = {}) => el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, ...extra }));
  const bar = (root: HTMLElement, spanId: string) => root.querySelector<HTMLElement>(`.span-row[data-span-id="${spanId}"] .span-bar`)!;

  it('zooms the time axis from the keyboard and the buttons, to a span, and back to the whole trace', () => {
    const h = mount(hostileTrace());
    const wf = h.view.waterfall;
    const scroller = h.root.querySelector<HTMLElement>('#waterfall')!;
    expect(wf.timeWindow).toEqual({ start: 0, end: 1_000 });
    expect(bar(h.root, 'aaaaaaaaaaaaaaa2').style.left).toBe('1%');
    key(scroller, '+');
    wf.renderNow();
    expect(wf.timeWindow.end - wf.timeWindow.start).toBeCloseTo(1_000 / 1.5);
    expect(h.root.querySelector('#waterfall-pane')!.classList.contains('zoomed')).toBe(true);
    expect(h.root.querySelector('#zoom-label')!.textContent).not.toBe('');
    key(scroller, '0');
    wf.renderNow();
    expect(wf.timeWindow).toEqual({ start: 0, end: 1_000 });
    // Z: the selected span (the LLM call, 10 to 600 ms) fills the timeline, with a margin
    key(scroller, 'z');
    wf.renderNow();
    expect(wf.timeWindow.start).toBeCloseTo(0);
    expect(wf.timeWindow.end).toBeCloseTo(708); // 590 ms and 10% either side, pushed inside the trace
    const left = parseFloat(bar(h.root, 'aaaaaaaaaaaaaaa2').style.left);
    expect(left).toBeCloseTo((10 / 708) * 100, 1);
    // a span wholly outside the window has no bar to see
    expect(bar(h.root, 'aaaaaaaaaaaaaaa4').hidden).toBe(true);
    key(scroller, 'ArrowRight', { shiftKey: true });
    wf.renderNow();
    expect(wf.timeWindow.start).toBeGreaterThan(100);
    h.root.querySelector<HTMLButtonElement>('#zoom-reset')!.click();
    h.root.querySelector<HTMLButtonElement>('#zoom-in')!.click();
    h.root.querySelector<HTMLButtonElement>('#zoom-out')!.click();
    wf.renderNow();
    expect(wf.timeWindow.end - wf.timeWindow.start).toBeCloseTo(1_000);
  });

  it('names the selected row for screen readers with aria-activedescendant', () => {
    const h = mount(hostileTrace());
    const scroller = h.root.querySelector<HTMLElement>('#waterfall')!;
    h.view.waterfall.renderNow();
    const active = () => h.root.querySelector(`#${scroller.getAttribute('aria-activedescendant')}`) as HTMLElement | null;
    expect(active()?.dataset.spanId).toBe('aaaaaaaaaaaaaaa2');
    key(scroller, 'ArrowDown');
    h.view.waterfall.renderNow();
    expect(active()?.dataset.spanId).toBe(h.view.selectedSpanId);
    expect(active()?.getAttribute('role')).toBe('treeitem');
    expect(active()?.getAttribute('aria-selected')).toBe('true');
  });

  it('resizes the timeline and the name column with splitters, keeps the sizes and tells the host', () => {
    const h = mount(hostileTrace());
    const details = h.root.querySelector<HTMLElement>('#details-splitter')!;
    expect(details.getAttribute('role')).toBe('separator');
    key(details, 'ArrowRight');
    const saved = h.posted.filter((m) => m.kind === 'command' && m.method === 'saveLayout').at(-1) as { params: { waterfallPx: number | null } };
    expect(typeof saved.params.waterfallPx).toBe('number');
    expect(h.root.querySelector<HTMLElement>('.trace-body')!.style.getPropertyValue('--waterfall-w')).toBe(`${saved.params.waterfallPx}px`);
    const name = h.root.querySelector<HTMLElement>('#name-splitter')!;
    key(name, 'End');
    const both = h.posted.filter((m) => m.kind === 'command' && m.method === 'saveLayout').at(-1) as { params: { waterfallPx: number | null; namePx: number | null } };
    expect(both.params.waterfallPx).toBe(saved.params.waterfallPx);
    expect(typeof both.params.namePx).toBe('number');
    expect(h.persisted.at(-1)!.layout).toEqual(both.params);
    name.dispatchEvent(new MouseEvent('dblclick', { bubbles: true }));
    expect(h.root.querySelector<HTMLElement>('#waterfall-pane')!.style.getPropertyValue('--name-col')).toBe('');
  });

  it('opens with the sizes the host kept from another panel', () => {
    const h = mount(hostileTrace(), { state: { layout: { waterfallPx: 700, namePx: 260 } } });
    expect(h.root.querySelector<HTMLElement>('.trace-body')!.style.getPropertyValue('--waterfall-w')).toBe('700px');
    expect(h.root.querySelector<HTMLElement>('#waterfall-pane')!.style.getPropertyValue('--name-col')).toBe('260px');
  });
});
