import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('vscode', () => import('../../helpers/vscode-mock'));

import type * as vscode from 'vscode';
import { commands, mock } from '../../helpers/vscode-mock';
import { openWalkthrough } from '../../../src/host/walkthrough/open-walkthrough';

const context = { extension: { id: 'spyglass.spyglass' } } as unknown as vscode.ExtensionContext;
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('"Get Started"', () => {
  const subs: { dispose(): void }[] = [];
  afterEach(() => subs.splice(0).forEach((s) => s.dispose()));

  it('opens the walkthrough only once its pages name the ports in use (VS Code reads a page once)', async () => {
    subs.push(commands.registerCommand('welcome.markStepIncomplete', () => undefined)); // the walkthrough is registered
    subs.push(commands.registerCommand('workbench.action.openWalkthrough', () => undefined));
    let written!: () => void;
    const pagesReady = new Promise<void>((resolve) => (written = resolve));
    const opening = openWalkthrough(context, () => pagesReady);
    for (let i = 0; i < 5; i++) await turn();
    const opened = () => mock.executed.filter((e) => e.command === 'workbench.action.openWalkthrough');
    expect(mock.executed.some((e) => e.command === 'welcome.markStepIncomplete')).toBe(true);
    expect(opened()).toEqual([]);
    written();
    await opening;
    expect(opened().map((e) => e.args[0])).toEqual([{ category: 'spyglass.spyglass#spyglass.gettingStarted' }]);
  });
});
