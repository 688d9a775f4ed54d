// Where the host reads the guardrails configuration: the `spyglass.guardrails.*` settings and
// `.spyglass/guardrails.json` in each workspace folder, read again when either changes. The host
// sends the result to the collector (start options, then `PUT /api/guardrails/config`).

import * as vscode from 'vscode';
import { config } from '../settings/settings';
import { SETTINGS_SECTION } from '../settings/settings-model';
import { GUARDRAIL_SETTINGS, GUARDRAILS_FILE, settingsLayer, type EffectiveGuardrails, type GuardrailsFile } from './config-model';

export class GuardrailsConfigSource implements vscode.Disposable {
  private current: EffectiveGuardrails = { config: {}, privacyMode: false, errors: [] };
  private readonly changed = new vscode.EventEmitter<EffectiveGuardrails>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private reading: Promise<void>;
  private timer: NodeJS.Timeout | null = null;
  /** Fires with the new configuration after the settings or a file changed. */
  readonly onDidChange = this.changed.event;

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${GUARDRAILS_FILE}`);
    this.disposables.push(
      watcher,
      watcher.onDidChange(() => this.readSoon()),
      watcher.onDidCreate(() => this.readSoon()),
      watcher.onDidDelete(() => this.readSoon()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.readSoon()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (GUARDRAIL_SETTINGS.some((k) => e.affectsConfiguration(`${SETTINGS_SECTION}.${k}`))) this.readSoon();
      }),
    );
    this.reading = this.read();
  }

  /** The configuration as last read (after `ready`). */
  get effective(): EffectiveGuardrails {
    return this.current;
  }

  /** Resolves once the files were read for the first time. */
  get ready(): Promise<void> {
    return this.reading;
  }

  /** The file of the first workspace folder (where "Open Guardrails Configuration" creates one). */
  fileUri(): vscode.Uri | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder ? vscode.Uri.joinPath(folder.uri, GUARDRAILS_FILE) : undefined;
  }

  /** A file saved keystroke by keystroke, or several settings at once: read once after a pause. */
  private readSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.reading = this.read().then(() => this.changed.fire(this.current));
    }, 300);
  }

  private async read(): Promise<void> {
    const files: GuardrailsFile[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const uri = vscode.Uri.joinPath(folder.uri, GUARDRAILS_FILE);
      try {
        files.push({ path: vscode.workspace.asRelativePath(uri, true), text: new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)) });
      } catch {
        // no file in this folder
      }
    }
    const cfg = config();
    const get = (key: string) => cfg.get(key);
    if (files.length === 0 && Object.keys(settingsLayer(get)).length === 0) {
      // Nothing configured (the usual case): the defaults, without loading the validator.
      this.current = { config: {}, privacyMode: get('guardrails.privacyMode') === true, errors: [] };
      return;
    }
    // Loaded when first needed: the schema validator and the rules' pattern data stay out of activation.
    const { effectiveGuardrails } = await import('./config-merge');
    this.current = effectiveGuardrails(get, files);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
