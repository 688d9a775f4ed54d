// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { buildAgentRun } from '../../../src/core/agent-run';
import { agentRunSpans, loadAgentRun } from '../../../src/host/panels/agent-run-source';
import type { SpanDto, TraceDetail } from '../../../src/protocol/api';
import { MessageEndpoint, type TraceHostToWebview, type TracePanelState, type TraceWebviewToHost, type WireMessage } from '../../../src/protocol/webview';
import { renderAgentRun } from '../../../webview/trace/agent-run';
import { mountTraceView } from '../../../webview/trace/view';
import { HOSTILE, TRACE_ID, llmCall, outlineOf, spanDto, summary } from './fixtures';

const agentRunOf = (spans: SpanDto[]) => buildAgentRun(agentRunSpans(spans));

const OTHER = 'f'.repeat(32);

/** Copilot Chat's shape: invoke_agent → chat / execute_tool, a subagent under runSubagent. */
function copilotTrace(): TraceDetail {
  const spans: SpanDto[] = [
    spanDto('root', null, 0, 1000, { name: 'invoke_agent copilot', category: 'agent', attributes: { 'gen_ai.agent.name': 'copilot' } }),
    spanDto('c1', 'root', 10, 200, { name: 'chat gpt-4o', category: 'llm', llm: llmCall({ inputTokens: 1000, outputTokens: 100, costUsd: 0.01 }) }),
    spanDto('t1', 'root', 210, 260, { name: 'execute_tool readFile', category: 'tool', attributes: { 'gen_ai.tool.name': 'readFile' } }),
    spanDto('t2', 'root', 270, 700, { name: 'execute_tool runSubagent', category: 'tool', attributes: { 'gen_ai.tool.name': 'runSubagent' } }),
    spanDto('sub', 't2', 280, 690, { name: `invoke_agent Explore ${HOSTILE}`, category: 'agent', attributes: { 'gen_ai.agent.name': `Explore ${HOSTILE}` } }),
    spanDto('sc', 'sub', 290, 400, { name: 'chat gpt-4o', category: 'llm', llm: llmCall({ inputTokens: 500, outputTokens: 50, costUsd: 0.005 }) }),
    spanDto('c2', 'root', 710, 990, { name: 'chat gpt-4o', category: 'llm', llm: llmCall({ inputTokens: 2000, outputTokens: 80, costUsd: 0.02 }) }),
  ];
  return { trace: summary(spans), spans, annotations: [] };
}

const opts = (log: string[]) => ({ traceId: TRACE_ID, onSelect: (id: string) => log.push(`select ${id}`), onOpenTrace: (t: string, s: string) => log.push(`open ${t} ${s}`) });

describe('agent-run view', () => {
  it('shows turns, tools between them, the subagent under its tool, and per-agent totals; captured text stays text', () => {
    const log: string[] = [];
    const el = renderAgentRun(agentRunOf(copilotTrace().spans), opts(log));
    document.body.replaceChildren(el);
    const turns = [...el.querySelectorAll('.agent-run-agent[data-agent="copilot"] > .agent-run-turns > .agent-run-turn')];
    expect(turns).toHaveLength(2);
    expect(turns[0]!.querySelector('.agent-run-turn-label')!.textContent).toBe('Turn 1');
    expect([...turns[0]!.querySelectorAll(':scope > .agent-run-tools > .agent-run-tool > .agent-run-row .agent-run-label')].map((e) => e.textContent)).toEqual(['readFile', 'runSubagent']);
    const sub = turns[0]!.querySelector('.agent-run-tool .agent-run-subagents .agent-run-agent')!;
    expect(sub.querySelector('.agent-run-label')!.textContent).toBe(`Explore ${HOSTILE}`);
    expect(document.querySelector('img')).toBeNull();
    const rows = [...el.querySelectorAll('.agent-run-table tbody tr')].map((r) => [...r.children].map((c) => c.textContent));
    expect(rows[0]![0]).toBe('copilot');
    expect(rows[0]!.slice(1, 4)).toEqual(['1', '2', '2']);
    expect(el.querySelector('.agent-run-summary')!.textContent).toContain('3 calls');
    (el.querySelector('[data-span-id="c2"]') as HTMLElement).click();
    expect(log).toEqual(['select c2']);
  });

  it('opens a linked subagent trace instead of selecting', () => {
    const log: string[] = [];
    const detail = copilotTrace();
    const linked: SpanDto[] = [
      { ...spanDto('x', null, 300, 600, { name: 'invoke_agent Researcher', category: 'agent', attributes: { 'gen_ai.agent.name': 'Researcher' } }), traceId: OTHER, links: [{ traceId: TRACE_ID, spanId: 't1', attributes: {} }] },
      { ...spanDto('xc', 'x', 310, 500, { category: 'llm', llm: llmCall() }), traceId: OTHER },
    ];
    const el = renderAgentRun(agentRunOf([...detail.spans, ...linked]), opts(log));
    const row = el.querySelector(`[data-trace-id="${OTHER}"][data-span-id="x"]`) as HTMLElement;
    expect(row.closest('.agent-run-tool')!.querySelector('.agent-run-label')!.textContent).toBe('readFile');
    row.click();
    expect(log).toEqual([`open ${OTHER} x`]);
  });

  it('reads the linked traces in the host, and shows the run without a linked trace that is not stored', async () => {
    const detail = copilotTrace();
    detail.spans[2] = { ...detail.spans[2]!, links: [{ traceId: OTHER, spanId: 'x', attributes: {} }, { traceId: '0'.repeat(31) + '1', spanId: 'y', attributes: {} }] };
    const other: TraceDetail = {
      trace: summary([]),
      spans: [{ ...spanDto('x', null, 300, 600, { name: 'invoke_agent Researcher', category: 'agent', attributes: { 'gen_ai.agent.name': 'Researcher' } }), traceId: OTHER }],
      annotations: [],
    };
    const asked: string[] = [];
    const run = await loadAgentRun(TRACE_ID, async (id) => {
      asked.push(id);
      if (id === TRACE_ID) return detail;
      if (id === OTHER) return other;
      throw new Error('not found');
    });
    expect(asked).toEqual([TRACE_ID, OTHER, '0'.repeat(31) + '1']);
    expect(run!.agents.map((a) => a.name)).toContain('copilot');
    const el = renderAgentRun(run, opts([]));
    expect(el.querySelector(`[data-trace-id="${OTHER}"][data-span-id="x"]`)).not.toBeNull();
  });

  it('is a tab of the trace panel, shown only for traces with agent spans, its run asked of the host when shown', async () => {
    const posted: WireMessage[] = [];
    const detail = copilotTrace();
    let host: MessageEndpoint<TraceHostToWebview, TraceWebviewToHost>;
    const endpoint = new MessageEndpoint<TraceWebviewToHost, TraceHostToWebview>({
      post: (m) => {
        posted.push(m);
        queueMicrotask(() => host.onMessage(JSON.parse(JSON.stringify(m))));
      },
    });
    host = new MessageEndpoint<TraceHostToWebview, TraceWebviewToHost>({ post: (m) => queueMicrotask(() => endpoint.onMessage(JSON.parse(JSON.stringify(m)))) });
    host.handleRequest('agentRun', () => loadAgentRun(TRACE_ID, async () => detail));
    const root = document.createElement('div');
    document.body.replaceChildren(root);
    const state: TracePanelState = { traceId: TRACE_ID, status: 'ready', trace: detail.trace, traceAnnotations: [], error: null, selectedSpanId: null, loadedAt: 1 };
    const view = mountTraceView(root, { endpoint, initial: state, persisted: undefined, persist: () => undefined });
    view.applyOutline(outlineOf(detail));
    endpoint.sendReady();
    const tabs = root.querySelector('.trace-tabs') as HTMLElement;
    expect(tabs.hidden).toBe(false);
    expect(posted.some((m) => m.kind === 'request' && m.method === 'agentRun')).toBe(false);
    (root.querySelector('#tab-agent-run') as HTMLElement).click();
    expect((root.querySelector('#agent-run-pane') as HTMLElement).hidden).toBe(false);
    expect((root.querySelector('.trace-body') as HTMLElement).hidden).toBe(true);
    await vi.waitFor(() => expect(root.querySelector('#agent-run-pane [data-span-id="t1"]')).not.toBeNull());
    expect(posted.filter((m) => m.kind === 'request' && m.method === 'agentRun')).toHaveLength(1);
    (root.querySelector('#agent-run-pane [data-span-id="t1"]') as HTMLElement).click();
    expect(view.selectedSpanId).toBe('t1');
    expect((root.querySelector('.trace-body') as HTMLElement).hidden).toBe(false);

    const plainSpans = [spanDto('a', null, 0, 5)];
    view.applyOutline(outlineOf({ trace: summary(plainSpans), spans: plainSpans, annotations: [] }));
    expect(tabs.hidden).toBe(true);
  });
});
