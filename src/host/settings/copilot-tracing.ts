// "Trace Copilot Chat with Spyglass" and its undo: points GitHub Copilot Chat's own OpenTelemetry
// export (agent sessions as invoke_agent → chat / execute_tool spans, its GenAI metrics) at this
// window's collector, says exactly which settings changed, and puts the user's values back on
// request. The pure part (which settings, what values, what to restore) is copilot-tracing-model.ts.

import * as vscode from 'vscode';
import {
  COPILOT_CHAT_EXTENSION_ID,
  COPILOT_OTEL_PREFIX,
  describeChanges,
  isSavedList,
  mergeSaved,
  planCopilotTracing,
  type SavedSetting,
  type SettingValue,
} from './copilot-tracing-model';
import type { SpyglassHost } from '../spyglass-host';

const SAVED_KEY = 'spyglass.copilotTracing.saved';

export interface TraceCopilotArgs {
  /** Skip the question: also capture prompts, responses and tool arguments. */
  captureContent?: boolean;
}

function userValue(key: string): SettingValue {
  return vscode.workspace.getConfiguration().inspect<SettingValue>(key)?.globalValue;
}

async function write(key: string, value: SettingValue): Promise<void> {
  await vscode.workspace.getConfiguration().update(key, value, vscode.ConfigurationTarget.Global);
}

async function ports(host: SpyglassHost): Promise<{ httpPort: number; grpcPort: number | null } | null> {
  let state = host.collectorState;
  if (state.kind !== 'owner' && state.kind !== 'reader') {
    await host.startCapture();
    state = host.collectorState;
  }
  return state.kind === 'owner' || state.kind === 'reader' ? { httpPort: state.httpPort, grpcPort: state.grpcPort } : null;
}

async function askCaptureContent(): Promise<boolean | undefined> {
  type Item = vscode.QuickPickItem & { content: boolean };
  const pick = await vscode.window.showQuickPick<Item>(
    [
      { label: '$(shield) Metadata only', description: 'recommended', detail: 'Agent runs, model calls, tool calls, tokens, cost and timing; no prompt text', content: false },
      { label: '$(eye) Also prompts, responses and tool arguments', detail: 'Sets github.copilot.chat.otel.captureContent: your code and files as Copilot sees them are stored locally by Spyglass', content: true },
    ],
    { title: 'Trace Copilot Chat with Spyglass', placeHolder: 'What should Copilot Chat send to Spyglass?' },
  );
  return pick?.content;
}

export async function traceCopilotChat(host: SpyglassHost, args: TraceCopilotArgs = {}): Promise<void> {
  const at = await ports(host);
  if (!at) {
    void vscode.window.showWarningMessage('Spyglass: capture is not running, so Copilot Chat has nowhere to send its traces.', 'Show Log').then((c) => {
      if (c) host.log.show();
    });
    return;
  }
  const captureContent = typeof args.captureContent === 'boolean' ? args.captureContent : await askCaptureContent();
  if (captureContent === undefined) return;
  const plan = planCopilotTracing({ ...at, grpc: false, captureContent });
  const before: SavedSetting[] = plan.changes.map((c) => ({ key: c.key, previous: userValue(c.key) }));
  const written: SavedSetting[] = [];
  try {
    for (const c of plan.changes) {
      await write(c.key, c.value);
      written.push(before.find((b) => b.key === c.key)!);
    }
  } catch (err) {
    // Leave nothing half done: put back what was already written.
    for (const s of written.reverse()) await write(s.key, s.previous).catch(() => undefined);
    const installed = vscode.extensions.getExtension(COPILOT_CHAT_EXTENSION_ID) !== undefined;
    const why = installed ? (err as Error).message : 'GitHub Copilot Chat is not installed, so its settings cannot be written.';
    host.log.warn(`trace Copilot Chat: ${(err as Error).message}`);
    const choice = await vscode.window.showWarningMessage(`Spyglass: could not point Copilot Chat at Spyglass. ${why}`, ...(installed ? [] : ['Show Copilot Chat']));
    if (choice) await vscode.commands.executeCommand('workbench.extensions.search', COPILOT_CHAT_EXTENSION_ID);
    return;
  }
  const saved = mergeSaved(isSavedList(host.context.globalState.get(SAVED_KEY)) ? host.context.globalState.get<SavedSetting[]>(SAVED_KEY) : undefined, before);
  await host.context.globalState.update(SAVED_KEY, saved);
  const lines = describeChanges(plan, before);
  for (const l of lines) host.log.info(`Copilot Chat tracing: ${l}`);
  const changed = lines.map((l) => l.slice(COPILOT_OTEL_PREFIX.length + 1)).join('; ');
  const choice = await vscode.window.showInformationMessage(
    `Spyglass: Copilot Chat now sends its agent sessions to Spyglass. Changed in your user settings: ${changed}. Copilot Chat applies them when it starts: reload the window.`,
    'Reload Window',
    'Undo',
    'Show Settings',
  );
  if (choice === 'Reload Window') await vscode.commands.executeCommand('workbench.action.reloadWindow');
  else if (choice === 'Undo') await stopTracingCopilotChat(host);
  else if (choice === 'Show Settings') await vscode.commands.executeCommand('workbench.action.openSettings', COPILOT_OTEL_PREFIX);
}

export async function stopTracingCopilotChat(host: SpyglassHost): Promise<void> {
  const raw = host.context.globalState.get(SAVED_KEY);
  if (!isSavedList(raw) || raw.length === 0) {
    void vscode.window.showInformationMessage('Spyglass: Copilot Chat tracing was not turned on by Spyglass; no settings to restore.');
    return;
  }
  const lines: string[] = [];
  for (const s of raw) {
    const now = userValue(s.key);
    await write(s.key, s.previous);
    lines.push(`${s.key}: ${JSON.stringify(now) ?? '(not set)'} → ${s.previous === undefined ? '(not set)' : JSON.stringify(s.previous)}`);
  }
  await host.context.globalState.update(SAVED_KEY, undefined);
  for (const l of lines) host.log.info(`Copilot Chat tracing undone: ${l}`);
  void vscode.window.showInformationMessage(`Spyglass: restored ${raw.length} Copilot Chat settings to what they were before. Reload the window for Copilot Chat to apply them.`);
}

export function registerCopilotTracing(host: SpyglassHost): vscode.Disposable[] {
  const run = (fn: () => Promise<void>) => async () => {
    try {
      await fn();
    } catch (e) {
      host.log.error(`Copilot Chat tracing: ${(e as Error).stack ?? e}`);
      void vscode.window.showErrorMessage(`Spyglass: ${(e as Error).message}`);
    }
  };
  return [
    vscode.commands.registerCommand('spyglass.traceCopilotChat', (args?: TraceCopilotArgs) => run(() => traceCopilotChat(host, typeof args === 'object' && args !== null ? args : {}))()),
    vscode.commands.registerCommand('spyglass.stopTracingCopilotChat', run(() => stopTracingCopilotChat(host))),
  ];
}
