/**
 * Draws f and f′ on a canvas, each in its own panel with its own vertical scale over a
 * shared horizontal axis. Gaps (NaN) and cuts (jumps found while sampling) lift the pen, so
 * poles and steps are never bridged by a line.
 */
import type { PlotResult } from './compute.js';
import { CURVE_COLORS, MARGIN, panelRows, ticks, verticalRange } from './scale.js';

const AXIS = '#9aa3b2';
const GRID = '#eef1f5';
const TEXT = '#4a5263';

/** Draws `plot` into `canvas` at the canvas's CSS size and the screen's pixel density. */
export function drawPlot(canvas: HTMLCanvasElement, plot: PlotResult | undefined): void {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const g = canvas.getContext('2d');
  if (g === null) return;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.fillStyle = '#fff';
  g.fillRect(0, 0, width, height);
  if (plot === undefined) return;

  const rows = panelRows(height);
  const x0 = MARGIN.left;
  const x1 = width - MARGIN.right;
  const toX = (t: number) => x0 + ((t - plot.from) / (plot.to - plot.from)) * (x1 - x0);
  const xTicks = ticks(plot.from, plot.to, Math.max(2, Math.floor((x1 - x0) / 110)));

  plot.samples.values.forEach((values, c) => {
    const [top, bottom] = rows[c];
    const panelHeight = bottom - top;
    const [lo, hi] = verticalRange(values);
    const toY = (y: number) => bottom - ((y - lo) / (hi - lo)) * (bottom - top);
    const yTicks = ticks(lo, hi, Math.max(2, Math.floor(panelHeight / 50)));

    g.save();
    g.lineWidth = 1;
    g.font = '11px system-ui, "DejaVu Sans", sans-serif';
    g.fillStyle = TEXT;
    g.strokeStyle = GRID;
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    for (const y of yTicks) {
      const py = Math.round(toY(y)) + 0.5;
      line(g, x0, py, x1, py);
      g.fillText(label(y), x0 - 6, py);
    }
    g.textAlign = 'center';
    g.textBaseline = 'top';
    for (const t of xTicks) {
      const px = Math.round(toX(t)) + 0.5;
      line(g, px, top, px, bottom);
      if (c === 1) g.fillText(label(t), px, bottom + 6);
    }
    g.strokeStyle = AXIS;
    if (lo < 0 && hi > 0) line(g, x0, Math.round(toY(0)) + 0.5, x1, Math.round(toY(0)) + 0.5);
    if (plot.from < 0 && plot.to > 0)
      line(g, Math.round(toX(0)) + 0.5, top, Math.round(toX(0)) + 0.5, bottom);
    g.strokeRect(x0 + 0.5, top + 0.5, x1 - x0 - 1, bottom - top - 1);

    g.beginPath();
    g.rect(x0, top, x1 - x0, bottom - top);
    g.clip();
    g.strokeStyle = CURVE_COLORS[c];
    g.lineWidth = 2;
    g.lineJoin = 'round';
    g.beginPath();
    const { t } = plot.samples;
    const cuts = plot.samples.cuts[c];
    let penDown = false;
    for (let i = 0; i < values.length; i++) {
      const y = values[i];
      if (Number.isNaN(y)) {
        penDown = false;
        continue;
      }
      // Far-off points are clamped: the canvas mishandles huge coordinates, and the
      // direction of the line is all that shows.
      const py = Math.max(top - 1e4, Math.min(bottom + 1e4, toY(y)));
      if (penDown) g.lineTo(toX(t[i]), py);
      else g.moveTo(toX(t[i]), py);
      penDown = cuts[i] !== 1;
    }
    g.stroke();
    g.restore();

    g.save();
    g.font = 'italic 13px "KaTeX_Math", serif';
    g.fillStyle = CURVE_COLORS[c];
    g.textAlign = 'left';
    g.textBaseline = 'top';
    g.fillText(plot.labels[c], x0 + 8, top + 6);
    g.restore();
  });

  g.fillStyle = TEXT;
  g.font = 'italic 13px "KaTeX_Math", serif';
  g.textAlign = 'center';
  g.textBaseline = 'bottom';
  g.fillText(plot.variable, (x0 + x1) / 2, height - 3);
}

function label(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(6)));
}

function line(g: CanvasRenderingContext2D, ax: number, ay: number, bx: number, by: number) {
  g.beginPath();
  g.moveTo(ax, ay);
  g.lineTo(bx, by);
  g.stroke();
}
