// Opt-in: put the OTLP endpoint (and, when chosen, the proxy base URLs) into integrated
// terminals, so an app started from VS Code is captured without edits. Only while a collector
// is listening: a base URL pointing at a dead proxy would break the app.

import * as vscode from 'vscode';
import { terminalEnvironment } from './env-model';
import { apiPortOf, type CollectorState } from '../connection/ownership-model';

export interface TerminalEnvSettings {
  inject: boolean;
  injectProxy: boolean;
}

export class TerminalEnvironment {
  private applied = '';

  constructor(private readonly collection: vscode.GlobalEnvironmentVariableCollection) {
    // Ports can change between sessions; never restore stale values before we know the state.
    collection.persistent = false;
  }

  update(state: CollectorState, settings: TerminalEnvSettings): void {
    const port = apiPortOf(state);
    const env = settings.inject && port !== null ? terminalEnvironment(port, settings.injectProxy) : {};
    const key = JSON.stringify(env);
    if (key === this.applied) return;
    this.applied = key;
    this.collection.clear();
    const names = Object.keys(env);
    if (names.length === 0) {
      this.collection.description = undefined;
      return;
    }
    for (const name of names) this.collection.replace(name, env[name]);
    const proxy = settings.injectProxy ? ' and sends OpenAI/Anthropic client calls through its recording proxy' : '';
    this.collection.description = new vscode.MarkdownString(
      `Spyglass: apps started here export OpenTelemetry traces to \`127.0.0.1:${port}\`${proxy} (setting \`spyglass.terminal.injectEnvironment\`).`,
    );
  }

  clear(): void {
    this.applied = '';
    this.collection.clear();
  }
}
