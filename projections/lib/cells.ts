/**
 * Addressing of rollup cells (UTC). A cell is one bucket of one level:
 * - `h` an hour: partition `hYYYY-MM` (its month), key `DDHH`;
 * - `d` a day: partition `dYYYY-MM`, key `DD`;
 * - `m` a month: partition `mYYYY` (its year), key `MM`;
 * - `y` a year: partition `y` (one for all years), key `YYYY`.
 * A partition is the unit of storage (one small collection per partition and generation), so
 * what a read costs is bounded by the partition, never by the whole history.
 */
export type Level = 'h' | 'd' | 'm' | 'y';
export const levels: readonly Level[] = ['h', 'd', 'm', 'y'];

export type CellAddress = { level: Level; partition: string; key: string };

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The four cells (hour, day, month, year) an instant counts in. */
export function cellsAt(t: number): CellAddress[] {
  const at = new Date(t);
  const y = String(at.getUTCFullYear());
  const mm = pad(at.getUTCMonth() + 1);
  const dd = pad(at.getUTCDate());
  const hh = pad(at.getUTCHours());
  return [
    { level: 'h', partition: `h${y}-${mm}`, key: `${dd}${hh}` },
    { level: 'd', partition: `d${y}-${mm}`, key: dd },
    { level: 'm', partition: `m${y}`, key: mm },
    { level: 'y', partition: 'y', key: y },
  ];
}

/** The cell of `level` starting at `t` (which must be that level's UTC boundary). */
export function cellAt(level: Level, t: number): CellAddress {
  return cellsAt(t)[levels.indexOf(level)]!;
}

/** Start of the cell of `level` containing `t`. */
export function floorTo(t: number, level: Level): number {
  const at = new Date(t);
  switch (level) {
    case 'h':
      return Math.floor(t / 3_600_000) * 3_600_000;
    case 'd':
      return Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
    case 'm':
      return Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
    case 'y':
      return Date.UTC(at.getUTCFullYear(), 0, 1);
  }
}

/** Start of the next cell of `level` after the one starting at `t`. */
export function nextCell(t: number, level: Level): number {
  const at = new Date(t);
  switch (level) {
    case 'h':
      return t + 3_600_000;
    case 'd':
      return Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1);
    case 'm':
      return Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
    case 'y':
      return Date.UTC(at.getUTCFullYear() + 1, 0, 1);
  }
}

const coarseFirst: readonly Level[] = ['y', 'm', 'd', 'h'];

/**
 * The fewest whole UTC cells covering the hour-aligned [start, end), coarsest first where
 * they fit (greedy is optimal: years, months, days and hours nest), in time order.
 */
export function coverRange(start: number, end: number): { level: Level; start: number }[] {
  const out: { level: Level; start: number }[] = [];
  for (let t = start; t < end;) {
    const level = coarseFirst.find((l) => floorTo(t, l) === t && nextCell(t, l) <= end) ?? 'h';
    out.push({ level, start: t });
    t = nextCell(t, level);
  }
  return out;
}
