// The host side of the prompt comparison webview: loads B against A from the collector, finds
// where each text lives in the workspace, and answers the webview's buttons (diff, swap, source).

import type { PromptCompareHostToWebview, PromptCompareSide, PromptCompareState, PromptCompareWebviewToHost } from '../../protocol/prompt-compare';
import type { ApiClient } from '../connection/api-client';
import { PanelController, type WebviewLike } from '../panels/panel-controller';
import type { PromptSourceLocation } from './git-source';

export interface PromptCompareHooks {
  getApi(): ApiClient | null;
  sourceOf(side: PromptCompareSide): Promise<PromptSourceLocation | null>;
  openDiff(a: PromptCompareSide, b: PromptCompareSide): void;
  openSource(location: PromptSourceLocation): void;
  replayWithB(a: PromptCompareSide, b: PromptCompareSide): void;
  onError?(error: Error): void;
}

export function sourceLabel(at: PromptSourceLocation | null): string | null {
  if (!at) return null;
  return `${at.file}:${at.line}${at.commit ? ` · ${at.commit.shortSha}` : ' · not committed'}`;
}

export class PromptCompareController extends PanelController<PromptCompareState, PromptCompareHostToWebview, PromptCompareWebviewToHost> {
  private a: PromptCompareSide;
  private b: PromptCompareSide;
  private replays = false;

  constructor(webview: WebviewLike, a: PromptCompareSide, b: PromptCompareSide, private readonly hooks: PromptCompareHooks, replays = false) {
    super(webview, { a, b, status: 'loading', comparison: null, error: null, sources: { a: null, b: null } }, hooks.onError);
    this.a = a;
    this.b = b;
    this.replays = replays;
    this.endpoint
      .handleRequest('reload', () => this.load())
      .handleCommand('openDiff', () => hooks.openDiff(this.a, this.b))
      .handleCommand('swap', () => {
        [this.a, this.b] = [this.b, this.a];
        this.replays = false;
        void this.load().catch(() => undefined);
      })
      .handleCommand('replayWithB', () => hooks.replayWithB(this.a, this.b))
      .handleCommand('openSource', ({ side }) => {
        void hooks.sourceOf(side === 'a' ? this.a : this.b).then((at) => at && hooks.openSource(at));
      });
  }

  get sides(): { a: PromptCompareSide; b: PromptCompareSide } {
    return { a: this.a, b: this.b };
  }

  /** Shows another pair in this panel; with `replays`, A's replayed calls against their replays with B's text. */
  show(a: PromptCompareSide, b: PromptCompareSide, replays = false): Promise<PromptCompareState> {
    this.a = a;
    this.b = b;
    this.replays = replays;
    return this.load();
  }

  protected async fetchState(): Promise<PromptCompareState> {
    const { a, b, replays } = this;
    const api = this.hooks.getApi();
    if (!api) return { a, b, status: 'error', comparison: null, error: 'Spyglass capture is not running.', sources: { a: null, b: null } };
    try {
      const [comparison, sa, sb] = await Promise.all([api.comparePrompts(a, b, replays ? { replays } : {}), this.hooks.sourceOf(a), this.hooks.sourceOf(b)]);
      return { a, b, status: 'ready', comparison, error: null, sources: { a: sourceLabel(sa), b: sourceLabel(sb) }, replays };
    } catch (err) {
      return { a, b, status: 'error', comparison: null, error: (err as Error).message, sources: { a: null, b: null } };
    }
  }
}
