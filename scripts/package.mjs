#!/usr/bin/env node
// Packages the extension into a VSIX with vsce, offline.
//
//   npm run package                     production build, then <root>/spyglass-<version>.vsix
//   node scripts/package.mjs [--no-build] [--root DIR] [--out FILE]
//
// The VSIX holds the esbuild bundles (dist/**), media/**, README/LICENSE/CHANGELOG and, of
// node_modules, only the run-time files of modules the bundles leave external (better-sqlite3:
// its loader and the N-API prebuilds for every platform). Everything else the bundles already hold.
//
// Why a staging directory: `vsce package --no-dependencies` drops node_modules entirely, and with
// dependencies on, vsce runs `npm ls --production`, which fails on the repository's full tree as
// soon as anything is extraneous. The stage has a manifest whose only dependency is better-sqlite3
// and a node_modules with just that module and what it declares, so `npm ls` is local and exact;
// .vscodeignore (the same whitelist as the repository's) then keeps only the run-time files.
import { spawnSync } from 'node:child_process';
import { builtinModules, createRequire } from 'node:module';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Modules the bundles may leave external, with the files each needs at run time (checked against
 * the module's own loader: better-sqlite3 13 requires only Node built-ins from lib/ and loads
 * prebuilds/<platform>-<arch>.node, or linuxmusl-*, through lib/binding.js and lib/<target>.js).
 */
const RUNTIME_MODULES = {
  'better-sqlite3': ['package.json', 'LICENSE', 'lib', 'prebuilds'],
};
const TOP_LEVEL_FILES = ['README.md', 'LICENSE', 'CHANGELOG.md'];
const TOP_LEVEL_DIRS = ['dist', 'media'];

const repoRoot = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

function fail(msg) {
  console.error(`[package] FAILED: ${msg}`);
  process.exit(1);
}
const log = (msg) => console.log(`[package] ${msg}`);

function run(cmd, cmdArgs, opts) {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', ...opts });
  if (r.error) fail(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${cmdArgs.join(' ')} exited with ${r.status}`);
}

const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** Bare module names required by a JS file (string-literal requires only). */
function requiredModules(file) {
  const src = readFileSync(file, 'utf8');
  const names = new Set();
  // Not a require written inside a string (Ajv keeps `'require("ajv/dist/runtime/equal")'` as code it generates, never runs).
  for (const m of src.matchAll(/(?<!['"`])\brequire\(\s*["']([^"'./][^"']*)["']\s*\)/g)) {
    const spec = m[1];
    if (builtins.has(spec) || builtins.has(spec.split('/')[0])) continue;
    const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
    names.add(name);
  }
  return names;
}

function walk(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** Names of entries in a zip file, from its central directory. */
function zipEntries(file) {
  const buf = readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) fail(`${file}: bad central directory entry`);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    names.push(buf.toString('utf8', p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

/** Copies a module and, for `npm ls` only, the modules it declares (the whitelist drops those). */
function stageModule(name, fromDir, stageModules, seen) {
  if (seen.has(name)) return;
  seen.add(name);
  const req = createRequire(path.join(fromDir, 'noop.js'));
  let pkgJson;
  try {
    pkgJson = req.resolve(`${name}/package.json`);
  } catch {
    fail(`cannot find ${name} in node_modules (run npm ci)`);
  }
  const src = path.dirname(pkgJson);
  const dest = path.join(stageModules, name);
  cpSync(src, dest, { recursive: true, dereference: true, filter: (s) => !s.slice(src.length).split(path.sep).includes('node_modules') });
  const manifest = JSON.parse(readFileSync(pkgJson, 'utf8'));
  for (const dep of Object.keys(manifest.dependencies ?? {})) stageModule(dep, src, stageModules, seen);
}

function main() {
  const root = path.resolve(option('--root') ?? repoRoot);
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const out = path.resolve(option('--out') ?? path.join(root, `${manifest.name}-${manifest.version}.vsix`));
  const t0 = Date.now();

  if (!flag('--no-build')) {
    log('npm run build -- --production');
    run('npm', ['run', 'build', '--', '--production'], { cwd: root });
  }
  const mainFile = manifest.main ? path.join(root, manifest.main) : undefined;
  if (mainFile && !existsSync(mainFile)) fail(`package.json main ${manifest.main} does not exist (build first)`);

  const stage = mkdtempSync(path.join(os.tmpdir(), 'spyglass-vsix-'));
  try {
    for (const d of TOP_LEVEL_DIRS) {
      const src = path.join(root, d);
      if (!existsSync(src)) continue;
      cpSync(src, path.join(stage, d), { recursive: true, filter: (s) => !/\.(map|vsix)$/.test(s) });
    }
    for (const f of TOP_LEVEL_FILES) {
      if (existsSync(path.join(root, f))) copyFileSync(path.join(root, f), path.join(stage, f));
    }
    const ignoreSrc = existsSync(path.join(root, '.vscodeignore')) ? path.join(root, '.vscodeignore') : path.join(repoRoot, '.vscodeignore');
    copyFileSync(ignoreSrc, path.join(stage, '.vscodeignore'));

    // Which modules the bundles load from node_modules at run time.
    const needed = new Set();
    const shippedJs = existsSync(path.join(stage, 'dist')) ? walk(path.join(stage, 'dist')).filter((f) => f.endsWith('.js') && !f.includes(`${path.sep}webview${path.sep}`)) : [];
    for (const f of shippedJs) for (const m of requiredModules(f)) if (m !== 'vscode') needed.add(m);
    const unknown = [...needed].filter((m) => !(m in RUNTIME_MODULES));
    if (unknown.length > 0) {
      fail(`the bundles require ${unknown.join(', ')} at run time, which the VSIX would not ship: bundle them, or add them to RUNTIME_MODULES and .vscodeignore`);
    }

    const stageModules = path.join(stage, 'node_modules');
    mkdirSync(stageModules, { recursive: true });
    const seen = new Set();
    const dependencies = {};
    for (const m of needed) {
      stageModule(m, repoRoot, stageModules, seen);
      dependencies[m] = JSON.parse(readFileSync(path.join(stageModules, m, 'package.json'), 'utf8')).version;
      // What the module's own shipped JS requires must be built in (or shipped too).
      for (const f of walk(path.join(stageModules, m, 'lib'))) {
        for (const r of requiredModules(f)) if (!(r in RUNTIME_MODULES)) fail(`${m}/${path.relative(path.join(stageModules, m), f)} requires ${r}, which the VSIX does not ship`);
      }
    }

    // The staged manifest: same contributions; dev-only fields dropped so vsce runs no scripts.
    const staged = { ...manifest, dependencies };
    delete staged.devDependencies;
    delete staged.optionalDependencies; // the Node 22 the CLI may use from a checkout or an npm install; the extension runs on VS Code's
    delete staged.scripts;
    writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(staged, null, 2)}\n`);

    const vsce = path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
    const vsceArgs = [vsce, 'package', '--out', out, '--allow-missing-repository', '--no-yarn', '--dependencies'];
    if (!existsSync(path.join(stage, 'LICENSE'))) vsceArgs.push('--skip-license');
    log(`vsce package (stage ${stage})`);
    // vsce shells out to `npm ls`; keep npm quiet and off the network.
    run(process.execPath, vsceArgs, {
      cwd: stage,
      env: { ...process.env, npm_config_offline: 'true', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }

  // Check the archive itself, not the intention.
  const entries = zipEntries(out).filter((e) => !e.endsWith('/'));
  const modEntries = entries.filter((e) => e.startsWith('extension/node_modules/'));
  for (const e of modEntries) {
    const rel = e.slice('extension/node_modules/'.length);
    const mod = Object.keys(RUNTIME_MODULES).find((m) => rel.startsWith(`${m}/`));
    const inner = mod ? rel.slice(mod.length + 1) : '';
    if (!mod || !RUNTIME_MODULES[mod].some((p) => inner === p || inner.startsWith(`${p}/`))) fail(`unexpected node_modules file in VSIX: ${e}`);
  }
  if (manifest.main && !entries.includes(`extension/${path.posix.normalize(manifest.main)}`)) fail(`VSIX lacks the main entry ${manifest.main}`);
  const prebuilds = modEntries.filter((e) => /better-sqlite3\/prebuilds\/.+\.node$/.test(e));
  if (modEntries.length > 0) {
    const expected = readdirSync(path.join(repoRoot, 'node_modules', 'better-sqlite3', 'prebuilds')).filter((f) => f.endsWith('.node'));
    const missing = expected.filter((f) => !prebuilds.some((p) => p.endsWith(`/${f}`)));
    if (missing.length > 0) fail(`VSIX lacks better-sqlite3 prebuilds ${missing.join(', ')}`);
  }
  const size = statSync(out).size;
  log(`${path.relative(process.cwd(), out) || out}: ${(size / 1024 / 1024).toFixed(2)} MiB, ${entries.length} files (${modEntries.length} from node_modules, ${prebuilds.length} better-sqlite3 prebuilds: ${prebuilds.map((p) => path.basename(p, '.node')).join(', ')}) in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

main();
