// Packaging for the suite: scripts/package.mjs, the same path `npm run package` takes.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { node22, repoRoot } from './paths';

export interface PackResult {
  vsix: string;
  output: string;
  sizeMiB: number;
}

export function packageVsix(args: { root?: string; out: string; build: boolean }): PackResult {
  const argv = [path.join(repoRoot, 'scripts', 'package.mjs'), '--out', args.out];
  if (args.root) argv.push('--root', args.root);
  if (!args.build) argv.push('--no-build');
  const r = spawnSync(node22, argv, {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, PATH: `${path.dirname(node22)}${path.delimiter}${process.env.PATH ?? ''}` },
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0) throw new Error(`scripts/package.mjs failed (exit ${r.status}):\n${output}`);
  const m = /: ([\d.]+) MiB, /.exec(output);
  return { vsix: args.out, output, sizeMiB: m ? Number(m[1]) : Number.NaN };
}
