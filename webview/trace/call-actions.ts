// An LLM call's replay and compare actions in its details (the host runs them as commands), and
// its replay links: the call it replays, and the replays made of it, each one click away.

import type { LlmCallDto } from '../../src/protocol/api';
import type { CallAction } from '../../src/protocol/webview';
import { button, h } from '../shared/dom';

export interface CallActionHandlers {
  onCallAction: (spanId: string, action: CallAction) => void;
  onOpenTrace: (traceId: string, spanId: string) => void;
}

export function renderCallActions(spanId: string, llm: LlmCallDto, handlers: CallActionHandlers): HTMLElement {
  const act = (action: CallAction) => () => handlers.onCallAction(spanId, action);
  const bar = h(
    'div',
    { class: 'call-actions', id: 'call-actions', attrs: { role: 'toolbar', 'aria-label': 'Replay and compare this call' } },
    button('Replay…', 'debug-restart', act('replay'), { id: 'replay-call', title: 'Open the request as editable JSON, then Send it again' }),
    button('Replay ×N', 'run-all', act('replayTimes'), { id: 'replay-call-times', title: 'Send it several times and see the answers side by side' }),
    button('Compare with…', 'diff', act('compareWith'), { id: 'compare-call', title: 'Compare its answer with another call in the diff editor' }),
    button('curl', 'copy', act('copyAsCurl'), { id: 'copy-curl', title: 'Copy the request as a curl command' }),
    button('TypeScript', 'copy', act('copyAsTypeScript'), { id: 'copy-typescript', title: 'Copy the request as TypeScript (openai / @anthropic-ai/sdk)' }),
    button('Python', 'copy', act('copyAsPython'), { id: 'copy-python', title: 'Copy the request as Python (openai / anthropic)' }),
  );
  const links: HTMLElement[] = [];
  if (llm.replayOf) {
    const o = llm.replayOf;
    links.push(h('li', {}, 'Replay of ', button(`trace ${o.traceId.slice(0, 8)}`, 'reply', () => handlers.onOpenTrace(o.traceId, o.spanId), { class: 'link-button', id: 'replay-of' })));
  }
  for (const r of llm.replays ?? []) {
    links.push(h('li', { class: r.httpStatus !== null && r.httpStatus < 400 ? '' : 'error' },
      button(`replay ${r.traceId.slice(0, 8)}`, 'debug-restart', () => handlers.onOpenTrace(r.traceId, r.spanId), { class: 'link-button replay-link' }),
      ` ${r.model ?? ''} · HTTP ${r.httpStatus ?? '—'} · ${new Date(r.at).toLocaleTimeString()}`));
  }
  return links.length > 0 ? h('div', { class: 'call-actions-group' }, bar, h('ul', { class: 'replay-links', id: 'replay-links' }, ...links)) : bar;
}
