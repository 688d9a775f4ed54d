// Provider keys for replays, in VS Code's SecretStorage (the OS keychain), one per provider, set
// by a command. They are sent with each replay request to the collector, which passes them to the
// provider and never stores them.

import * as vscode from 'vscode';
import type { ReplayWireApi } from '../../protocol/api';

export type KeyProvider = 'openai' | 'anthropic' | 'gemini';

export const KEY_PROVIDERS: Record<KeyProvider, { label: string; env: string; header: string; bearer: boolean }> = {
  openai: { label: 'OpenAI (and OpenAI-compatible servers)', env: 'OPENAI_API_KEY', header: 'authorization', bearer: true },
  anthropic: { label: 'Anthropic', env: 'ANTHROPIC_API_KEY', header: 'x-api-key', bearer: false },
  gemini: { label: 'Google Gemini', env: 'GEMINI_API_KEY', header: 'x-goog-api-key', bearer: false },
};

export function keyProviderOf(api: ReplayWireApi | null): KeyProvider {
  return api === 'anthropic.messages' ? 'anthropic' : api === 'gemini.generate_content' ? 'gemini' : 'openai';
}

const secretName = (p: KeyProvider) => `spyglass.apiKey.${p}`;

export class ApiKeys {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** The header carrying the stored key for an API; none when no key is stored (the collector's environment may have one). */
  async headersFor(api: ReplayWireApi | null): Promise<Record<string, string>> {
    const p = keyProviderOf(api);
    const key = await this.secrets.get(secretName(p));
    if (!key) return {};
    const info = KEY_PROVIDERS[p];
    return { [info.header]: info.bearer ? `Bearer ${key}` : key };
  }

  /** Asks for a provider's key (the provider too, when not given); true when one was stored. */
  async ask(provider?: KeyProvider): Promise<boolean> {
    let p = provider;
    if (!p) {
      const pick = await vscode.window.showQuickPick(
        (Object.keys(KEY_PROVIDERS) as KeyProvider[]).map((id) => ({ label: KEY_PROVIDERS[id].label, description: `instead of ${KEY_PROVIDERS[id].env}`, id })),
        { title: 'Spyglass: Set API Key', placeHolder: 'The provider whose key replays use' },
      );
      if (!pick) return false;
      p = pick.id;
    }
    const key = await vscode.window.showInputBox({
      title: `Spyglass: ${KEY_PROVIDERS[p].label} API key`,
      prompt: 'Kept in VS Code\'s secret storage and sent only with replays; leave empty to remove it.',
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) return false;
    if (key.trim() === '') {
      await this.secrets.delete(secretName(p));
      void vscode.window.showInformationMessage(`Spyglass: removed the ${KEY_PROVIDERS[p].label} key.`);
      return false;
    }
    await this.secrets.store(secretName(p), key.trim());
    void vscode.window.showInformationMessage(`Spyglass: stored the ${KEY_PROVIDERS[p].label} key for replays.`);
    return true;
  }
}
