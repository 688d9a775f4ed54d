// Assertions on the page that wait (playwright-core has no test runner `expect`).
import type { Locator } from 'playwright-core';
import { waitFor } from './wait';

/** Waits until the first match is visible; the error names what was expected. */
export async function seen(locator: Locator, what: string, timeoutMs = 30_000): Promise<Locator> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: timeoutMs });
  } catch (err) {
    throw new Error(`not visible within ${timeoutMs} ms: ${what}\n${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  return locator.first();
}

/** Waits until the first match's text matches, and returns that text. */
export async function textMatching(locator: Locator, pattern: string | RegExp, what: string, timeoutMs = 30_000): Promise<string> {
  let last = '';
  try {
    return await waitFor(
      what,
      async () => {
        last = (await locator.first().innerText({ timeout: 1_000 })).trim();
        return (typeof pattern === 'string' ? last.includes(pattern) : pattern.test(last)) ? last : undefined;
      },
      { timeoutMs, intervalMs: 50 },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last text: ${JSON.stringify(last.slice(0, 500))}`);
  }
}
