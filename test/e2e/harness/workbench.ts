// Debian Chromium driven by playwright-core against code-server's workbench, with helpers that
// wait on what a person would see: the activity bar, tree rows, the status bar, the palette and
// webview frames.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Frame, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { chromiumPath } from './paths';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export class Workbench {
  private constructor(
    private readonly browser: Browser,
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly screenshotDir: string,
    readonly consoleErrors: string[],
  ) {}

  static async open(url: string, screenshotDir: string, timeoutMs = 90_000): Promise<Workbench> {
    mkdirSync(screenshotDir, { recursive: true });
    const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
    try {
      const origin = new URL(url).origin;
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
      const page = await context.newPage();
      const consoleErrors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
      await page.goto(url, { timeout: timeoutMs });
      await page.locator('.monaco-workbench').waitFor({ timeout: timeoutMs });
      await page.locator('#workbench\\.parts\\.statusbar').waitFor({ timeout: timeoutMs });
      return new Workbench(browser, context, page, screenshotDir, consoleErrors);
    } catch (err) {
      await browser.close();
      throw err;
    }
  }

  async screenshot(name: string): Promise<string> {
    const file = path.join(this.screenshotDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** An activity bar entry (a view container) by its title. */
  activityBarItem(title: string): Locator {
    return this.page.locator(`.part.activitybar .action-item a.action-label[aria-label^="${title}"]`).first();
  }

  /** Opens a view container from the activity bar unless it is already showing. */
  async openViewContainer(title: string, timeoutMs = 30_000): Promise<void> {
    const item = this.activityBarItem(title);
    await item.waitFor({ timeout: timeoutMs });
    const checked = await item.locator('xpath=..').getAttribute('aria-selected').catch(() => null);
    const expanded = await item.getAttribute('aria-expanded').catch(() => null);
    // A view's badge (the Guardrails view's hit count) sits over the item and takes the pointer: click through it, as a user's click reaches the item.
    if (checked !== 'true' && expanded !== 'true') await item.click({ force: true });
    await this.page.locator(`.part.sidebar .composite.title h2[title^="${title}"], .part.sidebar .composite.title h2:has-text("${title}")`).first().waitFor({ timeout: timeoutMs });
  }

  /** Tree/list rows in the side bar whose accessible label or text matches. */
  sidebarRows(text: string | RegExp): Locator {
    return this.page.locator('.part.sidebar .monaco-list-row').filter({ hasText: text });
  }

  /** The rows of one view in a container of several (its own pane), so a same-named row elsewhere is never taken. */
  viewRows(view: string, text?: string | RegExp): Locator {
    const header = this.page.locator('.pane-header', { hasText: new RegExp(`^${view.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'i') });
    const rows = this.page.locator('.part.sidebar .pane').filter({ has: header }).locator('.monaco-list-row');
    return text === undefined ? rows : rows.filter({ hasText: text });
  }

  statusBarItem(text: string | RegExp): Locator {
    return this.page.locator('#workbench\\.parts\\.statusbar .statusbar-item').filter({ hasText: text });
  }

  /** Runs a command from the palette by its full title (category: title). */
  async runCommand(title: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const left = (most = timeoutMs) => Math.max(1, Math.min(most, deadline - Date.now()));
    const input = this.page.locator('.quick-input-widget input.input');
    // A webview that held the focus (a walkthrough's page, a panel) can take it back as the palette
    // opens, and the palette closes again: it is opened again until the title is typed in it.
    for (;;) {
      await this.page.keyboard.press('F1');
      try {
        await input.waitFor({ state: 'visible', timeout: left() });
        await input.fill(`>${title}`, { timeout: left(5_000) });
        break;
      } catch (err) {
        if (Date.now() >= deadline) throw err;
      }
    }
    const row = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: title }).first();
    await row.waitFor({ timeout: left() });
    await row.click();
  }

  /** A notification toast's text. */
  notification(text: string | RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-toast').filter({ hasText: text });
  }

  /**
   * Resolves once `selector` matches in some webview's content frame, checked every animation
   * frame inside that frame (a locator's wait backs off to half a second between checks, too
   * coarse to time a panel's first paint). Returns when it matched.
   */
  async waitInWebview(selector: string, timeoutMs = 60_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    const watched = new Set<Frame>();
    let matchedAt: number | null = null;
    let lastSweep = Date.now();
    while (matchedAt === null) {
      // Frames come and go as panels open; each new one gets its own watcher. A frame that
      // navigates (a webview's inner frame does, as it loads) ends its watcher: it is watched again.
      for (const frame of this.page.frames()) {
        if (frame === this.page.mainFrame() || watched.has(frame)) continue;
        watched.add(frame);
        frame
          .waitForFunction((sel) => document.querySelector(sel) !== null, selector, { polling: 'raf', timeout: Math.max(1, deadline - Date.now()) })
          .then(() => (matchedAt ??= Date.now()), () => watched.delete(frame));
      }
      // A watcher can stall without settling (a frame whose animation frames stop): every quarter
      // second every frame is also asked directly.
      if (Date.now() - lastSweep >= 250) {
        lastSweep = Date.now();
        for (const frame of this.page.frames()) {
          if (frame === this.page.mainFrame()) continue;
          if (await frame.evaluate((sel) => document.querySelector(sel) !== null, selector).catch(() => false)) matchedAt ??= Date.now();
        }
      }
      if (matchedAt !== null) break;
      if (Date.now() > deadline) throw new Error(`no webview showed ${selector} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return matchedAt;
  }

  /** The content frame of the active webview (editor panel or view). */
  webviewContent(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
