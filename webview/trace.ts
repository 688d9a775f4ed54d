// Entry of the trace panel's webview bundle: wiring only.
import type { TraceHostToWebview, TracePanelState, TracePersistedState, TraceWebviewToHost } from '../src/protocol/webview';
import { connect, readInitialState } from './shared/connection';
import { mountTraceView } from './trace/view';

// Marks on the panel's timeline (DevTools' Performance panel, the benches): script start, outline applied.
performance.mark('spyglass:script');
const connection = connect<TraceWebviewToHost, TraceHostToWebview, TracePersistedState>();
mountTraceView(document.getElementById('app')!, {
  endpoint: connection.endpoint,
  initial: readInitialState<TracePanelState>(),
  persisted: connection.persisted,
  persist: connection.persist,
});
connection.start();
