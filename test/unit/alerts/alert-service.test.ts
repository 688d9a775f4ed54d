// The alert service over a real store: its reader is kept between evaluations, so clearing the
// store must clear what it carried, even when the calls written next start before all the old ones.
import { beforeEach, describe, expect, it } from 'vitest';
import { AlertService } from '../../../src/collector/alert-service';
import { EventHub } from '../../../src/collector/events';
import type { IngestSpan } from '../../../src/core/model';
import { DEFAULT_ALERT_CONFIG } from '../../../src/protocol/alerts';
import type { Store } from '../../../src/store/store';
import { useTempStore } from '../../helpers/temp-store';
import { span } from '../../helpers/spans';

const temp = useTempStore('alert-service');
let store: Store;
beforeEach(() => {
  store = temp.store;
});

const NOW = Date.UTC(2026, 2, 10, 15, 30);

function calls(n: number, fromMs: number, toMs: number): IngestSpan[] {
  return Array.from({ length: n }, (_, i) => {
    const startUs = Math.floor((fromMs + ((toMs - fromMs) * i) / n) * 1000);
    return span({
      startUs, endUs: startUs + 400_000, resource: { 'service.name': 'svc' },
      attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10_000, 'gen_ai.usage.output_tokens': 1_000 },
    });
  });
}

describe('AlertService', () => {
  it('forgets the spend it carried when the store is cleared', () => {
    let now = NOW;
    const service = new AlertService({
      store, events: new EventHub(() => ({ type: 'hello', version: 'test', httpPort: 0, grpcPort: 0, dbPath: '' })),
      config: { ...DEFAULT_ALERT_CONFIG, budgetDailyUsd: 1, anomalies: false }, now: () => now, timeZone: 'UTC',
    });
    store.writer.write([{ spans: calls(40, NOW - 3 * 3_600_000, NOW - 60_000), logs: [] }]);
    service.evaluate(false);
    const crossed = service.list().find((a) => a.rule === 'budget-daily');
    expect(crossed).toMatchObject({ severity: 'P1' });
    expect(crossed!.value).toBeGreaterThan(1);

    store.clear();
    // Two calls from earlier today, before every call the store held: the store's oldest minute does not move forward.
    store.writer.write([{ spans: calls(2, NOW - 10 * 3_600_000, NOW - 9 * 3_600_000), logs: [] }]);
    service.clear();
    now += 1000;
    service.evaluate(true);
    expect(service.list().filter((a) => a.rule.startsWith('budget'))).toEqual([]);
    const twoCalls = store.db.prepare('SELECT sum(cost_usd) FROM llm_calls').pluck().get() as number;
    expect(twoCalls).toBeGreaterThan(0);
    expect(twoCalls).toBeLessThan(1);
    service.close();
  });
});
