import { describe, expect, it } from 'vitest';
import { dropRepeatedLines, SearchDocs } from '../../src/store/search-docs';

describe('search documents', () => {
  it('drops the lines a span repeats from an earlier span of its trace, and only of its trace', () => {
    const spans = [
      { traceId: 't1', searchText: 'chat gpt-4o\nYou are helpful\nWhere is my order?' },
      { traceId: 't2', searchText: 'chat gpt-4o\nYou are helpful' },
      { traceId: 't1', searchText: 'chat gpt-4o\nYou are helpful\nWhere is my order?\nIt shipped today' },
      { traceId: 't1', searchText: '' },
    ];
    dropRepeatedLines(spans);
    expect(spans.map((s) => s.searchText)).toEqual([
      'chat gpt-4o\nYou are helpful\nWhere is my order?',
      'chat gpt-4o\nYou are helpful',
      'It shipped today',
      '',
    ]);
  });

  it('joins the texts of a write per trace under its first span with text, and skips empty ones', () => {
    const docs = new SearchDocs();
    docs.add('t1', 10, '');
    docs.add('t1', 11, 'a');
    docs.add('t2', 12, 'b');
    docs.add('t1', 13, 'c');
    expect([...docs.documents()]).toEqual([
      { traceId: 't1', row: 11, text: 'a\nc' },
      { traceId: 't2', row: 12, text: 'b' },
    ]);
  });
});
