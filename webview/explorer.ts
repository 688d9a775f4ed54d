// Entry of the trace explorer's webview bundle: wiring only.
import type { ExplorerHostToWebview, ExplorerPersistedState, ExplorerState, ExplorerWebviewToHost } from '../src/protocol/explorer';
import { connect, readInitialState } from './shared/connection';
import { mountExplorer } from './explorer/view';

const connection = connect<ExplorerWebviewToHost, ExplorerHostToWebview, ExplorerPersistedState>();
mountExplorer(document.getElementById('app')!, {
  endpoint: connection.endpoint,
  initial: readInitialState<ExplorerState>(),
  persist: connection.persist,
});
connection.start();
