// The preparing thread (bundled as dist/prepare-worker.js): decodes OTLP bodies and prepares
// their spans, and the proxy's captures (conventions, pricing, token estimates, JSON, search
// text), so the collector's thread only answers HTTP and runs SQL.

import { parentPort, workerData } from 'node:worker_threads';
import { OtlpDecodeError } from '../capture/otlp/context';
import { createAnalyzer } from './analyzer';
import type { PrepareReply, PrepareTask, PrepareWorkerData } from './prepare-messages';
import { prepareOtlpUnder, prepareProxyCaptureUnder } from './prepare-otlp';
import { toWire } from './prepared-wire';

const port = parentPort;
if (!port) throw new Error('prepare-worker.js runs as a worker thread of the collector');
const data = workerData as PrepareWorkerData;
const { analyzer } = createAnalyzer(data.priceOverrides);

port.on('message', async (task: PrepareTask) => {
  let reply: PrepareReply;
  try {
    if (task.kind === 'proxy') {
      reply = { type: 'prepared', id: task.id, outcome: null, wire: toWire(await prepareProxyCaptureUnder(task.capture, analyzer, data)) };
    } else {
      const { batch, ...outcome } = await prepareOtlpUnder(task, analyzer, data);
      reply = { type: 'prepared', id: task.id, outcome, wire: toWire(batch) };
    }
  } catch (err) {
    reply = { type: 'failed', id: task.id, invalid: err instanceof OtlpDecodeError, message: (err as Error)?.message ?? String(err) };
  }
  port.postMessage(reply, reply.type === 'prepared' ? [reply.wire.values.buffer] : []);
});
port.postMessage({ type: 'ready' } satisfies PrepareReply);
