// The host side of the session view: one conversation across its traces, turn by turn, read
// again when traces change (a new turn arrives while the app runs). No vscode import.

import type { CollectorEvent } from '../../protocol/api';
import type { SessionHostToWebview, SessionPanelState, SessionWebviewToHost } from '../../protocol/explorer';
import { ApiRequestError, type ApiClient } from '../connection/api-client';
import { PanelController, type WebviewLike } from './panel-controller';

export interface SessionControllerOptions {
  webview: WebviewLike;
  api: ApiClient;
  sessionId: string;
  onOpenTrace?: (traceId: string) => void;
  onError?: (error: Error) => void;
  reloadDelayMs?: number;
}

export class SessionController extends PanelController<SessionPanelState, SessionHostToWebview, SessionWebviewToHost> {
  private readonly reloadDelayMs: number;

  constructor(private readonly options: SessionControllerOptions) {
    super(options.webview, { sessionId: options.sessionId, status: 'loading', detail: null, error: null }, options.onError);
    this.reloadDelayMs = options.reloadDelayMs ?? 1_000;
    this.endpoint
      .handleRequest('reload', () => this.load())
      .handleCommand('openTrace', ({ traceId }) => {
        if (typeof traceId === 'string' && /^[0-9a-f]{32}$/i.test(traceId)) options.onOpenTrace?.(traceId.toLowerCase());
      });
  }

  onCollectorEvent(event: CollectorEvent): void {
    if (event.type === 'traces-changed' || event.type === 'cleared' || event.type === 'hello') this.loadSoon(this.reloadDelayMs);
  }

  onConnectionChanged(): void {
    this.loadSoon(0);
  }

  protected async fetchState(): Promise<SessionPanelState> {
    const { sessionId } = this.options;
    try {
      const detail = await this.options.api.getSession(sessionId);
      return { sessionId, status: 'ready', detail, error: null };
    } catch (err) {
      const e = err instanceof ApiRequestError ? err : null;
      const status = e?.code === 'not-found' ? 'not-found' : e?.code === 'no-collector' ? 'no-collector' : 'error';
      return { ...this.current, status, error: err instanceof Error ? err.message : String(err) };
    }
  }
}
