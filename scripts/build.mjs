// Bundles the extension host, the headless CLI/collector and each webview with esbuild.
// better-sqlite3 stays external: its prebuilt .node binaries ship beside the bundle.
import * as esbuild from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  absWorkingDir: root,
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

const nodeTargets = [
  { entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', 'better-sqlite3'] },
  { entryPoints: ['src/collector/cli.ts'], outfile: 'dist/cli.js', external: ['better-sqlite3'], banner: { js: '#!/usr/bin/env node' } },
].filter((t) => existsSync(path.join(root, t.entryPoints[0])));

const webviewDir = path.join(root, 'webview');
const webviewEntries = existsSync(webviewDir)
  ? readdirSync(webviewDir)
      .filter((f) => /^[a-z0-9-]+\.ts$/.test(f))
      .map((f) => `webview/${f}`)
  : [];

const contexts = [];
for (const t of nodeTargets) {
  contexts.push(await esbuild.context({ ...common, ...t, platform: 'node', format: 'cjs', target: 'node22' }));
}
if (webviewEntries.length > 0) {
  contexts.push(
    await esbuild.context({
      ...common,
      entryPoints: webviewEntries,
      outdir: 'dist/webview',
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
    }),
  );
}

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('watching…');
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  console.log(`built ${nodeTargets.length} node bundle(s), ${webviewEntries.length} webview bundle(s)`);
}
