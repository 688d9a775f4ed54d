// The status bar and Alerts view texts for alerts: the worst firing alert first, coloured by tier.
import { describe, expect, it } from 'vitest';
import { alertItem, alertStatus, worstAlert } from '../../../src/host/alerts/alerts-model';
import { statusView } from '../../../src/host/status/status-model';
import type { AlertDto } from '../../../src/protocol/alerts';

const alert = (over: Partial<AlertDto>): AlertDto => ({
  id: 'x', rule: 'runaway-repeat', severity: 'P1', state: 'firing', since: 1_000, resolvedAt: null, value: 40, threshold: 12, baseline: null,
  scope: { service: 'agent', model: 'gpt-4o-mini' }, message: 'runaway loop? service agent called gpt-4o-mini 40 times with the same input since 10:00',
  calls: { from: 0, to: 1, traceIds: [] }, ...over,
});

describe('alert texts', () => {
  it('shows the worst firing alert in the status bar, coloured by severity, and opens the Alerts view', () => {
    const firing = [alert({ id: 'a', severity: 'P3', rule: 'anomaly-callRate' }), alert({ id: 'b' }), alert({ id: 'c', severity: 'P2', rule: 'budget-daily' })];
    expect(worstAlert(firing)!.id).toBe('b');
    expect(alertStatus(firing)).toMatchObject({ text: '$(error) P1 runaway loop +2', background: 'error' });
    expect(alertStatus([alert({ severity: 'P2', rule: 'budget-daily' })])).toMatchObject({ text: '$(warning) P2 daily budget', background: 'warning' });
    expect(alertStatus([alert({ severity: 'P3', rule: 'anomaly-callRate' })])).toMatchObject({ text: '$(info) P3 anomaly: callRate', background: 'none' });
    expect(alertStatus([])).toMatchObject({ text: '', background: 'none' });
    const state = { kind: 'owner' as const, httpPort: 4318, grpcPort: 4317, dbPath: '/tmp/db', pid: 1 };
    const view = statusView(state, null, firing);
    expect(view.text).toBe('$(error) P1 runaway loop +2 $(telescope) :4318');
    expect(view.background).toBe('error');
    expect(view.alerting).toBe(true);
    expect(view.accessibilityLabel).toMatch(/^Spyglass alert: P1 runaway loop\? service agent/);
    expect(statusView(state, null, []).alerting).toBe(false);
  });

  it('escapes captured names in the trusted tooltip', () => {
    const view = statusView({ kind: 'owner', httpPort: 4318, grpcPort: null, dbPath: '/d', pid: 1 }, null, [alert({ message: 'service [x](command:evil) looped' })]);
    expect(view.tooltip).not.toContain('[x](command:evil)');
  });

  it('lists alerts with scope, age and projection', () => {
    const row = alertItem(alert({ rule: 'budget-daily', severity: 'P2', scope: {}, projectedUsd: 41, since: 0 }), 5 * 60_000);
    expect(row).toMatchObject({ label: 'P2 daily budget', description: 'started 5 min ago · projected $41.00', icon: 'warning' });
    expect(alertItem(alert({ state: 'resolved', resolvedAt: 0 }), 60_000)).toMatchObject({ label: 'P1 runaway loop — agent · gpt-4o-mini', icon: 'pass' });
  });
});

describe('alerts-changed on the event stream', () => {
  it('is understood when well formed and skipped when not', async () => {
    const { isCollectorEvent } = await import('../../../src/host/connection/event-stream');
    const raised = [alert({})];
    expect(isCollectorEvent({ type: 'alerts-changed', firing: 1, worst: 'P1', raised, at: 1 })).toBe(true);
    expect(isCollectorEvent({ type: 'alerts-changed', firing: 1, worst: 'P1', raised: [{ ...raised[0], severity: 'P9' }], at: 1 })).toBe(false);
    expect(isCollectorEvent({ type: 'alerts-changed', firing: '1', raised: [], at: 1 })).toBe(false);
  });
});
