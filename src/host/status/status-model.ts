// What the status bar item says for each collector state and today's summary. Pure, so the
// exact texts are unit-tested; status-bar.ts only copies them onto the vscode item.

import type { TodaySummaryDto } from '../../protocol/api';
import { escapeMarkdown, formatBytes, formatUsd, plural } from '../../core/format';
import type { AlertDto } from '../../protocol/alerts';
import { alertStatus, worstAlert } from '../alerts/alerts-model';
import type { CollectorState } from '../connection/ownership-model';
import type { StoreUpgrade } from '../../protocol/collector-ipc';

export interface StatusView {
  /** With `$(codicon)` references. */
  text: string;
  /** Markdown; only our own values and escaped paths go in, so command links can be trusted. */
  tooltip: string;
  /** Screen readers, and how tests find the item. */
  accessibilityLabel: string;
  background: 'none' | 'warning' | 'error';
  /** An alert fires: the item opens the Alerts view. */
  alerting?: boolean;
}

function todayText(summary: TodaySummaryDto | null): { short: string; long: string } {
  if (!summary) return { short: '', long: '' };
  const parts = [plural(summary.calls, 'call'), formatUsd(summary.costUsd)];
  const long = [`${plural(summary.calls, 'call')} today`, `${formatUsd(summary.costUsd)} spent`];
  if (summary.errors > 0) long.push(plural(summary.errors, 'error'));
  if (summary.guardrailHits > 0) long.push(plural(summary.guardrailHits, 'guardrail hit'));
  let short = ` · ${parts.join(' · ')}`;
  if (summary.errors > 0) short += ` $(error) ${summary.errors}`;
  if (summary.guardrailHits > 0) short += ` $(shield) ${summary.guardrailHits}`;
  return { short, long: long.join(', ') };
}

const LINKS = {
  stop: '[$(debug-stop) Stop capture](command:spyglass.stopCapture)',
  start: '[$(play) Start capture](command:spyglass.startCapture)',
  env: '[$(copy) Copy environment for an app](command:spyglass.copyEnvironment)',
  traces: '[$(list-tree) Show traces](command:spyglass.showTraces)',
  dashboard: '[$(graph) Open dashboard](command:spyglass.openDashboard)',
  log: '[$(output) Show log](command:spyglass.showLog)',
  alerts: '[$(bell) Show alerts](command:spyglass.showAlerts)',
  port: '[$(edit) Choose another port](command:spyglass.choosePort)',
};

/** Commands the status bar tooltip may run (its Markdown is trusted for these only). */
export const STATUS_TOOLTIP_COMMANDS = [
  'spyglass.stopCapture',
  'spyglass.startCapture',
  'spyglass.copyEnvironment',
  'spyglass.showTraces',
  'spyglass.openDashboard',
  'spyglass.showLog',
  'spyglass.choosePort',
  'spyglass.showAlerts',
];

/** Why capture has not started yet: said once in the status bar's tooltip and once as a notification. */
export function upgradeMessage({ fromSchema, toSchema, bytes }: StoreUpgrade): string {
  return `upgrading the trace store (${formatBytes(bytes)}) for this version; capture starts when it is done. `
    + `On a large store this takes minutes, once (schema ${fromSchema} → ${toSchema}).`;
}

export function statusView(state: CollectorState, summary: TodaySummaryDto | null, alerts: readonly AlertDto[] = []): StatusView {
  switch (state.kind) {
    case 'starting':
      if (state.upgrade) {
        return {
          text: '$(loading~spin) Spyglass: upgrading store',
          tooltip: `**Spyglass**: ${upgradeMessage(state.upgrade)}\n\n${LINKS.log}`,
          accessibilityLabel: 'Spyglass: upgrading the trace store',
          background: 'none',
        };
      }
      return {
        text: '$(loading~spin) Spyglass',
        tooltip: '**Spyglass** is starting the trace collector…',
        accessibilityLabel: 'Spyglass: starting',
        background: 'none',
      };
    case 'stopped':
      return {
        text: '$(telescope) Spyglass: off',
        tooltip: `**Spyglass**: capture is stopped.\n\n${LINKS.start} · ${LINKS.traces}`,
        accessibilityLabel: 'Spyglass: capture stopped',
        background: 'none',
      };
    case 'owner':
    case 'reader': {
      const today = todayText(summary);
      const shared = state.kind === 'reader' ? ' (shared)' : '';
      const who =
        state.kind === 'owner'
          ? `This window runs the collector (pid ${state.pid ?? '?'}).`
          : `Reading from the collector run by another window (pid ${state.ownerPid}); this window takes over if that one closes.`;
      const ports = `OTLP/HTTP and proxy on \`127.0.0.1:${state.httpPort}\`${state.grpcPort ? `, OTLP/gRPC on \`127.0.0.1:${state.grpcPort}\`` : ', gRPC off'}`;
      const lines = [
        `**Spyglass** is listening${shared}`,
        '',
        ports,
        '',
        who,
        '',
        `Database: \`${escapeMarkdown(state.dbPath)}\``,
      ];
      if (today.long) lines.push('', `Today: ${today.long}`);
      const alert = alertStatus(alerts);
      if (alert.text) lines.unshift(escapeMarkdown(alert.tooltip.replace(/\*\*/g, '')), '', LINKS.alerts, '', '---', '');
      lines.push('', `${LINKS.traces} · ${LINKS.dashboard} · ${LINKS.env} · ${LINKS.stop}`);
      return {
        text: `${alert.text ? `${alert.text} ` : ''}$(telescope) :${state.httpPort}${shared}${today.short}`,
        tooltip: lines.join('\n'),
        accessibilityLabel: `${alert.text ? `Spyglass alert: ${worstAlert(alerts)!.severity} ${worstAlert(alerts)!.message}. ` : ''}Spyglass: listening on port ${state.httpPort}${shared}${today.long ? `, ${today.long}` : ''}`,
        background: alert.background,
        alerting: alert.text !== '',
      };
    }
    case 'port-conflict':
      return {
        text: `$(warning) Spyglass: port ${state.port} in use`,
        tooltip: `**Spyglass** cannot listen: ${escapeMarkdown(state.detail)}.\n\n${LINKS.port} · ${LINKS.start} · ${LINKS.log}`,
        accessibilityLabel: `Spyglass: port ${state.port} is in use by another program`,
        background: 'warning',
      };
    case 'failed':
      return {
        text: '$(error) Spyglass',
        tooltip: `**Spyglass** could not start capture: ${escapeMarkdown(state.message)}\n\n${LINKS.start} · ${LINKS.log}`,
        accessibilityLabel: `Spyglass: capture failed: ${state.message}`,
        background: 'error',
      };
  }
}
