// The prompt comparison: two versions side by side, each figure with B's difference from A, its
// 95% interval, the test used and a plain verdict. DOM built with dom.ts only (prompt names and
// versions are captured text).

import { formatDuration, formatInteger, formatPercent, formatTokens, formatUsd } from '../../src/core/format';
import type { MetricComparisonDto, PromptVersionStats } from '../../src/protocol/api';
import type { PromptCompareHostToWebview, PromptCompareState, PromptCompareWebviewToHost } from '../../src/protocol/prompt-compare';
import type { MessageEndpoint } from '../../src/protocol/webview';
import { button, h, icon, replaceChildren } from '../shared/dom';

type Endpoint = MessageEndpoint<PromptCompareWebviewToHost, PromptCompareHostToWebview>;

const VERDICT_ICON: Record<MetricComparisonDto['verdict'], string> = {
  better: 'pass', worse: 'error', higher: 'arrow-up', lower: 'arrow-down', undecided: 'question',
};

/** A figure of the metric's kind: rates as percentages, latencies as durations, costs in dollars, tokens as counts. */
function figure(m: MetricComparisonDto, v: number | null, signed = false): string {
  if (v === null) return '—';
  const sign = signed && v > 0 ? '+' : '';
  if (m.kind === 'rate') return `${sign}${formatPercent(v)}`;
  if (m.metric === 'latencyMs' || m.metric === 'ttftMs') return `${sign}${signed && v < 0 ? '−' : ''}${formatDuration(Math.abs(v))}`;
  if (m.metric === 'costPerCall') return `${sign}${signed && v < 0 ? '−' : ''}${formatUsd(Math.abs(v))}`;
  return `${sign}${formatTokens(v)}`;
}

function interval(m: MetricComparisonDto): string {
  if (!m.interval) return '';
  return `95% CI ${figure(m, m.interval.lo, true)} to ${figure(m, m.interval.hi, true)}`;
}

function methodText(m: MetricComparisonDto): string {
  switch (m.method) {
    case 'newcombe+fisher':
      return "Newcombe interval, Fisher's exact test";
    case 'newcombe+z':
      return 'Newcombe interval, two-proportion z test';
    case 'mann-whitney+hodges-lehmann':
      return 'Mann–Whitney test, Hodges–Lehmann shift';
    default:
      return 'too few calls to test';
  }
}

function side(label: string, name: string, version: string, stats: PromptVersionStats, source: string | null, onSource: () => void): HTMLElement {
  return h('div', { class: 'side' },
    h('div', { class: 'side-label' }, label),
    h('div', { class: 'side-name' }, icon('symbol-string'), h('span', {}, `${name} v${version}`)),
    h('div', { class: 'side-figures' },
      `${formatInteger(stats.calls)} calls · ${formatInteger(stats.errors)} errors · p50 ${formatDuration(stats.latencyMs.p50)} · ${formatUsd(stats.costUsd)}`),
    source ? h('div', { class: 'side-source' }, button(source, 'go-to-file', onSource, { class: 'link', title: 'Open at Source' })) : null,
  );
}

function row(m: MetricComparisonDto): HTMLElement {
  const p = m.p === null ? '' : `p = ${m.p < 0.001 ? '< 0.001' : m.p.toFixed(3)}`;
  return h('tr', { data: { metric: m.metric, verdict: m.verdict } },
    h('th', { attrs: { scope: 'row' } }, m.label),
    h('td', { class: 'num' }, figure(m, m.a), h('div', { class: 'n' }, `n = ${m.n.a}`)),
    h('td', { class: 'num' }, figure(m, m.b), h('div', { class: 'n' }, `n = ${m.n.b}`)),
    h('td', { class: 'num' }, figure(m, m.difference, true), h('div', { class: 'ci' }, interval(m))),
    h('td', { class: `verdict verdict-${m.verdict}` }, icon(VERDICT_ICON[m.verdict]), h('span', { class: 'verdict-text' }, m.verdictText),
      h('div', { class: 'method', title: p }, methodText(m))),
  );
}

export function mountPromptCompare(root: HTMLElement, endpoint: Endpoint, initial: PromptCompareState | null): void {
  const render = (s: PromptCompareState | null) => {
    if (!s || s.status === 'loading') {
      replaceChildren(root, h('div', { class: 'compare-status' }, icon('loading', 'codicon-modifier-spin'), ' Comparing…'));
      return;
    }
    if (s.status === 'error' || !s.comparison) {
      replaceChildren(root, h('div', { class: 'compare-status error' }, icon('error'), ` ${s.error ?? 'No comparison'}`),
        button('Retry', 'refresh', () => void endpoint.request('reload', {}).then(render, () => undefined)));
      return;
    }
    const c = s.comparison;
    replaceChildren(root, h('div', { class: 'compare' },
      h('div', { class: 'compare-header' },
        side('A', c.a.name, c.a.version, c.a.stats, s.sources.a, () => endpoint.command('openSource', { side: 'a' })),
        h('div', { class: 'versus' }, icon('arrow-right')),
        side('B', c.b.name, c.b.version, c.b.stats, s.sources.b, () => endpoint.command('openSource', { side: 'b' })),
        h('div', { class: 'actions' },
          button('Diff Texts', 'diff', () => endpoint.command('openDiff', {}), { id: 'open-diff' }),
          button('Swap', 'arrow-swap', () => endpoint.command('swap', {})),
          button('Replay A with B', 'debug-rerun', () => endpoint.command('replayWithB', {}), { id: 'replay-with-b', title: "Send A's recent calls again with B's text, then compare them" }),
          button('Refresh', 'refresh', () => void endpoint.request('reload', {}).then(render, () => undefined)),
        ),
      ),
      s.replays ? h('p', { class: 'replay-note' }, icon('debug-rerun'),
        ` Same inputs on both sides: A's calls that were sent again with B's text (${formatInteger(c.a.stats.calls)}), against those replays (${formatInteger(c.b.stats.calls)}).`) : null,
      h('table', { class: 'metrics' },
        h('thead', {}, h('tr', {},
          h('th', {}, 'Figure'), h('th', {}, `A (v${c.a.version})`), h('th', {}, `B (v${c.b.version})`), h('th', {}, 'B − A'), h('th', {}, 'Verdict'))),
        h('tbody', {}, ...c.metrics.map(row)),
      ),
      h('p', { class: 'footnote' },
        'Rates: share of calls, median for the others. Differences of rates with Newcombe\'s interval; of latencies, costs and tokens the Hodges–Lehmann shift with its interval. ',
        '"Not distinguishable yet" estimates the calls per version a difference of this size needs for a 5% test with 80% power.'),
    ));
  };
  endpoint.handleNotification('didChangeState', render);
  render(initial);
}
