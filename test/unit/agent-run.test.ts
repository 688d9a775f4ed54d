import { describe, expect, it } from 'vitest';
import { buildAgentRun, type AgentRunSpan } from '../../src/core/agent-run';

const T = 'a'.repeat(32);
let clock = 0;

function s(spanId: string, parent: string | null, category: AgentRunSpan['category'], over: Partial<AgentRunSpan> = {}): AgentRunSpan {
  clock += 10;
  return {
    traceId: T,
    spanId,
    parentSpanId: parent,
    name: spanId,
    category,
    startMs: clock,
    endMs: clock + 5,
    model: category === 'llm' ? 'gpt-4o' : null,
    inputTokens: category === 'llm' ? 100 : null,
    outputTokens: category === 'llm' ? 10 : null,
    costUsd: category === 'llm' ? 0.01 : null,
    agentName: null,
    ...over,
  };
}

/** The Copilot Chat session of agent_monitoring.md: a subagent started by the runSubagent tool. */
function copilotSession(): AgentRunSpan[] {
  clock = 0;
  return [
    s('agent', null, 'agent', { name: 'invoke_agent copilot', agentName: 'copilot', inputTokens: 9999, outputTokens: 9999, model: 'gpt-4o' }),
    s('chat1', 'agent', 'llm'),
    s('read', 'agent', 'tool', { toolName: 'readFile' }),
    s('runSub', 'agent', 'tool', { toolName: 'runSubagent' }),
    s('explore', 'runSub', 'agent', { agentName: 'Explore' }),
    s('echat1', 'explore', 'llm', { costUsd: 0.002 }),
    s('search', 'explore', 'tool', { toolName: 'searchFiles' }),
    s('echat2', 'explore', 'llm', { costUsd: null }),
    s('chat2', 'agent', 'llm'),
  ];
}

describe('buildAgentRun', () => {
  it('reads a Copilot session: turns, the tools between them, the subagent under the tool that started it', () => {
    const run = buildAgentRun(copilotSession())!;
    expect(run.agents).toHaveLength(1);
    const copilot = run.agents[0]!;
    expect(copilot.name).toBe('copilot');
    expect(copilot.turns.map((t) => [t.index, t.call?.span.spanId, t.tools.map((x) => x.name)])).toEqual([
      [1, 'chat1', ['readFile', 'runSubagent']],
      [2, 'chat2', []],
    ]);
    const explore = copilot.turns[0]!.tools[1]!.subagents[0]!;
    expect(explore.name).toBe('Explore');
    expect(explore.depth).toBe(1);
    expect(explore.turns.map((t) => t.tools.map((x) => x.name))).toEqual([['searchFiles'], []]);
    // The agent span's own usage (a total of its calls) is never counted again.
    expect(copilot.own).toEqual({ calls: 2, toolCalls: 2, inputTokens: 200, outputTokens: 20, costUsd: 0.02, unpricedCalls: 0 });
    expect(explore.own).toMatchObject({ calls: 2, toolCalls: 1, inputTokens: 200, costUsd: 0.002, unpricedCalls: 1 });
    expect(copilot.total).toMatchObject({ calls: 4, toolCalls: 3, inputTokens: 400, outputTokens: 40, unpricedCalls: 1 });
    expect(copilot.total.costUsd).toBeCloseTo(0.022, 12);
    expect(run.total).toEqual(copilot.total);
    expect(run.byAgent.map((r) => [r.name, r.runs, r.calls])).toEqual([
      ['copilot', 1, 2],
      ['Explore', 1, 2],
    ]);
  });

  it('follows a link to another trace: a subagent exported as its own trace hangs under the tool call', () => {
    const parent = copilotSession().filter((x) => !['explore', 'echat1', 'search', 'echat2'].includes(x.spanId));
    const other = 'b'.repeat(32);
    const child: AgentRunSpan[] = [
      { ...s('sub', null, 'agent', { agentName: 'Researcher' }), traceId: other, links: [{ traceId: T, spanId: 'runSub' }] },
      { ...s('subchat', 'sub', 'llm'), traceId: other },
    ];
    const run = buildAgentRun([...parent, ...child])!;
    expect(run.agents).toHaveLength(1);
    const tool = run.agents[0]!.turns[0]!.tools.find((t) => t.name === 'runSubagent')!;
    expect(tool.subagents.map((a) => [a.name, a.span.traceId, a.own.calls])).toEqual([['Researcher', other, 1]]);
    expect(run.total.calls).toBe(3);
  });

  it('puts tool calls made before the first model call in turn 0, and agents started without a tool under the agent', () => {
    clock = 0;
    const run = buildAgentRun([
      s('root', null, 'agent', { agentName: 'planner' }),
      s('prefetch', 'root', 'tool'),
      s('c1', 'root', 'llm'),
      s('loop', 'root', 'chain'),
      s('c2', 'loop', 'llm'),
      s('t2', 'loop', 'tool'),
      s('worker', 'loop', 'agent', { agentName: 'worker' }),
      s('wc', 'worker', 'llm'),
    ])!;
    const root = run.agents[0]!;
    expect(root.turns.map((t) => [t.index, t.call?.span.spanId ?? null, t.tools.map((x) => x.span.spanId)])).toEqual([
      [0, null, ['prefetch']],
      [1, 'c1', []],
      [2, 'c2', ['t2']],
    ]);
    expect(root.subagents.map((a) => a.name)).toEqual(['worker']);
    expect(root.total.calls).toBe(3);
  });

  it('sums an agent that ran several times into one row', () => {
    clock = 0;
    const run = buildAgentRun([
      s('root', null, 'agent', { agentName: 'boss' }),
      s('t1', 'root', 'tool'),
      s('a1', 't1', 'agent', { agentName: 'helper' }),
      s('a1c', 'a1', 'llm'),
      s('t2', 'root', 'tool'),
      s('a2', 't2', 'agent', { agentName: 'helper' }),
      s('a2c', 'a2', 'llm'),
    ])!;
    expect(run.byAgent.find((r) => r.name === 'helper')).toMatchObject({ runs: 2, calls: 2, inputTokens: 200 });
  });

  it('returns null when no span is an agent span', () => {
    clock = 0;
    expect(buildAgentRun([s('c', null, 'llm'), s('t', 'c', 'tool')])).toBeNull();
    expect(buildAgentRun([])).toBeNull();
  });

  it('survives orphans, duplicate ids, parent cycles and link cycles', () => {
    clock = 0;
    const spans = [
      s('x', 'y', 'agent', { agentName: 'x' }),
      s('y', 'x', 'tool'),
      s('y', 'x', 'tool'),
      s('orphan', 'missing', 'llm'),
      s('l1', null, 'agent', { links: [{ traceId: T, spanId: 'l2' }] }),
      s('l2', null, 'tool', { links: [{ traceId: T, spanId: 'l1' }] }),
    ];
    const run = buildAgentRun(spans)!;
    expect(run).not.toBeNull();
    const names = run.agents.map((a) => a.span.spanId).sort();
    expect(names.length).toBeGreaterThanOrEqual(1);
  });

  it('handles a deep chain of nested agents', () => {
    clock = 0;
    const spans: AgentRunSpan[] = [];
    let parent: string | null = null;
    for (let i = 0; i < 2000; i++) {
      const tool = `t${i}`;
      spans.push(s(`a${i}`, parent, 'agent', { agentName: `agent-${i % 3}` }));
      spans.push(s(`c${i}`, `a${i}`, 'llm'));
      spans.push(s(tool, `a${i}`, 'tool'));
      parent = tool;
    }
    const run = buildAgentRun(spans)!;
    expect(run.agents).toHaveLength(1);
    expect(run.total.calls).toBe(2000);
    expect(run.byAgent.reduce((n, r) => n + r.runs, 0)).toBe(2000);
  });
});
