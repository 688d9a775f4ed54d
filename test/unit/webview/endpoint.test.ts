import { describe, expect, it } from 'vitest';
import {
  MAX_BUFFERED_MESSAGES,
  MessageEndpoint,
  RequestError,
  isWireMessage,
  type RequestSpec,
  type WireMessage,
} from '../../../src/protocol/webview';

type HostOut = {
  commands: { focus: { id: string } };
  requests: { ask: RequestSpec<{ q: string }, { a: string }> };
  notifications: { didChange: { n: number } };
};
type ViewOut = {
  commands: { clicked: { x: number } };
  requests: {
    load: RequestSpec<{ id: string }, { name: string }>;
    fail: RequestSpec<Record<string, never>, null>;
    slow: RequestSpec<Record<string, never>, number>;
  };
  notifications: { didSelect: { id: string | null } };
};

/** Two endpoints joined like postMessage: asynchronously, through structured-clone-like JSON. */
function pair(options: { timeoutMs?: number } = {}) {
  const hostSeen: WireMessage[] = [];
  const viewSeen: WireMessage[] = [];
  const errors: Error[] = [];
  let viewAlive = true;
  const host: MessageEndpoint<HostOut, ViewOut> = new MessageEndpoint({
    awaitReady: true,
    requestTimeoutMs: options.timeoutMs,
    onError: (e) => errors.push(e),
    post: (m) => {
      hostSeen.push(m);
      const copy: unknown = JSON.parse(JSON.stringify(m));
      queueMicrotask(() => {
        if (viewAlive) view.onMessage(copy);
      });
    },
  });
  const view: MessageEndpoint<ViewOut, HostOut> = new MessageEndpoint({
    requestTimeoutMs: options.timeoutMs,
    onError: (e) => errors.push(e),
    post: (m) => {
      viewSeen.push(m);
      const copy: unknown = JSON.parse(JSON.stringify(m));
      queueMicrotask(() => host.onMessage(copy));
    },
  });
  return { host, view, hostSeen, viewSeen, errors, kill: () => (viewAlive = false) };
}

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

describe('MessageEndpoint', () => {
  it('answers a request with the handler result', async () => {
    const { host, view } = pair();
    host.handleRequest('load', async ({ id }) => ({ name: `trace ${id}` }));
    view.sendReady();
    await expect(view.request('load', { id: 'abc' })).resolves.toEqual({ name: 'trace abc' });
    expect(view.pendingRequests).toBe(0);
  });

  it('keeps concurrent requests apart by id', async () => {
    const { host, view } = pair();
    host.handleRequest('load', async ({ id }) => {
      // answer out of order: the later request settles first
      await new Promise((r) => setTimeout(r, id === 'first' ? 20 : 1));
      return { name: id };
    });
    view.sendReady();
    const [a, b] = await Promise.all([view.request('load', { id: 'first' }), view.request('load', { id: 'second' })]);
    expect(a.name).toBe('first');
    expect(b.name).toBe('second');
  });

  it('rejects the caller when the handler throws, carrying message and code', async () => {
    const { host, view } = pair();
    host.handleRequest('fail', () => {
      throw Object.assign(new Error('collector not running'), { code: 'no-collector' });
    });
    view.sendReady();
    const err = await view.request('fail', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestError);
    expect((err as RequestError).code).toBe('remote');
    expect((err as RequestError).remoteCode).toBe('no-collector');
    expect((err as RequestError).message).toBe('collector not running');
  });

  it('rejects a request nobody handles instead of leaving it hanging', async () => {
    const { view } = pair({ timeoutMs: 5_000 });
    view.sendReady();
    const err = (await view.request('load', { id: 'x' }).catch((e: unknown) => e)) as RequestError;
    expect(err.code).toBe('remote');
    expect(err.remoteCode).toBe('unknown-method');
  });

  it('times out a request that gets no reply', async () => {
    const { host, view } = pair({ timeoutMs: 30 });
    host.handleRequest('slow', () => new Promise<number>(() => undefined)); // never settles
    view.sendReady();
    const started = Date.now();
    const err = (await view.request('slow', {}).catch((e: unknown) => e)) as RequestError;
    expect(err).toBeInstanceOf(RequestError);
    expect(err.code).toBe('timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(view.pendingRequests).toBe(0);
  });

  it('lets one request override the default timeout', async () => {
    const { host, view } = pair({ timeoutMs: 10_000 });
    host.handleRequest('slow', () => new Promise<number>(() => undefined));
    view.sendReady();
    const err = (await view.request('slow', {}, { timeoutMs: 20 }).catch((e: unknown) => e)) as RequestError;
    expect(err.code).toBe('timeout');
  });

  it('holds host messages until the webview is ready, then delivers them in order', async () => {
    const { host, view, hostSeen } = pair();
    const received: number[] = [];
    view.handleNotification('didChange', ({ n }) => received.push(n));
    host.notify('didChange', { n: 1 });
    host.notify('didChange', { n: 2 });
    await tick();
    expect(hostSeen).toHaveLength(0); // nothing posted into a webview that is not listening yet
    expect(host.isReady).toBe(false);
    view.sendReady();
    await tick();
    await tick();
    expect(host.isReady).toBe(true);
    expect(received).toEqual([1, 2]);
    host.notify('didChange', { n: 3 });
    await tick();
    expect(received).toEqual([1, 2, 3]);
  });

  it('fires onReady on every ready, so a reloaded webview gets the state again', async () => {
    const { host, view } = pair();
    let readies = 0;
    host.onReady(() => readies++);
    view.sendReady();
    await tick();
    view.sendReady();
    await tick();
    expect(readies).toBe(2);
  });

  it('bounds the buffer while the webview never becomes ready', async () => {
    const { host, view } = pair();
    const received: number[] = [];
    view.handleNotification('didChange', ({ n }) => received.push(n));
    for (let n = 0; n < MAX_BUFFERED_MESSAGES + 10; n++) host.notify('didChange', { n });
    view.sendReady();
    await tick();
    await tick();
    expect(received).toHaveLength(MAX_BUFFERED_MESSAGES);
    expect(received[0]).toBe(10);
    expect(received.at(-1)).toBe(MAX_BUFFERED_MESSAGES + 9);
  });

  it('times out a host request buffered for a webview that never comes up', async () => {
    const { host } = pair({ timeoutMs: 20 });
    const err = (await host.request('ask', { q: 'x' }).catch((e: unknown) => e)) as RequestError;
    expect(err.code).toBe('timeout');
  });

  it('delivers commands and notifications to their handlers', async () => {
    const { host, view } = pair();
    const clicks: number[] = [];
    const focused: string[] = [];
    host.handleCommand('clicked', ({ x }) => clicks.push(x));
    view.handleCommand('focus', ({ id }) => focused.push(id));
    view.sendReady();
    view.command('clicked', { x: 7 });
    await tick();
    host.command('focus', { id: 'span-1' });
    await tick();
    expect(clicks).toEqual([7]);
    expect(focused).toEqual(['span-1']);
  });

  it('reports a throwing command handler and a malformed message without crashing', async () => {
    const { host, view, errors } = pair();
    host.handleCommand('clicked', () => {
      throw new Error('boom');
    });
    view.sendReady();
    view.command('clicked', { x: 1 });
    await tick();
    host.onMessage({ kind: 'request', method: 'load' }); // no id
    host.onMessage('hello');
    host.onMessage(null);
    expect(errors.map((e) => e.message)).toEqual([
      'boom',
      'ignored a malformed webview message',
      'ignored a malformed webview message',
      'ignored a malformed webview message',
    ]);
  });

  it('rejects pending requests on dispose and ignores late replies', async () => {
    const { host, view } = pair({ timeoutMs: 10_000 });
    let release: (n: number) => void = () => undefined;
    host.handleRequest('slow', () => new Promise<number>((r) => (release = r)));
    view.sendReady();
    const p = view.request('slow', {});
    await tick();
    view.dispose();
    const err = (await p.catch((e: unknown) => e)) as RequestError;
    expect(err.code).toBe('disposed');
    release(42);
    await tick();
    await expect(view.request('slow', {})).rejects.toMatchObject({ code: 'disposed' });
  });

  it('rejects a request at once when posting throws (webview already disposed)', async () => {
    const view: MessageEndpoint<ViewOut, HostOut> = new MessageEndpoint({
      post: () => {
        throw new Error('Webview is disposed');
      },
    });
    await expect(view.request('load', { id: 'a' })).rejects.toMatchObject({ code: 'disposed', message: 'Webview is disposed' });
  });
});

describe('isWireMessage', () => {
  it('accepts each kind and refuses near misses', () => {
    expect(isWireMessage({ kind: 'ready' })).toBe(true);
    expect(isWireMessage({ kind: 'command', method: 'a', params: {} })).toBe(true);
    expect(isWireMessage({ kind: 'request', id: 1, method: 'a', params: {} })).toBe(true);
    expect(isWireMessage({ kind: 'reply', id: 1, ok: true, result: null })).toBe(true);
    expect(isWireMessage({ kind: 'reply', id: 1, ok: false, error: { message: 'x' } })).toBe(true);
    expect(isWireMessage({ kind: 'reply', id: 1, ok: false, error: 'x' })).toBe(false);
    expect(isWireMessage({ kind: 'reply', id: 1.5, ok: true, result: 1 })).toBe(false);
    expect(isWireMessage({ kind: 'request', id: '1', method: 'a' })).toBe(false);
    expect(isWireMessage({ kind: 'other' })).toBe(false);
    expect(isWireMessage([])).toBe(false);
  });
});
