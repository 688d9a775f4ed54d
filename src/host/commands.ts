// The palette and tree commands. Handlers stay thin: pure parts live in *-model.ts, file
// import/export in data-commands.ts (loaded when first used).

import * as vscode from 'vscode';
import { openTraceDocument } from './documents/trace-documents';
import { appEnvironment, defaultShell, formatEnvSnippet, SHELL_LABELS, upstreamBaseUrl, type ShellKind } from './settings/env-model';
import type { SpyglassHost } from './spyglass-host';
import { openWalkthrough } from './walkthrough/open-walkthrough';
import { readStartOptions, updateSetting } from './settings/settings';
import { tracePickItems } from './tree/trace-tree-model';
import type { TracesTreeNode } from './tree/traces-tree';

/** A trace id from a command argument: a string, or the tree node the menu was opened on. */
export function traceIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg !== '') return arg;
  if (typeof arg === 'object' && arg !== null) {
    const node = arg as Partial<TracesTreeNode>;
    if (node.kind === 'trace') return (node as Extract<TracesTreeNode, { kind: 'trace' }>).trace.traceId;
    if (node.kind === 'call') return (node as Extract<TracesTreeNode, { kind: 'call' }>).traceId;
  }
  return undefined;
}

/** The span a command should select: an explicit id, or the call node a menu was opened on. */
export function spanIdOf(arg: unknown, explicit: unknown): string | undefined {
  if (typeof explicit === 'string' && explicit !== '') return explicit;
  if (typeof arg === 'object' && arg !== null && (arg as Partial<TracesTreeNode>).kind === 'call') {
    return (arg as Extract<TracesTreeNode, { kind: 'call' }>).span.spanId;
  }
  return undefined;
}

async function requireApi(host: SpyglassHost) {
  const api = host.api;
  if (api) return api;
  const choice = await vscode.window.showWarningMessage('Spyglass capture is not running, so there is no trace data to read.', 'Start Capture');
  if (choice === 'Start Capture') {
    await host.startCapture();
    return host.api;
  }
  return null;
}

async function openTrace(host: SpyglassHost, traceIdArg?: unknown, spanId?: unknown): Promise<void> {
  let traceId = traceIdOf(traceIdArg);
  const api = await requireApi(host);
  if (!api) return;
  if (!traceId) {
    traceId = await pickTrace(api);
    if (!traceId) return;
  }
  await host.panels.showTrace(traceId.toLowerCase(), spanIdOf(traceIdArg, spanId) ?? null);
}

/**
 * "Open Trace…": what is typed searches the whole store (a trace id or its prefix, span names
 * such as the root's, message text), not only the newest traces; empty shows the newest.
 */
async function pickTrace(api: NonNullable<SpyglassHost['api']>): Promise<string | undefined> {
  type Item = vscode.QuickPickItem & { traceId: string };
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = 'Spyglass: Open Trace';
  pick.placeholder = 'Search all stored traces by id, name or message text (newest first)';
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  let seq = 0;
  let timer: NodeJS.Timeout | undefined;
  const search = (text: string) => {
    const mine = ++seq;
    pick.busy = true;
    api.listTraces({ limit: 50, ...(text.trim() ? { text: text.trim() } : {}) }).then(
      (page) => {
        if (mine !== seq) return;
        // The store matched them: the picker must not hide them again by its own text match.
        pick.items = tracePickItems(page.traces, Date.now()).map((i) => ({ ...i, alwaysShow: true }));
        pick.busy = false;
      },
      (e: Error) => {
        if (mine !== seq) return;
        pick.items = [];
        pick.busy = false;
        pick.placeholder = `Search failed: ${e.message}`;
      },
    );
  };
  pick.onDidChangeValue((v) => {
    clearTimeout(timer);
    timer = setTimeout(() => search(v), 150);
  });
  search('');
  try {
    return await new Promise<string | undefined>((resolve) => {
      pick.onDidAccept(() => resolve(pick.selectedItems[0]?.traceId));
      pick.onDidHide(() => resolve(undefined));
      pick.show();
    });
  } finally {
    clearTimeout(timer);
    pick.dispose();
  }
}

async function copyEnvironment(host: SpyglassHost, shellArg?: unknown): Promise<void> {
  const state = host.collectorState;
  const configured = readStartOptions(host.context).options;
  const httpPort = state.kind === 'owner' || state.kind === 'reader' ? state.httpPort : configured.httpPort;
  const grpcPort = state.kind === 'owner' || state.kind === 'reader' ? state.grpcPort : configured.grpcPort;
  const vars = appEnvironment({ httpPort, grpcPort });
  const notRunning = state.kind === 'owner' || state.kind === 'reader' ? '' : ' (capture is not running: start it before running your app)';

  const shells: ShellKind[] = ['posix', 'fish', 'powershell', 'cmd', 'dotenv'];
  if (typeof shellArg === 'string' && (shells as string[]).includes(shellArg)) {
    await vscode.env.clipboard.writeText(formatEnvSnippet(vars, shellArg as ShellKind));
    void vscode.window.showInformationMessage(`Spyglass: copied the environment for ${SHELL_LABELS[shellArg as ShellKind]}${notRunning}.`);
    return;
  }
  const preferred = defaultShell(process.platform);
  const ordered = [preferred, ...shells.filter((s) => s !== preferred)];
  type Item = vscode.QuickPickItem & { copy?: string; what?: string };
  const items: Item[] = [{ label: 'Copy all variables as a snippet', kind: vscode.QuickPickItemKind.Separator }];
  for (const s of ordered) {
    items.push({ label: `$(terminal) ${SHELL_LABELS[s]}`, description: s === preferred ? 'recommended' : undefined, copy: formatEnvSnippet(vars, s), what: `the environment for ${SHELL_LABELS[s]}` });
  }
  items.push({ label: 'Copy one value', kind: vscode.QuickPickItemKind.Separator });
  for (const v of vars) items.push({ label: v.name, description: v.value, detail: v.description, copy: v.value, what: v.name });
  if (grpcPort !== null) {
    items.push({ label: 'OTLP/gRPC endpoint', description: `http://127.0.0.1:${grpcPort}`, detail: 'For exporters configured with OTEL_EXPORTER_OTLP_PROTOCOL=grpc', copy: `http://127.0.0.1:${grpcPort}`, what: 'the gRPC endpoint' });
  }
  const upstreams = Object.keys(configured.upstreams);
  if (upstreams.length > 0) {
    items.push({ label: 'Configured proxy upstreams', kind: vscode.QuickPickItemKind.Separator });
    for (const name of upstreams) {
      const url = upstreamBaseUrl(httpPort, name);
      items.push({ label: `${name} base URL`, description: url, detail: `Recorded, then forwarded to ${configured.upstreams[name]}`, copy: url, what: `the ${name} base URL` });
    }
  }
  const pick = await vscode.window.showQuickPick(items, {
    title: `Spyglass: Environment for an App${notRunning}`,
    placeHolder: 'Copy the variables that point an app at Spyglass',
    matchOnDescription: true,
  });
  if (!pick?.copy) return;
  await vscode.env.clipboard.writeText(pick.copy);
  void vscode.window.showInformationMessage(`Spyglass: copied ${pick.what}.`);
}

async function choosePort(host: SpyglassHost, settingArg?: unknown): Promise<void> {
  const state = host.collectorState;
  // From the welcome view there is no argument: fix the port that is actually in conflict.
  const setting = settingArg === 'grpcPort' || (settingArg === undefined && state.kind === 'port-conflict' && state.setting === 'grpcPort') ? 'grpcPort' : 'httpPort';
  const current = readStartOptions(host.context).options;
  const now = setting === 'grpcPort' ? current.grpcPort ?? 0 : current.httpPort;
  const value = await vscode.window.showInputBox({
    title: setting === 'grpcPort' ? 'Spyglass: OTLP/gRPC port' : 'Spyglass: OTLP/HTTP and proxy port',
    prompt: `Port for Spyglass to listen on (127.0.0.1). Apps must use the same port${setting === 'grpcPort' ? '; 0 turns gRPC off' : ''}.`,
    value: String(now === 4318 ? 14318 : now === 4317 ? 14317 : now),
    validateInput: (v) => {
      const n = Number(v);
      const min = setting === 'grpcPort' ? 0 : 1;
      if (!/^\d+$/.test(v.trim()) || n < min || n > 65535) return `Enter a port number from ${min} to 65535`;
      return undefined;
    },
  });
  if (value === undefined) return;
  await updateSetting(setting, Number(value.trim()));
  // The configuration listener restarts capture only while running; a conflict state is not.
  if (host.collectorState.kind !== 'owner' && host.collectorState.kind !== 'reader') await host.startCapture();
}

export function registerCommands(host: SpyglassHost): vscode.Disposable[] {
  const data = () => import('./data-commands');
  const reg = (id: string, fn: (...args: unknown[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await fn(...args);
      } catch (e) {
        host.log.error(`${id}: ${(e as Error).stack ?? e}`);
        void vscode.window.showErrorMessage(`Spyglass: ${(e as Error).message}`);
      }
    });
  return [
    reg('spyglass.startCapture', () => host.startCapture()),
    reg('spyglass.stopCapture', async () => {
      await host.stopCapture();
      vscode.window.setStatusBarMessage('Spyglass: capture stopped in this window', 3000);
    }),
    reg('spyglass.restartCapture', () => host.restartCapture()),
    reg('spyglass.copyEnvironment', (shell) => copyEnvironment(host, shell)),
    reg('spyglass.openTrace', (traceId, spanId) => openTrace(host, traceId, spanId)),
    reg('spyglass.openDashboard', () => host.panels.showDashboard()),
    reg('spyglass.clearData', async () => {
      const api = await requireApi(host);
      if (api) await (await data()).clearData(host, api);
    }),
    reg('spyglass.importTraces', async () => {
      const api = await requireApi(host);
      if (api) await (await data()).importTraceFiles(host, api);
    }),
    reg('spyglass.exportTraces', async (arg) => {
      const api = await requireApi(host);
      if (api) await (await data()).exportTraceFile(api, traceIdOf(arg));
    }),
    reg('spyglass.exportTrace', async (arg) => {
      const api = await requireApi(host);
      const traceId = traceIdOf(arg);
      if (api && traceId) await (await data()).exportTraceFile(api, traceId);
    }),
    reg('spyglass.openTraceJson', async (arg, spanArg) => {
      const traceId = traceIdOf(arg);
      if (traceId && (await requireApi(host))) await openTraceDocument(traceId, spanIdOf(arg, spanArg));
    }),
    reg('spyglass.copyTraceId', async (arg) => {
      const traceId = traceIdOf(arg);
      if (traceId) await vscode.env.clipboard.writeText(traceId);
    }),
    reg('spyglass.refreshTraces', () => {
      host.tree.refresh();
      host.statusBar.refresh();
    }),
    reg('spyglass.filterTraces', async () => (await import('./tree/filter-command')).filterTraces(host)),
    reg('spyglass.clearTraceFilter', () => host.setFilter({})),
    reg('spyglass.showMoreTraces', () => host.tree.showMore()),
    reg('spyglass.showTraces', () => vscode.commands.executeCommand('spyglass.traces.focus')),
    reg('spyglass.showLog', () => host.log.show()),
    reg('spyglass.choosePort', (setting) => choosePort(host, setting)),
    reg('spyglass.openSettings', () => vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${host.context.extension.id}`)),
    reg('spyglass.openWalkthrough', () => openWalkthrough(host.context, () => host.walkthroughPagesReady())),
  ];
}
