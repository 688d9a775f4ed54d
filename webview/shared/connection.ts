// Wiring a webview to its host: the one `acquireVsCodeApi()` handle, the message endpoint over
// it, the state inlined in the HTML, and what the webview persists for a window reload.

import { MessageEndpoint, type ProtocolMap } from '../../src/protocol/webview';

/** Parses the `<script type="application/json" id="initial-state">` block, or null. */
export function readInitialState<S>(doc: Document = document): S | null {
  const el = doc.getElementById('initial-state');
  if (!el?.textContent) return null;
  try {
    return JSON.parse(el.textContent) as S;
  } catch {
    return null;
  }
}

export interface Connection<Out extends ProtocolMap, In extends ProtocolMap, P> {
  endpoint: MessageEndpoint<Out, In>;
  persisted: P | undefined;
  persist(state: P): void;
  /** Call after registering handlers: tells the host it may send. */
  start(): void;
}

export function connect<Out extends ProtocolMap, In extends ProtocolMap, P>(): Connection<Out, In, P> {
  const vscode = acquireVsCodeApi<P>();
  const endpoint = new MessageEndpoint<Out, In>({
    post: (m) => vscode.postMessage(m),
    onError: (err) => console.warn('[spyglass]', err.message),
  });
  window.addEventListener('message', (event: MessageEvent) => endpoint.onMessage(event.data));
  return {
    endpoint,
    persisted: vscode.getState(),
    persist: (state) => vscode.setState(state),
    start: () => endpoint.sendReady(),
  };
}
