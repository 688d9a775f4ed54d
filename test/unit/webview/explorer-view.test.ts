// @vitest-environment happy-dom
// The explorer and session webviews: captured text stays text, headers sort, the keyboard moves
// and opens, two selected rows offer Compare, and a late answer never overwrites what the user
// is typing.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionTurn, TraceSummary } from '../../../src/protocol/api';
import type { ExplorerHostToWebview, ExplorerState, ExplorerWebviewToHost, SessionHostToWebview, SessionWebviewToHost } from '../../../src/protocol/explorer';
import { MessageEndpoint, type WireMessage } from '../../../src/protocol/webview';
import { mountExplorer } from '../../../webview/explorer/view';
import { mountSession } from '../../../webview/session/view';
import { HOSTILE } from './fixtures';

function row(i: number, over: Partial<TraceSummary> = {}): TraceSummary {
  return {
    traceId: i.toString(16).padStart(32, '0'), startTime: 1_763_800_000_000 - i * 60_000, durationMs: 100 * i, spanCount: 2, llmCallCount: 1,
    errorCount: 0, costUsd: 0.001, costEstimated: false, inputTokens: 10, outputTokens: 5, status: 'ok', rootName: `trace ${i}`, serviceName: 'svc',
    models: ['gpt-4o-mini'], sessionId: i === 2 ? 'conv-1' : null, annotationCounts: {}, feedback: { up: 0, down: 0 }, inputPreview: `question ${i}`, outputPreview: `answer ${i}`,
    ...over,
  };
}

function state(over: Partial<ExplorerState> = {}): ExplorerState {
  return { query: { range: '7d', sort: 'time', order: 'desc' }, status: 'ready', rows: [row(1), row(2), row(3)], hasMore: true, total: 12_000, totalExact: false, error: null, readOnly: false, generation: 1, ...over };
}

function mount(initial: ExplorerState | null = state()) {
  const posted: WireMessage[] = [];
  const endpoint = new MessageEndpoint<ExplorerWebviewToHost, ExplorerHostToWebview>({ post: (m) => posted.push(m) });
  const root = document.createElement('div');
  document.body.appendChild(root);
  const view = mountExplorer(root, { endpoint, initial, persist: () => undefined });
  const sent = (method: string) => posted.filter((m) => (m as { method?: string }).method === method) as { params: Record<string, unknown> }[];
  return { view, root, posted, sent };
}

beforeEach(() => document.body.replaceChildren());

describe('explorer view', () => {
  it('renders captured text as text, previews and the capped total', () => {
    const { root } = mount(state({ rows: [row(1, { rootName: HOSTILE, inputPreview: HOSTILE })] }));
    expect(root.querySelector('img')).toBeNull();
    expect(root.querySelector('.root-name')!.textContent).toContain('<img src=x');
    expect(root.querySelector('#explorer-summary')!.textContent).toBe('12,000+ traces · 1 shown');
    expect((root.querySelector('#load-more') as HTMLButtonElement).hidden).toBe(false);
  });

  it('sorts by a header: biggest first, then reversed', () => {
    const { root, sent } = mount();
    (root.querySelector('button.sort-button[data-sort="duration"]') as HTMLButtonElement).click();
    expect(sent('setQuery').at(-1)!.params.query).toMatchObject({ sort: 'duration', order: 'desc' });
    expect(root.querySelector('th.col-duration')!.getAttribute('aria-sort')).toBe('descending');
    (root.querySelector('button.sort-button[data-sort="duration"]') as HTMLButtonElement).click();
    expect(sent('setQuery').at(-1)!.params.query).toMatchObject({ sort: 'duration', order: 'asc' });
  });

  it('opens on click and Enter, selects with Space, and offers Compare for two', () => {
    const { root, sent } = mount();
    const rows = [...root.querySelectorAll<HTMLTableRowElement>('.trace-row')];
    rows[0]!.click();
    expect(sent('openTrace').at(-1)!.params).toEqual({ traceId: row(1).traceId });
    const body = root.querySelector('#explorer-rows')!;
    const key = (k: string) => body.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));
    key('ArrowDown');
    key('Enter');
    expect(sent('openTrace').at(-1)!.params).toEqual({ traceId: row(2).traceId });
    const compare = root.querySelector('#compare') as HTMLButtonElement;
    expect(compare.disabled).toBe(true);
    key(' ');
    key('ArrowDown');
    key(' ');
    expect(compare.disabled).toBe(false);
    compare.click();
    expect(sent('compare').at(-1)!.params).toEqual({ traceIds: [row(2).traceId, row(3).traceId] });
    // the session of the one selected row
    key(' ');
    expect((root.querySelector('#open-session') as HTMLButtonElement).disabled).toBe(false);
    (root.querySelector('#open-session') as HTMLButtonElement).click();
    expect(sent('openSession').at(-1)!.params).toEqual({ sessionId: 'conv-1' });
  });

  it('keeps only the rows in view in the DOM, and the keyboard reaches every loaded row', () => {
    const many = Array.from({ length: 5_000 }, (_, i) => row(i + 1));
    const { root, sent } = mount(state({ rows: many, total: 5_000, totalExact: true }));
    const inDom = () => root.querySelectorAll('.trace-row').length;
    expect(inDom()).toBeGreaterThan(5);
    expect(inDom()).toBeLessThan(200);
    expect(root.querySelector('#explorer-table')!.getAttribute('aria-rowcount')).toBe('5001');
    // the spacer below stands for the rows not rendered
    const spacers = root.querySelectorAll<HTMLTableRowElement>('tr.spacer');
    expect(spacers).toHaveLength(2);
    expect(parseFloat(spacers[1]!.style.height)).toBeGreaterThan(4_000 * 20);
    const body = root.querySelector('#explorer-rows')!;
    const key = (k: string) => body.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));
    root.querySelector<HTMLTableRowElement>('.trace-row')!.focus();
    key('End');
    const last = root.querySelector<HTMLTableRowElement>(`#row-${many[4_999]!.traceId}`);
    expect(last).not.toBeNull();
    expect(last!.getAttribute('aria-rowindex')).toBe('5001');
    expect(document.activeElement).toBe(last);
    expect(inDom()).toBeLessThan(200);
    key(' ');
    key('ArrowUp');
    key(' ');
    expect((root.querySelector('#compare') as HTMLButtonElement).disabled).toBe(false);
    (root.querySelector('#compare') as HTMLButtonElement).click();
    expect(sent('compare').at(-1)!.params).toEqual({ traceIds: [many[4_999]!.traceId, many[4_998]!.traceId] });
    key('Home');
    key('Enter');
    expect(sent('openTrace').at(-1)!.params).toEqual({ traceId: many[0]!.traceId });
    expect(root.querySelector(`#row-${many[4_999]!.traceId}`)).toBeNull();
  });

  it('keeps what the user is typing when an answer to an earlier query arrives', () => {
    const { root, view } = mount();
    const search = root.querySelector('#explorer-search') as HTMLInputElement;
    search.value = 'refund';
    search.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    const session = root.querySelector('#filter-session') as HTMLInputElement;
    session.value = 'conv-1';
    // the answer to the 'refund' query lands while the session is being typed
    view.apply(state({ query: { range: '7d', sort: 'time', order: 'desc', text: 'refund' }, rows: [row(9)] }));
    expect(session.value).toBe('conv-1');
    // a query set from outside (a command) does show in the inputs
    view.apply(state({ query: { range: '24h', sort: 'cost', order: 'desc', service: 'billing' } }));
    expect((root.querySelector('#filter-service') as HTMLInputElement).value).toBe('billing');
    expect((root.querySelector('#explorer-range') as HTMLSelectElement).value).toBe('24h');
  });

  it('keeps what the user typed before the state of a panel brought back to view arrives', () => {
    vi.useFakeTimers();
    try {
      // the HTML holds the state of when the panel was made; the host has sorted by duration since
      const { root, view, sent } = mount(state());
      const search = root.querySelector('#explorer-search') as HTMLInputElement;
      search.value = 'order #1100';
      search.dispatchEvent(new Event('input'));
      view.apply(state({ query: { range: '7d', sort: 'duration', order: 'desc' } }));
      expect(search.value).toBe('order #1100');
      vi.advanceTimersByTime(300);
      expect(sent('setQuery').at(-1)!.params.query).toMatchObject({ text: 'order #1100', sort: 'duration' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('says when it reads stored data with capture stopped, and when there is nothing to read', () => {
    const { root, view } = mount(state({ readOnly: true, total: 3, totalExact: true }));
    expect(root.querySelector('#explorer-summary')!.textContent).toBe('3 traces · stored data (capture stopped)');
    view.apply(state({ status: 'no-collector', rows: [], total: null }));
    expect((root.querySelector('#explorer-status') as HTMLElement).hidden).toBe(false);
  });
});

describe('session view', () => {
  it('shows each turn as the user’s input and the answer, as text, oldest first, and opens a turn', () => {
    const posted: WireMessage[] = [];
    const endpoint = new MessageEndpoint<SessionWebviewToHost, SessionHostToWebview>({ post: (m) => posted.push(m) });
    const root = document.createElement('div');
    document.body.appendChild(root);
    const turns: SessionTurn[] = [
      { trace: row(3), input: `first ${HOSTILE}`, output: 'one' },
      { trace: row(2, { errorCount: 1, status: 'error' }), input: 'second', output: null },
    ];
    mountSession(root, {
      endpoint, persist: () => undefined,
      initial: { sessionId: 'conv-1', status: 'ready', error: null, detail: {
        session: { sessionId: 'conv-1', traceCount: 2, firstTime: 0, lastTime: 0, llmCallCount: 2, errorCount: 1, costUsd: 0.002, inputTokens: 20, outputTokens: 10, userId: 'dana', inputPreview: 'first' },
        turns, truncated: false,
      } },
    });
    const articles = root.querySelectorAll('.turn');
    expect(articles).toHaveLength(2);
    expect(articles[0]!.querySelector('.bubble-user')!.textContent).toContain('<img src=x');
    expect(root.querySelector('img')).toBeNull();
    expect(articles[1]!.classList.contains('turn-error')).toBe(true);
    expect(articles[1]!.querySelector('.bubble-assistant')!.textContent).toContain('No answer (the turn failed)');
    expect(root.querySelector('#session-totals')!.textContent).toMatch(/2 turns.*2 calls.*dana/);
    (articles[1]!.querySelector('.open-turn') as HTMLButtonElement).click();
    expect(posted.at(-1)).toMatchObject({ method: 'openTrace', params: { traceId: row(2).traceId } });
  });
});
