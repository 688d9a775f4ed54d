// A session read as the conversation it was: one turn per trace, oldest first, each with what
// the user asked and what was answered (as text: captured content is untrusted), and the turn's
// calls, tokens, cost, latency and errors; a turn opens its trace.

import { formatDateTime, formatDuration, formatInteger, formatTokens, formatUsd, plural } from '../../src/core/format';
import type { SessionTurn } from '../../src/protocol/api';
import type { SessionHostToWebview, SessionPanelState, SessionPersistedState, SessionWebviewToHost } from '../../src/protocol/explorer';
import type { MessageEndpoint } from '../../src/protocol/webview';
import { button, h, icon, longText, replaceChildren } from '../shared/dom';

export interface SessionDeps {
  endpoint: MessageEndpoint<SessionWebviewToHost, SessionHostToWebview>;
  initial: SessionPanelState | null;
  persist: (state: SessionPersistedState) => void;
}

function turnView(turn: SessionTurn, index: number, open: (traceId: string) => void): HTMLElement {
  const t = turn.trace;
  const facts = h('div', { class: 'turn-facts' },
    h('span', { title: 'LLM calls' }, icon('sparkle'), plural(t.llmCallCount, 'call')),
    h('span', { title: 'Tokens in / out' }, icon('symbol-number'), `${formatTokens(t.inputTokens)} → ${formatTokens(t.outputTokens)}`),
    h('span', { title: 'Cost' }, formatUsd(t.costUsd, t.costEstimated)),
    h('span', { title: 'Latency' }, icon('watch'), formatDuration(t.durationMs)),
    t.errorCount ? h('span', { class: 'status-error', title: 'Errors' }, icon('error'), plural(t.errorCount, 'error')) : null);
  return h('article', { class: `turn${t.errorCount ? ' turn-error' : ''}`, data: { traceId: t.traceId }, attrs: { 'aria-label': `Turn ${index + 1}` } },
    h('header', { class: 'turn-header' },
      h('span', { class: 'turn-number' }, `Turn ${index + 1}`),
      h('span', { class: 'turn-time' }, formatDateTime(t.startTime)),
      h('span', { class: 'turn-name' }, t.rootName ?? ''),
      h('span', { class: 'spacer' }),
      facts,
      button('Open trace', 'go-to-file', () => open(t.traceId), { class: 'link-button open-turn' })),
    h('div', { class: 'bubble bubble-user' }, h('div', { class: 'bubble-role' }, icon('account'), 'User'),
      turn.input !== null ? longText(turn.input, 4_000, 'div', 'bubble-text') : h('div', { class: 'bubble-text empty' }, 'No input captured')),
    h('div', { class: 'bubble bubble-assistant' }, h('div', { class: 'bubble-role' }, icon('hubot'), 'Assistant'),
      turn.output !== null ? longText(turn.output, 4_000, 'div', 'bubble-text') : h('div', { class: 'bubble-text empty' }, t.errorCount ? 'No answer (the turn failed)' : 'No output captured')));
}

export function mountSession(root: HTMLElement, deps: SessionDeps): { apply(state: SessionPanelState): void } {
  const { endpoint } = deps;
  const title = h('h1', { id: 'session-title' }, 'Session');
  const totals = h('div', { id: 'session-totals', class: 'session-totals' });
  const banner = h('div', { id: 'session-status', class: 'banner', role: 'status', attrs: { hidden: true } });
  const turns = h('div', { id: 'session-turns', class: 'turns', role: 'feed' });
  const open = (traceId: string) => endpoint.command('openTrace', { traceId });
  replaceChildren(root, h('div', { class: 'session' },
    h('header', { class: 'session-header' }, icon('comment-discussion', 'session-icon'), title, h('span', { class: 'spacer' }),
      button('', 'refresh', () => void endpoint.request('reload', {}).then(apply, () => undefined), { class: 'icon-button', title: 'Reload', attrs: { 'aria-label': 'Reload' } })),
    totals, banner, turns));

  let shownTurns = 0;
  function apply(state: SessionPanelState): void {
    deps.persist({ sessionId: state.sessionId });
    title.textContent = `Session ${state.sessionId}`;
    const message = state.status === 'not-found' ? 'This session has no stored traces (they may have been cleared).'
      : state.status === 'no-collector' ? 'No trace store to read.' : state.status === 'error' ? `Could not load the session: ${state.error ?? ''}` : '';
    banner.hidden = !message;
    banner.textContent = message;
    const d = state.detail;
    if (!d) return;
    const s = d.session;
    replaceChildren(totals,
      h('span', {}, plural(s.traceCount, 'turn')), h('span', {}, plural(s.llmCallCount, 'call')),
      h('span', {}, `${formatTokens(s.inputTokens + s.outputTokens)} tokens`), h('span', {}, formatUsd(s.costUsd)),
      s.errorCount ? h('span', { class: 'status-error' }, plural(s.errorCount, 'error')) : null,
      s.userId ? h('span', {}, icon('account'), s.userId) : null,
      h('span', {}, `${formatDateTime(s.firstTime)} – ${formatDateTime(s.lastTime)}`),
      d.truncated ? h('span', { class: 'estimated' }, `first ${formatInteger(d.turns.length)} turns`) : null);
    // A new turn at the end scrolls into view only if the reader was at the end already.
    const atEnd = root.scrollTop + root.clientHeight >= root.scrollHeight - 8;
    replaceChildren(turns, ...d.turns.map((t, i) => turnView(t, i, open)));
    if (shownTurns > 0 && d.turns.length > shownTurns && atEnd) turns.lastElementChild?.scrollIntoView({ block: 'end' });
    shownTurns = d.turns.length;
  }

  endpoint.handleNotification('didChangeState', apply);
  if (deps.initial) apply(deps.initial);
  return { apply };
}
