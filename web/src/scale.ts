/** Plot scales and colours: pure functions of the data, shared by the canvas and the tests. */
import { isRoundingNoise } from './sample.js';

/** Curve colours, f first; the browser test looks for these in the canvas. */
export const CURVE_COLORS = ['#1f5fbf', '#c2410c'] as const;

/** Space around and between the two panels, in CSS pixels. */
export const MARGIN = { left: 56, right: 12, top: 10, bottom: 40, gap: 22 } as const;

/** The [top, bottom] of the f panel and of the f′ panel on a canvas `height` pixels tall. */
export function panelRows(height: number): [[number, number], [number, number]] {
  const panel = (height - MARGIN.top - MARGIN.bottom - MARGIN.gap) / 2;
  const top = MARGIN.top;
  const second = top + panel + MARGIN.gap;
  return [
    [top, top + panel],
    [second, second + panel],
  ];
}

/**
 * The vertical range to show: all finite values, unless a few of them (near a pole) dwarf
 * the rest; then the 2nd–98th percentiles with room around them.
 */
export function verticalRange(values: Float64Array): [number, number] {
  const finite = values.filter((y) => !Number.isNaN(y)).sort();
  if (finite.length === 0) return [-1, 1];
  const at = (q: number) => finite[Math.min(finite.length - 1, Math.floor(q * finite.length))];
  let lo = finite[0];
  let hi = finite[finite.length - 1];
  const innerLo = at(0.02);
  const innerHi = at(0.98);
  if (innerHi > innerLo && hi - lo > 8 * (innerHi - innerLo)) {
    const pad = 0.25 * (innerHi - innerLo);
    lo = innerLo - pad;
    hi = innerHi + pad;
  } else {
    const pad = 0.06 * (hi - lo);
    lo -= pad;
    hi += pad;
  }
  if (isRoundingNoise(hi - lo, Math.max(Math.abs(lo), Math.abs(hi)))) {
    // Constant up to rounding: a flat line in the middle, not magnified noise.
    const mid = (lo + hi) / 2;
    const half = Math.max(1, Math.abs(mid) * 0.1);
    return [mid - half, mid + half];
  }
  return [lo, hi];
}

/** About `count` round tick values (1, 2 or 5 × 10ⁿ apart) within [lo, hi]. */
export function ticks(lo: number, hi: number, count: number): number[] {
  // Rounding the step down rather than up keeps at least two ticks in any range.
  const raw = (hi - lo) / count;
  if (!(raw > 0) || !Number.isFinite(raw)) return [];
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [5, 2, 1].map((m) => m * power).find((s) => s <= raw) ?? power;
  const out: number[] = [];
  for (let k = Math.ceil(lo / step); k * step <= hi && out.length < 100; k++) out.push(k * step);
  return out;
}
