// A real store in a fresh temporary directory for each test of a file, removed after it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { createAnalyzer } from '../../src/collector/analyzer';
import { Store } from '../../src/store/store';

/** Registers the hooks; read `.store` inside a test. */
export function useTempStore(prefix: string): { readonly store: Store } {
  let dir = '';
  let store: Store | null = null;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `spyglass-${prefix}-`));
    store = new Store(path.join(dir, 'traces.db'), createAnalyzer([]).analyzer);
  });
  afterEach(() => {
    store?.close();
    store = null;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    get store(): Store {
      if (!store) throw new Error('the temporary store exists only inside a test');
      return store;
    },
  };
}
