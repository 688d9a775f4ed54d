// Alert commands: show the Alerts view, show the calls behind an alert (the Traces view filtered
// to its scope, and its newest trace opened), lift the proxy's circuit breaker.

import * as vscode from 'vscode';
import type { AlertDto } from '../../protocol/alerts';
import type { SpyglassHost } from '../spyglass-host';
import { ALERTS_VIEW_ID } from './alerts-view';

function isAlert(v: unknown): v is AlertDto {
  return typeof v === 'object' && v !== null && typeof (v as AlertDto).id === 'string' && typeof (v as AlertDto).rule === 'string';
}

export function registerAlertCommands(host: SpyglassHost): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('spyglass.showAlerts', () => vscode.commands.executeCommand(`${ALERTS_VIEW_ID}.focus`)),
    vscode.commands.registerCommand('spyglass.showAlertCalls', async (arg?: unknown) => {
      let alert = isAlert(arg) ? arg : undefined;
      if (!alert) {
        const firing = host.alerts.firingAlerts;
        const pick = await vscode.window.showQuickPick(firing.map((a) => ({ label: `${a.severity} ${a.rule}`, detail: a.message, alert: a })), {
          title: 'Spyglass: Show the Calls Behind an Alert',
          placeHolder: firing.length ? 'Firing alerts, worst first' : 'No alert is firing',
        });
        alert = pick?.alert;
      }
      if (!alert) return;
      host.setFilter({ ...(alert.calls.service ? { service: alert.calls.service } : {}), ...(alert.calls.model ? { model: alert.calls.model } : {}) });
      await vscode.commands.executeCommand('spyglass.showTraces');
      const newest = alert.calls.traceIds[0];
      if (newest) await host.panels.showTrace(newest, null);
    }),
    vscode.commands.registerCommand('spyglass.liftBreaker', async (arg?: unknown) => {
      const api = host.api;
      if (!api) {
        void vscode.window.showWarningMessage('Spyglass capture is not running.');
        return;
      }
      let service = isAlert(arg) ? arg.scope.service : typeof arg === 'string' ? arg : undefined;
      if (service === undefined) {
        const { breakers } = await api.breakers();
        if (breakers.length === 0) {
          void vscode.window.showInformationMessage('Spyglass: no circuit breaker is open; the proxy lets every service through.');
          return;
        }
        const pick = await vscode.window.showQuickPick(breakers.map((b) => ({ label: b.service, detail: `${b.refused} refused · ${b.reason}` })), {
          title: 'Spyglass: Lift a Circuit Breaker',
          placeHolder: 'The service whose calls the proxy lets through again',
        });
        if (!pick) return;
        service = pick.label;
      }
      await api.liftBreaker(service);
      host.alerts.reload();
      void vscode.window.showInformationMessage(`Spyglass: the proxy lets ${service ?? 'every service'}'s calls through again.`);
    }),
  ];
}
