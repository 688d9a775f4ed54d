// code-server (real VS Code in a browser) in a throwaway profile: empty user data and extensions
// directories, no auth, a free port on 127.0.0.1, run by the provisioned Node 22 (the extension
// host runs the Node that launched code-server, and better-sqlite3 13 needs 22+).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { codeServerEntry, node22 } from './paths';
import { killTree } from './processes';
import { waitForOutput } from './wait';

export interface CodeServerOptions {
  /** A fresh directory: user data, extensions, workspace and config go under it. */
  home: string;
  /** Where code-server's output and VS Code's own logs are kept for debugging. */
  logDir: string;
  /** VS Code user settings. */
  settings?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}

/** Settings that keep a fresh profile quiet: no startup editor, trust prompt, tips or updates. */
const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'workbench.enableExperiments': false,
  'git.enabled': false,
};

export class CodeServer {
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly workspace: string;
  readonly logFile: string;
  private readonly configFile: string;
  private child: ChildProcess | undefined;
  private output = '';
  private removeExitHook: (() => void) | undefined;
  url = '';

  constructor(private readonly opts: CodeServerOptions) {
    this.userDataDir = path.join(opts.home, 'user-data');
    this.extensionsDir = path.join(opts.home, 'extensions');
    this.workspace = path.join(opts.home, 'workspace');
    this.configFile = path.join(opts.home, 'config.yaml');
    this.logFile = path.join(opts.logDir, 'code-server.log');
    for (const d of [this.userDataDir, path.join(this.userDataDir, 'User'), this.extensionsDir, this.workspace, opts.logDir]) {
      mkdirSync(d, { recursive: true });
    }
    writeFileSync(this.configFile, 'auth: none\n');
    writeFileSync(path.join(this.userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...opts.settings }, null, 2));
    writeFileSync(this.logFile, '');
  }

  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      ...this.opts.env,
      PATH: `${path.dirname(node22)}${path.delimiter}${process.env.PATH ?? ''}`,
      XDG_CONFIG_HOME: path.join(this.opts.home, 'xdg-config'),
      XDG_DATA_HOME: path.join(this.opts.home, 'xdg-data'),
      // vitest and npm variables have no business in the extension host.
      NODE_OPTIONS: '',
      VITEST: undefined,
      VITEST_WORKER_ID: undefined,
      VITEST_POOL_ID: undefined,
      NODE_ENV: undefined,
    };
  }

  private baseArgs(): string[] {
    return [
      codeServerEntry(),
      '--config', this.configFile,
      '--auth', 'none',
      '--user-data-dir', this.userDataDir,
      '--extensions-dir', this.extensionsDir,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
    ];
  }

  /** `code-server --install-extension <vsix>`; returns the CLI's output. */
  installExtension(vsix: string): string {
    const r = spawnSync(node22, [...this.baseArgs(), '--force', '--install-extension', vsix], {
      env: this.env(),
      encoding: 'utf8',
      timeout: 120_000,
    });
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    appendFileSync(this.logFile, `--- install-extension ${vsix} (exit ${r.status})\n${out}\n`);
    if (r.status !== 0 || !/successfully installed/i.test(out)) {
      throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status}):\n${out}`);
    }
    return out;
  }

  listExtensions(): string[] {
    const r = spawnSync(node22, [...this.baseArgs(), '--list-extensions', '--show-versions'], { env: this.env(), encoding: 'utf8', timeout: 60_000 });
    return (r.stdout ?? '').split('\n').map((l) => l.trim()).filter((l) => /^[\w-]+\.[\w-]+@/.test(l));
  }

  async start(timeoutMs = 60_000): Promise<string> {
    const child = spawn(node22, [...this.baseArgs(), '--bind-addr', '127.0.0.1:0', this.workspace], {
      env: this.env(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    // Detached, so a test runner that dies (Ctrl-C, timeout) would leave it behind: kill its
    // process group on the way out. stop() clears this handler after its own orderly shutdown.
    const onExit = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    process.once('exit', onExit);
    this.removeExitHook = () => process.removeListener('exit', onExit);
    const listeners = new Set<() => void>();
    const onData = (chunk: Buffer) => {
      const s = chunk.toString('utf8');
      this.output += s;
      appendFileSync(this.logFile, s);
      for (const l of listeners) l();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const m = await waitForOutput(
      'code-server to listen',
      () => this.output,
      (cb) => {
        listeners.add(cb);
        return () => listeners.delete(cb);
      },
      /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\//,
      timeoutMs,
      (cb) => child.once('exit', (code) => cb(code)),
    );
    this.url = m[1];
    return this.url;
  }

  /** The workbench URL for the throwaway workspace folder. */
  workbenchUrl(): string {
    return `${this.url}/?folder=${encodeURIComponent(this.workspace)}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Ends code-server and everything under it, then keeps VS Code's logs beside its output. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child?.pid !== undefined) await killTree(child.pid);
    this.removeExitHook?.();
    const logs = path.join(this.userDataDir, 'logs');
    if (existsSync(logs)) cpSync(logs, path.join(this.opts.logDir, 'vscode-logs'), { recursive: true });
  }
}
