// The real loopback HTTP server with the recording proxy's routes, recording into an in-memory
// sink: what the proxy integration tests and the bench start.

import { type HttpLimits, startHttpServer, type RunningHttpServer } from '../../src/capture/http-server';
import { RecordingProxy, type ProxyOptions } from '../../src/capture/proxy';
import { RecordingSink } from './recording-sink';

export interface ProxyHarness {
  server: RunningHttpServer;
  proxy: RecordingProxy;
  sink: RecordingSink;
  port: number;
  /** `http://127.0.0.1:<port>/proxy/<name>` */
  base(name: string): string;
  recordErrors: Error[];
  close(): Promise<void>;
}

export async function startProxyHarness(opts: Omit<ProxyOptions, 'sink'> & { sink?: RecordingSink; limits?: HttpLimits } = {}): Promise<ProxyHarness> {
  const sink = opts.sink ?? new RecordingSink();
  const recordErrors: Error[] = [];
  const proxy = new RecordingProxy({ ...opts, sink, onRecordError: (e) => recordErrors.push(e) });
  const server = await startHttpServer({ port: 0, routes: proxy.routes, limits: opts.limits });
  return {
    server,
    proxy,
    sink,
    port: server.port,
    base: (name) => `http://127.0.0.1:${server.port}/proxy/${name}`,
    recordErrors,
    async close() {
      await server.close();
      proxy.close();
    },
  };
}
