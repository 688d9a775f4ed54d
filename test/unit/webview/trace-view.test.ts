// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import {
  MessageEndpoint,
  type TraceHostToWebview,
  type TracePanelState,
  type TracePersistedState,
  type TraceWebviewToHost,
  type WireMessage,
} from '../../../src/protocol/webview';
import { mountTraceView, type TraceView } from '../../../webview/trace/view';
import { ROW_HEIGHT } from '../../../webview/trace/waterfall';
import { HOSTILE, TRACE_ID, bigTrace, hostileTrace, spanDto, summary } from './fixtures';

function readyState(detail = hostileTrace(), extra: Partial<TracePanelState> = {}): TracePanelState {
  return { traceId: TRACE_ID, status: 'ready', detail, error: null, selectedSpanId: null, loadedAt: 1, ...extra };
}

interface Harness {
  view: TraceView;
  root: HTMLElement;
  posted: WireMessage[];
  persisted: TracePersistedState[];
  endpoint: MessageEndpoint<TraceWebviewToHost, TraceHostToWebview>;
}

function mount(initial: TracePanelState | null, persisted?: TracePersistedState): Harness {
  const posted: WireMessage[] = [];
  const saved: TracePersistedState[] = [];
  const endpoint = new MessageEndpoint<TraceWebviewToHost, TraceHostToWebview>({ post: (m) => posted.push(m) });
  const root = document.createElement('div');
  root.id = 'app';
  document.body.appendChild(root);
  const view = mountTraceView(root, { endpoint, initial, persisted, persist: (s) => saved.push(s) });
  return { view, root, posted, persisted: saved, endpoint };
}

const rows = (root: HTMLElement) => [...root.querySelectorAll<HTMLElement>('#waterfall .span-row')];

beforeEach(() => {
  document.body.replaceChildren();
});

describe('trace view with hostile captured text', () => {
  it('renders every captured string as text, never as markup', () => {
    const { root } = mount(readyState());
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

  it('shows hostile attribute keys and values as text in the attributes table', () => {
    const { root } = mount(readyState());
    const table = root.querySelector('#attributes')!;
    const cells = [...table.querySelectorAll('td')].map((td) => td.textContent);
    expect(cells).toContain(`evil.${HOSTILE}`);
    expect(cells).toContain(HOSTILE);
    expect(table.querySelectorAll('img, b, script')).toHaveLength(0);
  });

  it('keeps a hostile role out of class names', () => {
    const detail = hostileTrace();
    detail.spans[1].llm!.inputMessages.unshift({ role: 'user" onmouseover="alert(1)', parts: [{ type: 'text', content: 'x' }] });
    const { root } = mount(readyState(detail));
    const first = root.querySelector('.messages-input .message')!;
    expect(first.className).toBe('message role-user-onmouseover-alert-1 message-input');
    expect(first.getAttribute('onmouseover')).toBeNull();
    expect(first.querySelector('.message-role')!.textContent).toBe('user" onmouseover="alert(1)');
  });

  it('renders the error span and its exception as text', () => {
    const h = mount(readyState());
    const errorRow = rows(h.root).find((r) => r.dataset.spanId === 'aaaaaaaaaaaaaaa3')!;
    expect(errorRow.classList.contains('error')).toBe(true);
    errorRow.querySelector<HTMLElement>('.span-name')!.click();
    const box = h.root.querySelector('#span-details .error-box')!;
    expect(box.textContent).toContain(`upstream failed ${HOSTILE}`);
    expect(box.querySelector('.exception')!.textContent).toBe(`TimeoutError: ${HOSTILE}`);
    expect(box.querySelector('.stacktrace')!.textContent).toBe(`at fetch ${HOSTILE}`);
    expect(box.querySelectorAll('img')).toHaveLength(0);
  });
});

describe('trace view', () => {
  it('lays out the waterfall with the orphan as a root and the LLM call selected', () => {
    const { root, view } = mount(readyState());
    const ids = rows(root).map((r) => r.dataset.spanId);
    expect(ids).toEqual(['aaaaaaaaaaaaaaa1', 'aaaaaaaaaaaaaaa2', 'aaaaaaaaaaaaaaa3', 'aaaaaaaaaaaaaaa4']);
    expect(rows(root).map((r) => r.dataset.depth)).toEqual(['0', '1', '1', '0']);
    expect(rows(root)[3].classList.contains('orphan')).toBe(true);
    expect(view.selectedSpanId).toBe('aaaaaaaaaaaaaaa2');
    expect(root.querySelector('.span-row.selected')!.getAttribute('data-span-id')).toBe('aaaaaaaaaaaaaaa2');
    expect(root.querySelector('.span-row.llm-call .codicon-sparkle')).not.toBeNull();
    expect(root.querySelector('.cat-tool .codicon-error')).not.toBeNull(); // errors override the category icon
    expect(root.querySelector('.cat-agent .codicon-hubot')).not.toBeNull();
  });

  it('shows the LLM call: tokens, estimated cost, TTFT, finish reasons, model and provider', () => {
    const { root } = mount(readyState());
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

  it('renders messages with parts: tool calls as pretty JSON, tool results, reasoning collapsed', () => {
    const { root } = mount(readyState());
    expect(root.querySelectorAll('#conversation .message.role-system')).toHaveLength(1);
    expect(root.querySelectorAll('#conversation .message.role-user')).toHaveLength(1);
    expect(root.querySelectorAll('#conversation .message.role-tool')).toHaveLength(1);
    const call = root.querySelector('.part-tool-call')!;
    expect(call.querySelector('.tool-name')!.textContent).toBe('get_weather');
    expect(call.querySelector('.tool-call-id')!.textContent).toBe('call_1');
    expect(call.querySelector('pre.tool-arguments')!.textContent).toBe('{\n  "city": "Paris",\n  "unit": "c"\n}');
    expect(JSON.parse(root.querySelector('.part-tool-result pre')!.textContent!)).toEqual({ temp: 21, note: HOSTILE });
    const reasoning = root.querySelector<HTMLDetailsElement>('details.part-reasoning')!;
    expect(reasoning.open).toBe(false);
    expect(reasoning.textContent).toContain(`Thinking about Paris ${HOSTILE}`);
    expect(root.querySelector('.message-output .finish-reason')!.textContent).toBe('stop');
  });

  it('selects on click, tells the host and persists the selection for a reload', () => {
    const h = mount(readyState());
    rows(h.root)[0].querySelector<HTMLElement>('.span-name')!.click();
    expect(h.view.selectedSpanId).toBe('aaaaaaaaaaaaaaa1');
    expect(h.root.querySelector('#span-details .details-title')!.textContent).toBe(`agent run ${HOSTILE}`);
    expect(h.posted).toContainEqual({ kind: 'notification', method: 'didSelectSpan', params: { spanId: 'aaaaaaaaaaaaaaa1' } });
    expect(h.persisted.at(-1)).toEqual({ traceId: TRACE_ID, selectedSpanId: 'aaaaaaaaaaaaaaa1' });
  });

  it('restores the persisted selection and obeys selectSpan from the host', () => {
    const h = mount(readyState(), { traceId: TRACE_ID, selectedSpanId: 'aaaaaaaaaaaaaaa4' });
    expect(h.view.selectedSpanId).toBe('aaaaaaaaaaaaaaa4');
    h.endpoint.onMessage({ kind: 'command', method: 'selectSpan', params: { spanId: 'aaaaaaaaaaaaaaa3' } });
    expect(h.view.selectedSpanId).toBe('aaaaaaaaaaaaaaa3');
    expect(h.root.querySelector('#span-details')!.getAttribute('aria-live')).toBe('polite');
    expect(h.root.querySelector('.span-details')!.getAttribute('data-span-id')).toBe('aaaaaaaaaaaaaaa3');
  });

  it('sends "go to source" for code.filepath attributes', () => {
    const h = mount(readyState());
    h.root.querySelector<HTMLButtonElement>('#go-to-source')!.click();
    expect(h.posted).toContainEqual({ kind: 'command', method: 'openSource', params: { path: 'src/agent.ts', line: 42 } });
  });

  it('folds a subtree from its twisty and with the keyboard', () => {
    const h = mount(readyState());
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

  it('shows a banner while the trace is not in the store, then the trace when it arrives', () => {
    const h = mount({ traceId: TRACE_ID, status: 'not-found', detail: null, error: null, selectedSpanId: null, loadedAt: null });
    const banner = h.root.querySelector<HTMLElement>('#trace-status')!;
    expect(banner.hidden).toBe(false);
    expect(banner.textContent).toContain('not in the store');
    expect(rows(h.root)).toHaveLength(0);
    h.endpoint.onMessage({ kind: 'notification', method: 'didChangeState', params: readyState(undefined, { loadedAt: 2 }) });
    h.view.waterfall.renderNow();
    expect(banner.hidden).toBe(true);
    expect(rows(h.root)).toHaveLength(4);
  });

  it('keeps the old trace on screen when the collector goes away', () => {
    const h = mount(readyState());
    h.endpoint.onMessage({
      kind: 'notification',
      method: 'didChangeState',
      params: readyState(undefined, { status: 'no-collector', error: 'The Spyglass collector is not running.' }),
    });
    h.view.waterfall.renderNow();
    expect(h.root.querySelector('#trace-status')!.textContent).toContain('not running');
    expect(rows(h.root)).toHaveLength(4);
  });

  it('keeps only the visible rows of a 10,000-span trace in the DOM', () => {
    const detail = bigTrace(10_000);
    const started = performance.now();
    const h = mount(readyState(detail));
    const mountMs = performance.now() - started;
    const viewport = window.innerHeight || 600;
    const maxRows = Math.ceil(viewport / ROW_HEIGHT) + 2 * 10 + 1;
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
    const h = mount(readyState(detail));
    h.view.waterfall.setAllCollapsed(true);
    h.view.waterfall.renderNow();
    const target = detail.spans[1_995].spanId;
    h.view.select(target);
    h.view.waterfall.renderNow();
    expect(rows(h.root).some((r) => r.dataset.spanId === target && r.classList.contains('selected'))).toBe(true);
  });

  it('summarises the trace in the header', () => {
    const spans = [spanDto('bbbbbbbbbbbbbbb1', null, 0, 1500, { name: 'handle request' })];
    const h = mount(readyState({ trace: summary(spans, { costUsd: 0.5, costEstimated: false, spanCount: 1 }), spans, annotations: [] }));
    const stat = (k: string) => h.root.querySelector(`#trace-header [data-stat="${k}"] .stat-value`)!.textContent;
    expect(h.root.querySelector('.trace-title')!.textContent).toBe('handle request');
    expect(stat('duration')).toBe('1.5s');
    expect(stat('cost')).toBe('$0.50');
    expect(stat('spans')).toBe('1');
  });
});

describe('find in spans', () => {
  const type = async (input: HTMLInputElement, value: string) => {
    input.value = value;
    input.dispatchEvent(new Event('input'));
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
  };

  it('finds spans by message text and attribute values, highlights them and steps through them', async () => {
    const h = mount(readyState());
    const input = h.root.querySelector<HTMLInputElement>('#span-filter')!;
    await type(input, 'WEATHER IN PARIS'); // message text of the LLM call, case-insensitive
    h.view.waterfall.renderNow();
    expect(h.view.selectedSpanId).toBe('aaaaaaaaaaaaaaa2');
    expect(rows(h.root).filter((r) => r.classList.contains('match')).map((r) => r.dataset.spanId)).toEqual(['aaaaaaaaaaaaaaa2']);
    expect(h.root.querySelector('#span-filter-count')!.textContent).toBe('1 of 1');

    await type(input, 'TimeoutError'); // an exception event attribute
    expect(h.view.selectedSpanId).toBe('aaaaaaaaaaaaaaa3');

    await type(input, 'weather'); // service name of all four, and the tool's name
    h.view.waterfall.renderNow();
    expect(rows(h.root).filter((r) => r.classList.contains('match'))).toHaveLength(4);
    h.root.querySelector<HTMLButtonElement>('#filter-next')!.click();
    const after = h.view.selectedSpanId;
    h.root.querySelector<HTMLButtonElement>('#filter-prev')!.click();
    expect(h.view.selectedSpanId).not.toBe(after);

    await type(input, 'no such text anywhere');
    expect(h.root.querySelector('#span-filter-count')!.textContent).toBe('No match');
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    h.view.waterfall.renderNow();
    expect(rows(h.root).some((r) => r.classList.contains('match'))).toBe(false);
  });

  it('searches a 10,000-span trace and reveals a hit deep in a folded subtree', async () => {
    const detail = bigTrace(10_000);
    const h = mount(readyState(detail));
    h.view.waterfall.setAllCollapsed(true);
    await type(h.root.querySelector<HTMLInputElement>('#span-filter')!, 'call 9876');
    h.view.waterfall.renderNow();
    const hit = rows(h.root).find((r) => r.classList.contains('selected'))!;
    expect(hit.querySelector('.span-name')!.textContent).toBe('call 9876');
    expect(hit.classList.contains('match')).toBe(true);
  });
});
