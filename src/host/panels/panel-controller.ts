// What every panel controller shares: the endpoint over the webview, the state the host owns,
// and when to send it. No vscode import: a `vscode.Webview` fits `WebviewLike`, and tests drive
// controllers with a webview endpoint of their own.

import { MessageEndpoint, type ProtocolMap } from '../../protocol/webview';

export interface DisposableLike {
  dispose(): unknown;
}

export interface WebviewLike {
  postMessage(message: unknown): PromiseLike<boolean> | boolean | void;
  onDidReceiveMessage(listener: (message: unknown) => void): DisposableLike;
}

/** State that the host sends whole on every change (keep it small: bulk data goes as messages of its own). */
export abstract class PanelController<S, Out extends ProtocolMap & { notifications: { didChangeState: S } }, In extends ProtocolMap> {
  readonly endpoint: MessageEndpoint<Out, In>;
  protected current: S;
  private version = 0;
  /** The state version the webview has (inlined in its HTML, or last sent). */
  private webviewVersion = -1;
  private readies = 0;
  private readonly subscriptions: DisposableLike[] = [];
  private disposed = false;
  private loading: Promise<S> | null = null;
  private reloadAgain = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    protected readonly webview: WebviewLike,
    initial: S,
    onError: (error: Error) => void = () => undefined,
  ) {
    this.current = initial;
    this.endpoint = new MessageEndpoint<Out, In>({
      awaitReady: true,
      onError,
      post: (message) => {
        const sent = this.webview.postMessage(message);
        // A panel closed in the meantime rejects; nothing is waiting for it.
        if (sent && typeof (sent as PromiseLike<boolean>).then === 'function') (sent as PromiseLike<boolean>).then(undefined, () => undefined);
      },
    });
    this.subscriptions.push(this.webview.onDidReceiveMessage((m) => this.endpoint.onMessage(m)));
    this.endpoint.onReady(() => {
      this.readies++;
      // A second ready means the webview was rebuilt from its HTML (hidden and shown again): it
      // has the inlined state again and nothing it was sent after that.
      if (this.readies > 1 || this.webviewVersion !== this.version) this.push();
      if (this.readies > 1) this.onWebviewRebuilt();
    });
  }

  get state(): S {
    return this.current;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** The state to inline into freshly set HTML; the webview then has this version. */
  snapshotForHtml(): S {
    this.webviewVersion = this.version;
    this.readies = 0;
    return this.current;
  }

  protected setState(next: S): void {
    this.current = next;
    this.version++;
    if (this.endpoint.isReady) this.push();
  }

  private push(): void {
    if (this.disposed) return;
    this.webviewVersion = this.version;
    (this.endpoint as MessageEndpoint<ProtocolMap & { notifications: { didChangeState: S } }, In>).notify('didChangeState', this.current);
  }

  protected abstract fetchState(): Promise<S>;

  /** The webview lost what it was sent apart from the state; a panel that sends more resends it. */
  protected onWebviewRebuilt(): void {
    // the state alone was pushed again above
  }

  /** Loads now; concurrent calls share one load, and a call during a load runs one more after it. */
  load(): Promise<S> {
    if (this.disposed) return Promise.resolve(this.current);
    if (this.loading) {
      this.reloadAgain = true;
      return this.loading;
    }
    this.loading = (async () => {
      try {
        do {
          this.reloadAgain = false;
          const next = await this.fetchState();
          if (this.disposed) break;
          this.setState(next);
        } while (this.reloadAgain && !this.disposed);
        return this.current;
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  /** Loads after `delayMs`, coalescing bursts of change events into one load. */
  loadSoon(delayMs: number): void {
    if (this.disposed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.load().catch(() => undefined);
    }, delayMs);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.endpoint.dispose();
    for (const s of this.subscriptions.splice(0)) s.dispose();
  }
}
