import { seriesCsv } from './csv';

describe('seriesCsv', () => {
  it('writes from, to and every count, one row per bucket, CRLF', () => {
    const csv = seriesCsv([
      { from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z', plays: 3, skips: 1 },
      { from: '2026-01-02T00:00:00.000Z', to: '2026-01-03T00:00:00.000Z', plays: 0, skips: 0 },
    ]);
    expect(csv).toBe(
      'from,to,plays,skips\r\n' +
        '2026-01-01T00:00:00.000Z,2026-01-02T00:00:00.000Z,3,1\r\n' +
        '2026-01-02T00:00:00.000Z,2026-01-03T00:00:00.000Z,0,0\r\n',
    );
  });

  it('quotes cells with commas or quotes', () => {
    expect(seriesCsv([{ from: 'a,b', to: 'say "hi"' }])).toBe('from,to\r\n"a,b","say ""hi"""\r\n');
  });
});
