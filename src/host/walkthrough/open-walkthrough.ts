// Opening Spyglass's walkthrough, and ticking the step VS Code cannot tick by itself.
//
// VS Code registers an extension's walkthroughs some seconds after the extension: it first asks
// its experiment service whether to override each walkthrough's `when`, and waits up to 5 s for
// an answer that code-server never gives (longer on a loaded machine). Asked in that window for a
// walkthrough it does not know yet, the Welcome page falls back to VS Code's own first
// walkthrough ("Setup VS Code Web") and stays there. Nothing tells an extension when its
// walkthrough is registered, and no fixed wait is long enough under load, so "Get Started" asks:
// `welcome.markStepIncomplete` on a step that is never shown (`when: false`, see package.json)
// fails while VS Code does not know the step and succeeds once the walkthrough (its category and
// steps, registered together) is known. Un-marking a step nobody can mark changes nothing it
// keeps; it is asked only until the first yes in a window, before Spyglass's page is open.

import * as vscode from 'vscode';
import { REGISTRATION_PROBE_STEP, WALKTHROUGH_ID } from './walkthrough-id';

/** How long "Get Started" waits for VS Code to register the walkthrough before opening it anyway. */
export const REGISTRATION_DEADLINE_MS = 45_000;
const PROBE_INTERVAL_MS = 150;

let registered = false;

function categoryId(context: vscode.ExtensionContext): string {
  return `${context.extension.id}#${WALKTHROUGH_ID}`;
}

/** True once VS Code knows the walkthrough; false when it cannot tell (no such command) or not yet. */
async function probe(context: vscode.ExtensionContext): Promise<boolean> {
  return vscode.commands.executeCommand('welcome.markStepIncomplete', `${categoryId(context)}#${REGISTRATION_PROBE_STEP}`).then(() => true, () => false);
}

/**
 * Resolves true once VS Code has registered the walkthrough, false at the deadline or when this
 * VS Code has no way to ask (then opening it is all that can be done).
 */
async function whenRegistered(context: vscode.ExtensionContext, deadlineMs: number): Promise<boolean> {
  if (registered) return true;
  if (!(await vscode.commands.getCommands()).includes('welcome.markStepIncomplete')) return false;
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (await probe(context)) return (registered = true);
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
  }
}

/** Waits for `done`, at most `ms`. */
function atMost(done: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => clearTimeout(timer));
}

/** `pagesReady`: resolves once the steps' pages say what they should (the ports in use); VS Code reads a page once. */
export async function openWalkthrough(context: vscode.ExtensionContext, pagesReady: () => Promise<void>): Promise<void> {
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Opening the Spyglass walkthrough…' },
    () => Promise.all([whenRegistered(context, REGISTRATION_DEADLINE_MS), atMost(pagesReady(), REGISTRATION_DEADLINE_MS)]),
  );
  // The `{ category }` form: with a bare string, the Welcome page of VS Code 1.117 (code-server)
  // showed its own first walkthrough instead of Spyglass's.
  await vscode.commands.executeCommand('workbench.action.openWalkthrough', { category: categoryId(context) }, false);
}

/**
 * Ticks a step whose completion event cannot fire: a step's `onContext:` event only fires when
 * the key changes after the walkthrough is registered, and capture starts (setting
 * `spyglass.capturing`) before that. `welcome.markStepComplete` is what the page's own
 * "Mark Done" runs. VS Code stores the step's progress before it looks the step up, so this
 * holds even before registration (the command then fails, after storing); a VS Code without the
 * command leaves the step as it was.
 */
export async function tickStep(context: vscode.ExtensionContext, step: string): Promise<void> {
  await vscode.commands.executeCommand('welcome.markStepComplete', `${categoryId(context)}#${step}`).then(undefined, () => undefined);
}
