import { parseView, rangeParams, viewUrl, type View } from './view';

describe('view in the URL', () => {
  it('round-trips every view through its URL', () => {
    const views: View[] = [
      { range: { kind: 'named', range: '30d' } },
      { range: { kind: 'named', range: 'all' }, trackId: 'a b/c', artistId: 'ar-1' },
      { range: { kind: 'custom', from: '2026-01-01', to: '2026-01-31' }, trackId: 't1' },
    ];
    for (const v of views) {
      const url = new URL(viewUrl(v), 'http://x');
      expect(parseView(url.pathname, url.search)).toEqual(v);
    }
  });

  it('falls back to the default range for anything it cannot read', () => {
    for (const search of [
      '',
      '?range=2w',
      '?from=2026-02-01&to=2026-01-01',
      '?from=yesterday&to=today',
    ]) {
      expect(parseView('/dashboard', search)).toEqual({ range: { kind: 'named', range: '30d' } });
    }
  });

  it('custom dates are whole local days with the end date included', () => {
    const p = rangeParams({ kind: 'custom', from: '2026-03-01', to: '2026-03-01' });
    expect(Date.parse(p.to!) - Date.parse(p.from!)).toBe(86_400_000);
    expect(new Date(p.from!).getHours()).toBe(0);
    expect(rangeParams({ kind: 'named', range: '7d' })).toEqual({ timeRange: '7d' });
  });
});
