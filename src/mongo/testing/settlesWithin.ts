/**
 * Resolves with `true` when `p` settles (fulfilled or rejected) within `ms`, `false` when it is
 * still pending then: how the FerretDB tests tell a hang from an answer.
 */
export const settlesWithin = (p: Promise<unknown>, ms: number): Promise<boolean> =>
  Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref()),
  ]);
