// Opening Spyglass's walkthrough, and ticking the step VS Code cannot tick by itself.
//
// VS Code registers an extension's walkthroughs a few seconds after the extension: it first asks
// its experiment service whether to override each walkthrough's `when`, and waits up to 5 s for
// an answer that code-server never gives. Asked in that window for a walkthrough it does not know
// yet, the Welcome page falls back to VS Code's own first walkthrough ("Setup VS Code Web") and
// stays there. Nothing tells an extension when its walkthrough is registered, so "Get Started"
// waits out that window (measured from this module's loading, which is activation, which comes
// after the extension's registration) with progress showing, then opens it.

import * as vscode from 'vscode';
import { WALKTHROUGH_ID } from './walkthrough-id';

/** The experiment service's 5 s, and a margin for a loaded machine. */
export const REGISTRATION_MS = 6_500;

const loadedAt = Date.now();

/** Resolves once VS Code has registered the walkthrough (by the bound above). */
function whenRegistered(): Promise<void> {
  const wait = loadedAt + REGISTRATION_MS - Date.now();
  return wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : Promise.resolve();
}

function categoryId(context: vscode.ExtensionContext): string {
  return `${context.extension.id}#${WALKTHROUGH_ID}`;
}

export async function openWalkthrough(context: vscode.ExtensionContext): Promise<void> {
  if (loadedAt + REGISTRATION_MS > Date.now()) {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Opening the Spyglass walkthrough…' }, whenRegistered);
  }
  // The `{ category }` form: with a bare string, the Welcome page of VS Code 1.117 (code-server)
  // showed its own first walkthrough instead of Spyglass's.
  await vscode.commands.executeCommand('workbench.action.openWalkthrough', { category: categoryId(context) }, false);
}

/**
 * Ticks a step whose completion event cannot fire: a step's `onContext:` event only fires when
 * the key changes after the walkthrough is registered, and capture starts (setting
 * `spyglass.capturing`) before that. `welcome.markStepComplete` is what the page's own
 * "Mark Done" runs; a VS Code without it leaves the step as it was.
 */
export async function tickStep(context: vscode.ExtensionContext, step: string): Promise<void> {
  await whenRegistered();
  await vscode.commands.executeCommand('welcome.markStepComplete', `${categoryId(context)}#${step}`).then(undefined, () => undefined);
}
