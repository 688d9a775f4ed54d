// Waits, with a deadline, until an in-process collector's analysis runner has analysed everything
// stored so far: the runner says when it is idle, the API says what is still pending.
import type { Collector } from '../../src/collector/collector';
import type { AnalysesDto } from '../../src/protocol/api';

export async function analysed(collector: Collector, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await collector.analysisRunner!.idle();
    const { analyses } = (await (await fetch(`http://127.0.0.1:${collector.httpPort}/api/analyses`)).json()) as AnalysesDto;
    if (analyses.every((a) => a.pending === 0)) return;
    if (Date.now() > deadline) throw new Error(`analyses still pending: ${JSON.stringify(analyses)}`);
    await new Promise((r) => setImmediate(r));
  }
}
