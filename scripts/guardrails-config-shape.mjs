// An esbuild plugin for the extension's bundle (scripts/build.mjs).
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

// The host checks the guardrails configuration against one schema: its bundle gets Ajv's
// standalone code for that schema (src/host/guardrails/config-shape.ts) instead of Ajv itself.
export const guardrailsConfigShape = {
  name: 'guardrails-config-shape',
  setup(build) {
    build.onResolve({ filter: /[\\/]config-shape$/ }, (args) =>
      args.importer.includes(path.join('src', 'host', 'guardrails')) ? { path: 'config-shape', namespace: 'guardrails-config-shape' } : undefined);
    build.onLoad({ filter: /.*/, namespace: 'guardrails-config-shape' }, async () => {
      const require = createRequire(import.meta.url);
      const schemaModule = await esbuild.build({
        absWorkingDir: root,
        stdin: { contents: "export { guardrailsConfigSchema } from './src/core/guardrails/config-schema'; export { CONFIG_SHAPE_AJV_OPTIONS } from './src/core/guardrails/config';", resolveDir: root, loader: 'ts' },
        bundle: true, write: false, format: 'cjs', platform: 'node', logLevel: 'silent' });
      const mod = { exports: {} };
      new Function('module', 'exports', 'require', schemaModule.outputFiles[0].text)(mod, mod.exports, require);
      const { guardrailsConfigSchema, CONFIG_SHAPE_AJV_OPTIONS } = mod.exports;
      const Ajv = require('ajv').default;
      const standalone = require('ajv/dist/standalone').default;
      const ajv = new Ajv({ ...CONFIG_SHAPE_AJV_OPTIONS, code: { source: true } });
      const code = standalone(ajv, ajv.compile(guardrailsConfigSchema));
      return { contents: `${code}\nconst validate = module.exports;\nmodule.exports = { configShape: () => validate };\n`, loader: 'js', resolveDir: root };
    });
  },
};
