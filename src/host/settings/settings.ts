// Reads the `spyglass.*` settings through the vscode API (the validation itself is in
// settings-model.ts) and writes a port back when the user picks another one.

import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SETTINGS_SECTION, toStartOptions, type StartOptionsResult } from './settings-model';
import type { TerminalEnvSettings } from './terminal-env';

export function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SETTINGS_SECTION);
}

export function defaultDatabasePath(context: vscode.ExtensionContext): string {
  return path.join(context.globalStorageUri.fsPath, 'spyglass.db');
}

export function readStartOptions(context: vscode.ExtensionContext): StartOptionsResult {
  const cfg = config();
  return toStartOptions((key) => cfg.get(key), { defaultDbPath: defaultDatabasePath(context), home: os.homedir() });
}

export function readTerminalSettings(): TerminalEnvSettings {
  const cfg = config();
  return { inject: cfg.get<boolean>('terminal.injectEnvironment') === true, injectProxy: cfg.get<boolean>('terminal.injectProxyBaseUrls') === true };
}

export function autoStartEnabled(): boolean {
  return config().get<boolean>('capture.autoStart') !== false;
}

export function collectorExecPath(): string | undefined {
  const p = config().get<string>('collector.nodePath');
  return typeof p === 'string' && p.trim() !== '' ? p.trim() : undefined;
}

/** Writes where the current value comes from, so a workspace value does not shadow the change. */
export async function updateSetting(key: string, value: unknown): Promise<void> {
  const cfg = config();
  const info = cfg.inspect(key);
  const target =
    info?.workspaceFolderValue !== undefined
      ? vscode.ConfigurationTarget.WorkspaceFolder
      : info?.workspaceValue !== undefined
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global;
  await cfg.update(key, value, target);
}
