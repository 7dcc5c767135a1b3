import { onPageHide } from './lifecycle';

describe('onPageHide', () => {
  const g = globalThis as unknown as Record<string, unknown>;
  let win: EventTarget;
  let doc: EventTarget & { visibilityState: string };

  beforeEach(() => {
    win = new EventTarget();
    doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
    g.addEventListener = win.addEventListener.bind(win);
    g.removeEventListener = win.removeEventListener.bind(win);
    g.document = doc;
  });
  afterEach(() => {
    delete g.addEventListener;
    delete g.removeEventListener;
    delete g.document;
  });

  it('calls back on pagehide and on visibilitychange to hidden, not to visible', () => {
    const cb = jest.fn();
    const off = onPageHide(cb);
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(cb).not.toHaveBeenCalled();
    doc.visibilityState = 'hidden';
    doc.dispatchEvent(new Event('visibilitychange'));
    win.dispatchEvent(new Event('pagehide'));
    expect(cb).toHaveBeenCalledTimes(2);
    off();
    win.dispatchEvent(new Event('pagehide'));
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(cb).toHaveBeenCalledTimes(2);
  });

  it('is a no-op outside a page', () => {
    delete g.document;
    const cb = jest.fn();
    expect(() => onPageHide(cb)()).not.toThrow();
  });
});
