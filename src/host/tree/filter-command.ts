// "Filter Traces…": a quick pick over the tree's filter (text, model, service, errors, thumbs up
// or down), each applied as a query to `GET /api/traces`. Loaded when first used.

import * as vscode from 'vscode';
import type { SpyglassHost } from '../spyglass-host';

export async function filterTraces(host: SpyglassHost): Promise<void> {
  const current = host.tree.filter;
  type Item = vscode.QuickPickItem & { id: 'text' | 'model' | 'service' | 'errors' | 'up' | 'down' | 'clear' };
  const thumb = (which: 'up' | 'down'): Item => ({
    id: which,
    label: `$(thumbs${which}) Rated thumbs ${which}`,
    description: current.feedback === which ? 'on (pick to turn off)' : `traces with a thumbs ${which} on them or on one of their calls`,
  });
  const items: Item[] = [
    { id: 'text', label: '$(search) Text…', description: current.text ? `"${current.text}"` : 'search message content, names and ids' },
    { id: 'model', label: '$(sparkle) Model…', description: current.model ?? 'any' },
    { id: 'service', label: '$(server) Service…', description: current.service ?? 'any' },
    { id: 'errors', label: `$(error) Errors only`, description: current.errorsOnly ? 'on (pick to turn off)' : 'off' },
    thumb('down'),
    thumb('up'),
  ];
  if (Object.keys(current).some((k) => current[k as keyof typeof current])) items.push({ id: 'clear', label: '$(clear-all) Clear filter' });
  const pick = await vscode.window.showQuickPick(items, { title: 'Spyglass: Filter Traces' });
  if (!pick) return;
  const next = { ...current };
  switch (pick.id) {
    case 'text': {
      const text = await vscode.window.showInputBox({ title: 'Filter traces by text', value: current.text ?? '', prompt: 'Full-text search over message content, span names and ids (empty: no text filter)' });
      if (text === undefined) return;
      next.text = text.trim() || undefined;
      break;
    }
    case 'model':
    case 'service': {
      const values = new Set<string>();
      for (const t of host.tree.currentTraces) {
        if (pick.id === 'model') t.models.forEach((m) => values.add(m));
        else if (t.serviceName) values.add(t.serviceName);
      }
      if (pick.id === 'model' && host.api) {
        try {
          (await host.api.stats({})).byModel.forEach((m) => values.add(m.model));
        } catch {
          // the models in the list are enough to pick from
        }
      }
      const any = `$(close) Any ${pick.id}`;
      const value = await vscode.window.showQuickPick([any, ...[...values].sort()], { title: `Filter traces by ${pick.id}`, placeHolder: `Pick a ${pick.id}` });
      if (value === undefined) return;
      next[pick.id] = value === any ? undefined : value;
      break;
    }
    case 'errors':
      next.errorsOnly = !current.errorsOnly || undefined;
      break;
    case 'up':
    case 'down':
      next.feedback = current.feedback === pick.id ? undefined : pick.id;
      break;
    case 'clear':
      host.setFilter({});
      return;
  }
  host.setFilter(next);
}
