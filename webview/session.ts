// Entry of the session view's webview bundle: wiring only.
import type { SessionHostToWebview, SessionPanelState, SessionPersistedState, SessionWebviewToHost } from '../src/protocol/explorer';
import { connect, readInitialState } from './shared/connection';
import { mountSession } from './session/view';

const connection = connect<SessionWebviewToHost, SessionHostToWebview, SessionPersistedState>();
mountSession(document.getElementById('app')!, {
  endpoint: connection.endpoint,
  initial: readInitialState<SessionPanelState>(),
  persist: connection.persist,
});
connection.start();
