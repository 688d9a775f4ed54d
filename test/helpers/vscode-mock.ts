// A small stand-in for the `vscode` module, enough to run src/host in plain Node under vitest:
// `vi.mock('vscode', () => import('../../helpers/vscode-mock'))`. It records what the host does
// (status bar items, tree views, context keys, messages, clipboard) in `mock`, and lets a test
// script the answers to dialogs. Configuration is an in-memory store that fires change events.

import * as fs from 'node:fs';
import * as nodePath from 'node:path';

type Listener<T> = (e: T) => unknown;

export class Disposable {
  constructor(private readonly fn: () => void = () => undefined) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

export type Event<T> = (listener: Listener<T>) => Disposable;

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return new Disposable(() => this.listeners.delete(listener));
  };
  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export enum TreeItemCollapsibleState {
  None = 0,
  Collapsed = 1,
  Expanded = 2,
}

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}

export enum ConfigurationTarget {
  Global = 1,
  Workspace = 2,
  WorkspaceFolder = 3,
}

export enum ProgressLocation {
  SourceControl = 1,
  Window = 10,
  Notification = 15,
}

export enum QuickPickItemKind {
  Separator = -1,
  Default = 0,
}

export enum ViewColumn {
  Active = -1,
  Beside = -2,
  One = 1,
}

export enum FileType {
  Unknown = 0,
  File = 1,
  Directory = 2,
}

export enum ExtensionMode {
  Production = 1,
  Development = 2,
  Test = 3,
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
}

export class MarkdownString {
  isTrusted: boolean | { enabledCommands: readonly string[] } = false;
  constructor(
    public value = '',
    public supportThemeIcons = false,
  ) {}
  appendText(text: string): this {
    this.value += text.replace(/[\\`*_{}[\]()#+\-.!]/g, '\\$&');
    return this;
  }
  appendMarkdown(md: string): this {
    this.value += md;
    return this;
  }
}

export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: string | MarkdownString;
  iconPath?: ThemeIcon;
  contextValue?: string;
  command?: { command: string; title: string; arguments?: unknown[] };
  accessibilityInformation?: { label: string; role?: string };
  constructor(
    public label: string,
    public collapsibleState: TreeItemCollapsibleState = TreeItemCollapsibleState.None,
  ) {}
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  static file(p: string): Uri {
    return new Uri('file', nodePath.resolve(p));
  }
  static from(parts: { scheme: string; path: string }): Uri {
    return new Uri(parts.scheme, parts.path);
  }
  static parse(s: string): Uri {
    const m = /^([a-z][a-z0-9+.-]*):(?:\/\/[^/]*)?(.*)$/i.exec(s);
    return m ? new Uri(m[1], m[2]) : new Uri('file', s);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, nodePath.posix.join(base.path, ...parts));
  }
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

// ---- recorded state and scripted answers ----

export interface StatusBarItemMock {
  id: string;
  alignment: StatusBarAlignment;
  priority?: number;
  name?: string;
  text: string;
  tooltip?: string | MarkdownString;
  command?: string;
  backgroundColor?: ThemeColor;
  accessibilityInformation?: { label: string; role?: string };
  visible: boolean;
  disposed: boolean;
  show(): void;
  hide(): void;
  dispose(): void;
}

export interface TreeViewMock<T> {
  id: string;
  provider: { getChildren(e?: T): unknown; getTreeItem(e: T): unknown; onDidChangeTreeData?: Event<unknown> };
  message?: string;
  description?: string;
  title?: string;
  visible: boolean;
  dispose(): void;
  reveal(): Promise<void>;
}

export interface MessageRecord {
  level: 'info' | 'warning' | 'error';
  message: string;
  items: unknown[];
}

type Answer = unknown | ((...args: unknown[]) => unknown);

export const mock = {
  statusBarItems: [] as StatusBarItemMock[],
  treeViews: [] as TreeViewMock<unknown>[],
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  executed: [] as { command: string; args: unknown[] }[],
  context: new Map<string, unknown>(),
  messages: [] as MessageRecord[],
  statusMessages: [] as string[],
  clipboard: '',
  config: new Map<string, unknown>(),
  logs: [] as { level: string; message: string }[],
  openedDocuments: [] as { language?: string; content?: string; uri?: string }[],
  panels: [] as WebviewPanelMock[],
  /** TextDocumentContentProviders by scheme (documents under a custom URI scheme). */
  contentProviders: new Map<string, { provideTextDocumentContent(uri: Uri): string | Promise<string> }>(),
  /** Answers for dialogs, consumed in order per kind; a function gets the dialog's arguments. */
  answers: { message: [] as Answer[], quickPick: [] as Answer[], inputBox: [] as Answer[], openDialog: [] as Answer[], saveDialog: [] as Answer[] },
  configListeners: new EventEmitter<{ affectsConfiguration(section: string): boolean }>(),
  reset(): void {
    this.statusBarItems = [];
    this.treeViews = [];
    this.commands.clear();
    this.executed = [];
    this.context.clear();
    this.messages = [];
    this.statusMessages = [];
    this.clipboard = '';
    this.config.clear();
    this.logs = [];
    this.openedDocuments = [];
    this.panels = [];
    this.contentProviders.clear();
    for (const k of Object.keys(this.answers) as (keyof typeof this.answers)[]) this.answers[k] = [];
    this.configListeners = new EventEmitter();
  },
};

async function answer(kind: keyof typeof mock.answers, args: unknown[]): Promise<unknown> {
  const next = mock.answers[kind].shift();
  return typeof next === 'function' ? await (next as (...a: unknown[]) => unknown)(...args) : next;
}

function logChannel(name: string) {
  const rec = (level: string) => (message: string) => mock.logs.push({ level, message: `[${name}] ${message}` });
  return {
    name,
    trace: rec('trace'),
    debug: rec('debug'),
    info: rec('info'),
    warn: rec('warn'),
    error: rec('error'),
    appendLine: rec('info'),
    append: rec('info'),
    show: () => undefined,
    clear: () => undefined,
    dispose: () => undefined,
  };
}

function showMessage(level: MessageRecord['level']) {
  return async (message: string, ...rest: unknown[]) => {
    const items = rest.filter((r) => typeof r === 'string' || (typeof r === 'object' && r !== null && 'title' in r));
    mock.messages.push({ level, message, items });
    return answer('message', [message, ...items]);
  };
}

export const window = {
  createStatusBarItem(id: string, alignment: StatusBarAlignment, priority?: number): StatusBarItemMock {
    const item: StatusBarItemMock = {
      id,
      alignment,
      priority,
      text: '',
      visible: false,
      disposed: false,
      show() {
        item.visible = true;
      },
      hide() {
        item.visible = false;
      },
      dispose() {
        item.disposed = true;
        item.visible = false;
      },
    };
    mock.statusBarItems.push(item);
    return item;
  },
  createTreeView<T>(id: string, options: { treeDataProvider: TreeViewMock<T>['provider'] }): TreeViewMock<T> {
    const view: TreeViewMock<T> = { id, provider: options.treeDataProvider, visible: true, dispose: () => undefined, reveal: async () => undefined };
    mock.treeViews.push(view as TreeViewMock<unknown>);
    return view;
  },
  createOutputChannel: (name: string) => logChannel(name),
  showInformationMessage: showMessage('info'),
  showWarningMessage: showMessage('warning'),
  showErrorMessage: showMessage('error'),
  setStatusBarMessage(text: string) {
    mock.statusMessages.push(text);
    return new Disposable();
  },
  async showQuickPick(items: unknown, options?: unknown) {
    return answer('quickPick', [await items, options]);
  },
  /** A live picker: the next `quickPick` answer chooses from its items once it has some (or hides it). */
  createQuickPick<T>() {
    const accept = new EventEmitter<void>();
    const hide = new EventEmitter<void>();
    const value = new EventEmitter<string>();
    let items: T[] = [];
    let shown = false;
    let answered = false;
    const settle = () => {
      if (!shown || answered || items.length === 0) return;
      answered = true;
      void answer('quickPick', [items]).then((chosen) => {
        if (chosen) {
          picker.selectedItems = [chosen as T];
          accept.fire();
        } else {
          hide.fire();
        }
      });
    };
    const picker = {
      title: '', placeholder: '', busy: false, matchOnDescription: false, matchOnDetail: false, selectedItems: [] as T[],
      get items() {
        return items;
      },
      set items(v: T[]) {
        items = v;
        settle();
      },
      onDidAccept: accept.event,
      onDidHide: hide.event,
      onDidChangeValue: value.event,
      show() {
        shown = true;
        settle();
      },
      hide: () => hide.fire(),
      dispose: () => undefined,
    };
    return picker;
  },
  async showInputBox(options?: unknown) {
    return answer('inputBox', [options]);
  },
  async showOpenDialog(options?: unknown) {
    return answer('openDialog', [options]);
  },
  async showSaveDialog(options?: unknown) {
    return answer('saveDialog', [options]);
  },
  async withProgress<R>(_options: unknown, task: (progress: { report(v: unknown): void }) => Promise<R>): Promise<R> {
    return task({ report: () => undefined });
  },
  async showTextDocument(doc: unknown) {
    return doc;
  },
  registerWebviewPanelSerializer: () => new Disposable(),
  /** A panel that records its HTML and what the host posts; it answers nothing by itself. */
  createWebviewPanel(viewType: string, title: string): WebviewPanelMock {
    const disposeListeners = new EventEmitter<void>();
    const messages = new EventEmitter<unknown>();
    const panel: WebviewPanelMock = {
      viewType,
      title,
      disposed: false,
      revealed: 0,
      webview: {
        html: '',
        options: {},
        cspSource: 'https://mock.vscode-cdn.net',
        posted: [],
        asWebviewUri: (u: Uri) => u,
        postMessage: async (m: unknown) => {
          if (panel.disposed) throw new Error('Webview is disposed');
          panel.webview.posted.push(m);
          return true;
        },
        onDidReceiveMessage: messages.event,
        receive: (m: unknown) => messages.fire(m),
      },
      reveal: () => void panel.revealed++,
      onDidDispose: disposeListeners.event,
      dispose: () => {
        if (panel.disposed) return;
        panel.disposed = true;
        disposeListeners.fire();
      },
    };
    mock.panels.push(panel);
    return panel;
  },
};

export interface WebviewPanelMock {
  viewType: string;
  title: string;
  disposed: boolean;
  revealed: number;
  webview: {
    html: string;
    options: unknown;
    cspSource: string;
    posted: unknown[];
    asWebviewUri(u: Uri): Uri;
    postMessage(m: unknown): Promise<boolean>;
    onDidReceiveMessage: Event<unknown>;
    /** Delivers a message as if the webview had sent it. */
    receive(m: unknown): void;
  };
  reveal(): void;
  onDidDispose: Event<void>;
  dispose(): void;
}

export const commands = {
  registerCommand(id: string, fn: (...args: unknown[]) => unknown): Disposable {
    if (mock.commands.has(id)) throw new Error(`command '${id}' already exists`);
    mock.commands.set(id, fn);
    return new Disposable(() => mock.commands.delete(id));
  },
  async executeCommand(command: string, ...args: unknown[]): Promise<unknown> {
    mock.executed.push({ command, args });
    if (command === 'setContext') {
      mock.context.set(args[0] as string, args[1]);
      return undefined;
    }
    const fn = mock.commands.get(command);
    return fn ? fn(...args) : undefined;
  },
  async getCommands(): Promise<string[]> {
    return [...mock.commands.keys()];
  },
};

function getConfigValue(section: string, key: string): unknown {
  return mock.config.get(section ? `${section}.${key}` : key);
}

export const workspace = {
  getConfiguration(section = '') {
    return {
      get<T>(key: string, defaultValue?: T): T | undefined {
        const v = getConfigValue(section, key);
        return (v === undefined ? defaultValue : v) as T | undefined;
      },
      has: (key: string) => getConfigValue(section, key) !== undefined,
      inspect: (key: string) => ({ key, globalValue: getConfigValue(section, key) }),
      async update(key: string, value: unknown) {
        const full = section ? `${section}.${key}` : key;
        mock.config.set(full, value);
        mock.configListeners.fire({ affectsConfiguration: (s: string) => full === s || full.startsWith(`${s}.`) });
      },
    };
  },
  onDidChangeConfiguration(listener: Listener<{ affectsConfiguration(section: string): boolean }>): Disposable {
    return mock.configListeners.event(listener);
  },
  workspaceFolders: undefined as { uri: Uri }[] | undefined,
  createFileSystemWatcher(_glob: string) {
    const never = () => new Disposable();
    return { onDidChange: never, onDidCreate: never, onDidDelete: never, dispose: () => undefined };
  },
  onDidChangeWorkspaceFolders(_listener: unknown): Disposable {
    return new Disposable();
  },
  asRelativePath(uri: Uri | string) {
    return typeof uri === 'string' ? uri : uri.fsPath;
  },
  fs: {
    async createDirectory(uri: Uri) {
      fs.mkdirSync(uri.fsPath, { recursive: true });
    },
    async readFile(uri: Uri) {
      return new Uint8Array(fs.readFileSync(uri.fsPath));
    },
    async writeFile(uri: Uri, data: Uint8Array) {
      fs.writeFileSync(uri.fsPath, data);
    },
    async stat(uri: Uri) {
      const s = fs.statSync(uri.fsPath);
      return { type: s.isDirectory() ? FileType.Directory : FileType.File, size: s.size };
    },
  },
  async openTextDocument(target: { language?: string; content?: string } | Uri) {
    if (target instanceof Uri) {
      const provider = mock.contentProviders.get(target.scheme);
      if (!provider) throw new Error(`no document provider for ${target.toString()}`);
      const doc = { uri: target.toString(), content: await provider.provideTextDocumentContent(target) };
      mock.openedDocuments.push(doc);
      return { ...doc, getText: () => doc.content };
    }
    mock.openedDocuments.push(target);
    return target;
  },
  registerTextDocumentContentProvider(scheme: string, provider: { provideTextDocumentContent(uri: Uri): string | Promise<string> }): Disposable {
    mock.contentProviders.set(scheme, provider);
    return new Disposable(() => mock.contentProviders.delete(scheme));
  },
  async findFiles() {
    return [];
  },
};

export const languages = {
  registerCodeLensProvider(): Disposable {
    return new Disposable(() => undefined);
  },
  async setTextDocumentLanguage<T>(doc: T, languageId: string): Promise<T> {
    return Object.assign(doc as object, { languageId }) as T;
  },
};

export const env = {
  clipboard: {
    async readText() {
      return mock.clipboard;
    },
    async writeText(text: string) {
      mock.clipboard = text;
    },
  },
  appName: 'Visual Studio Code (mock)',
};

export class EnvironmentVariableCollectionMock {
  persistent = true;
  description: string | MarkdownString | undefined;
  readonly values = new Map<string, { value: string; type: 'replace' | 'append' | 'prepend' }>();
  replace(name: string, value: string): void {
    this.values.set(name, { value, type: 'replace' });
  }
  append(name: string, value: string): void {
    this.values.set(name, { value, type: 'append' });
  }
  prepend(name: string, value: string): void {
    this.values.set(name, { value, type: 'prepend' });
  }
  get(name: string) {
    return this.values.get(name);
  }
  delete(name: string): void {
    this.values.delete(name);
  }
  clear(): void {
    this.values.clear();
  }
  forEach(cb: (name: string, m: { value: string }) => void): void {
    this.values.forEach((m, n) => cb(n, m));
  }
  getScoped(): this {
    return this;
  }
}

/** An ExtensionContext for tests: storage under `storageDir`, extension files under `extensionDir`. */
export function makeExtensionContext(extensionDir: string, storageDir: string) {
  const subscriptions: { dispose(): unknown }[] = [];
  return {
    subscriptions,
    extension: { id: 'spyglass.spyglass', extensionUri: Uri.file(extensionDir), packageJSON: {} },
    extensionUri: Uri.file(extensionDir),
    extensionPath: extensionDir,
    globalStorageUri: Uri.file(storageDir),
    storageUri: undefined,
    logUri: Uri.file(nodePath.join(storageDir, 'logs')),
    environmentVariableCollection: new EnvironmentVariableCollectionMock(),
    asAbsolutePath: (p: string) => nodePath.join(extensionDir, p),
    globalState: new Map<string, unknown>(),
    workspaceState: new Map<string, unknown>(),
    /** SecretStorage in memory. */
    secrets: (() => {
      const kept = new Map<string, string>();
      return {
        async get(key: string) { return kept.get(key); },
        async store(key: string, value: string) { kept.set(key, value); },
        async delete(key: string) { kept.delete(key); },
      };
    })(),
  };
}
