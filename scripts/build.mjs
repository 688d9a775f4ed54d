// Bundles the extension host, the headless CLI/collector and each webview with esbuild.
// better-sqlite3 stays external: its prebuilt .node binaries ship beside the bundle.
import * as esbuild from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { guardrailsConfigShape } from './guardrails-config-shape.mjs';

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
  { entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', 'better-sqlite3'], plugins: [guardrailsConfigShape] },
  // dist/cli.js is the `spyglass` command: a launcher that runs on any Node and starts the CLI
  // (dist/collector.js) on Node 22+, so it is built for old Nodes.
  { entryPoints: ['src/collector/launcher.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, target: 'node12' },
  { entryPoints: ['src/collector/cli.ts'], outfile: 'dist/collector.js', external: ['better-sqlite3'] },
  { entryPoints: ['src/collector/prepare-worker.ts'], outfile: 'dist/prepare-worker.js' },
  { entryPoints: ['src/collector/checkpoint-worker.ts'], outfile: 'dist/checkpoint-worker.js', external: ['better-sqlite3'] },
  { entryPoints: ['src/collector/analysis-worker.ts'], outfile: 'dist/analysis-worker.js', external: ['better-sqlite3'] },
].filter((t) => existsSync(path.join(root, t.entryPoints[0])));

const webviewDir = path.join(root, 'webview');
const webviewEntries = existsSync(webviewDir)
  ? readdirSync(webviewDir)
      .filter((f) => /^[a-z0-9-]+\.ts$/.test(f))
      .map((f) => `webview/${f}`)
  : [];

const contexts = [];
for (const t of nodeTargets) {
  contexts.push(await esbuild.context({ ...common, platform: 'node', format: 'cjs', target: 'node22', ...t }));
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

// Codicons (CSS + font) go beside the webview bundles, so webviews load them from dist/webview
// and the VSIX needs nothing from node_modules for them.
if (webviewEntries.length > 0) {
  const codicons = path.join(root, 'node_modules', '@vscode', 'codicons', 'dist');
  mkdirSync(path.join(root, 'dist', 'webview'), { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(path.join(codicons, f), path.join(root, 'dist', 'webview', f));
}

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('watching…');
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  // Executable, as a command: `./dist/cli.js`, and npm's bin link in a checkout.
  if (existsSync(path.join(root, 'dist/cli.js'))) chmodSync(path.join(root, 'dist/cli.js'), 0o755);
  console.log(`built ${nodeTargets.length} node bundle(s), ${webviewEntries.length} webview bundle(s)`);
}
