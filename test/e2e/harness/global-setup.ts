// Packages the extension once per e2e run (as `npm run package` does) for every file to install;
// SPYGLASS_E2E_VSIX=<file> tests an existing VSIX instead.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { outputRoot } from './paths';
import { packageVsix } from './vsix';

declare module 'vitest' {
  export interface ProvidedContext {
    spyglassVsix: { path: string; sizeMiB: number };
  }
}

export default function setup(project: TestProject): void {
  const given = process.env.SPYGLASS_E2E_VSIX;
  if (given) {
    const file = path.resolve(given);
    if (!existsSync(file)) throw new Error(`SPYGLASS_E2E_VSIX=${file} does not exist`);
    project.provide('spyglassVsix', { path: file, sizeMiB: Number.NaN });
    return;
  }
  const dir = path.join(outputRoot, 'package');
  mkdirSync(dir, { recursive: true });
  const packed = packageVsix({ out: path.join(dir, 'spyglass.vsix'), build: true });
  writeFileSync(path.join(dir, 'package-output.log'), packed.output);
  project.provide('spyglassVsix', { path: packed.vsix, sizeMiB: packed.sizeMiB });
}
