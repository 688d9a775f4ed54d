import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';

describe('runtime', () => {
  it('runs on Node 22 or later, where better-sqlite3 13 works', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(22);
    const db = new Database(':memory:');
    expect(db.prepare('select 1 + 1 as two').get()).toEqual({ two: 2 });
    db.close();
  });
});
