import { countUpdates, updateChunkSize } from './bulkChunks';
import { WriteBudget, defaultUpdateBudget } from './writeBudget';

/** A command that stays in flight until `finish()` is called. */
function pending() {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const settled = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return { settled, finish, fail };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('WriteBudget', () => {
  it('holds updates + 1 permits while a command is in flight', async () => {
    const budget = new WriteBudget(10);
    const c = pending();
    const done = budget.command(4, () => c.settled);
    await tick();
    expect(budget.available).toBe(5);
    c.finish();
    await done;
    expect(budget.available).toBe(10);
  });

  it('makes a command wait until enough permits are free', async () => {
    const budget = new WriteBudget(10);
    const first = pending();
    const started: string[] = [];
    const a = budget.command(5, () => (started.push('a'), first.settled));
    const b = budget.command(4, async () => void started.push('b')); // 5 permits: 4 free
    await tick();
    expect(started).toEqual(['a']);
    first.finish();
    await Promise.all([a, b]);
    expect(started).toEqual(['a', 'b']);
  });

  it('serves waiters in order: small commands do not overtake a large one', async () => {
    const budget = new WriteBudget(10);
    const holder = pending();
    const order: string[] = [];
    const held = budget.command(7, () => holder.settled); // 8 permits, 2 free
    const large = budget.command(8, async () => void order.push('large'));
    const small = budget.command(0, async () => void order.push('small')); // 1 would fit now
    await tick();
    expect(order).toEqual([]);
    holder.finish();
    await Promise.all([held, large, small]);
    expect(order).toEqual(['large', 'small']);
  });

  it('releases the permits when a command fails', async () => {
    const budget = new WriteBudget(3);
    await expect(
      budget.command(2, () => Promise.reject(new Error('server said no'))),
    ).rejects.toThrow('server said no');
    expect(budget.available).toBe(3);
    await expect(
      budget.command(2, () => {
        throw new Error('thrown before any promise');
      }),
    ).rejects.toThrow('thrown before any promise');
    expect(budget.available).toBe(3);
  });

  it('never runs more than the budget at once under many concurrent writers', async () => {
    const budget = new WriteBudget(48);
    let inFlight = 0;
    let peak = 0;
    const writer = async (updates: number) => {
      await budget.command(updates, async () => {
        inFlight += updates + 1;
        peak = Math.max(peak, inFlight);
        await tick();
        inFlight -= updates + 1;
      });
    };
    await Promise.all(Array.from({ length: 200 }, (_, i) => writer((i * 7) % 48)));
    expect(peak).toBeLessThanOrEqual(48);
    expect(budget.available).toBe(48);
  });

  it('refuses a command that could never fit, instead of waiting for ever', async () => {
    const budget = new WriteBudget(48);
    await expect(budget.command(48, async () => 'sent')).rejects.toThrow(
      'a command of 48 updates needs 49 permits; the update budget is 48 (split it)',
    );
    await expect(budget.command(47, async () => 'sent')).resolves.toBe('sent');
    await expect(budget.command(-1, async () => 'sent')).rejects.toThrow(RangeError);
  });

  it('rejects budgets too small for one update', () => {
    expect(() => new WriteBudget(1)).toThrow('update budget must be an integer >= 2, got 1');
    expect(() => new WriteBudget(2.5)).toThrow(RangeError);
    expect(new WriteBudget(2).maxUpdatesPerCommand).toBe(1);
  });

  it('defaults to 48 on FerretDB (two processes fit its SQLite pool of 100)', () => {
    expect(defaultUpdateBudget({ ferretdb: true })).toBe(48);
    expect(defaultUpdateBudget({ ferretdb: false })).toBe(10_000);
  });
});

describe('splitting commands to the budget', () => {
  const update = { updateOne: { filter: { _id: 'a' }, update: { $inc: { n: 1 } } } };
  const insert = { insertOne: { document: { _id: 'b' } } };
  const remove = { deleteOne: { filter: { _id: 'c' } } };

  it('counts the update operations of a command', () => {
    expect(countUpdates([update, insert, update, remove])).toBe(2);
    expect(countUpdates([insert, remove])).toBe(0);
  });

  it('caps update chunks by the chunk size, the server and the budget, whichever is least', () => {
    const budget = new WriteBudget(48);
    expect(updateChunkSize(1000, Infinity, budget)).toBe(47);
    expect(updateChunkSize(1000, 99, new WriteBudget(10_000))).toBe(99);
    expect(updateChunkSize(20, 99, budget)).toBe(20);
  });
});
