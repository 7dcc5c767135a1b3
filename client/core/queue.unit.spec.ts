import { BoundedQueue } from './queue';

describe('BoundedQueue', () => {
  it('is FIFO and drops the oldest entries beyond capacity, reporting how many', () => {
    const q = new BoundedQueue<number>(3);
    expect([1, 2, 3].map((n) => q.push(n))).toEqual([0, 0, 0]);
    expect(q.push(4)).toBe(1);
    expect(q.toArray()).toEqual([2, 3, 4]);
    expect(q.take(2)).toEqual([2, 3]);
    expect(q.size).toBe(1);
  });

  it('counts reserved (in-flight) entries against the capacity', () => {
    const q = new BoundedQueue<number>(3);
    q.push(1, 2);
    expect(q.push(2, 2)).toBe(1);
    expect(q.toArray()).toEqual([2]);
  });

  it('puts a failed batch back in front, in order', () => {
    const q = new BoundedQueue<number>(10);
    q.push(3);
    expect(q.unshift([1, 2])).toBe(0);
    expect(q.take(10)).toEqual([1, 2, 3]);
  });

  it('trims the oldest when a re-queued batch no longer fits', () => {
    const q = new BoundedQueue<number>(3);
    q.push(3);
    q.push(4);
    expect(q.unshift([1, 2])).toBe(1);
    expect(q.toArray()).toEqual([2, 3, 4]);
  });
});
