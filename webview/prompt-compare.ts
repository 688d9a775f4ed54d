// Entry of the prompt comparison webview bundle: wiring only.
import type { PromptCompareHostToWebview, PromptCompareState, PromptCompareWebviewToHost } from '../src/protocol/prompt-compare';
import { connect, readInitialState } from './shared/connection';
import { mountPromptCompare } from './prompt-compare/view';

const connection = connect<PromptCompareWebviewToHost, PromptCompareHostToWebview, undefined>();
mountPromptCompare(document.getElementById('app')!, connection.endpoint, readInitialState<PromptCompareState>());
connection.start();
