/**
 * The playground's state and its URL-hash form. The state holds everything a view depends
 * on, so a link reproduces it; parsing a hash never throws — unknown keys are ignored and
 * bad values fall back to defaults, since hashes arrive from anywhere.
 */

/** Everything the page shows is a function of this. */
export interface PlaygroundState {
  /** The expression as typed. */
  readonly expr: string;
  /** What the derivation calls the function (`f`, `L`). */
  readonly name: string;
  /** Differentiate by these, in this order (several: gradient). */
  readonly vars: readonly string[];
  /** Show the derivative as differentiation returns it instead of simplified. */
  readonly raw: boolean;
  /** Also show the Hessian by `vars`. */
  readonly hessian: boolean;
  /** The variable of the step-by-step derivation ('' = the first of `vars`). */
  readonly steps: string;
  /** The plotted variable ('' = the first of `vars`). */
  readonly plot: string;
  /** Plot range of the plotted variable. */
  readonly from: number;
  readonly to: number;
  /** Values of the other symbols: the plot is a slice through this point. */
  readonly at: Readonly<Record<string, number>>;
}

/** A named starting point, loadable from the page or from `#preset=id`. */
export interface Preset {
  readonly id: string;
  readonly label: string;
  readonly state: PlaygroundState;
}

export const DEFAULT_STATE: PlaygroundState = {
  expr: 'sin(x^2)',
  name: 'f',
  vars: ['x'],
  raw: false,
  hessian: false,
  steps: '',
  plot: '',
  from: -3,
  to: 3,
  at: {},
};

const preset = (
  id: string,
  label: string,
  state: Partial<PlaygroundState> & { expr: string },
): Preset => ({
  id,
  label,
  state: { ...DEFAULT_STATE, ...state },
});

export const PRESETS: readonly Preset[] = [
  preset('sin-x2', 'sin(x²)', { expr: 'sin(x^2)', vars: ['x'] }),
  preset('two-layer', 'two-layer loss', {
    expr: '(tanh(w2*tanh(w1*x)) - y)^2',
    name: 'L',
    vars: ['w1', 'w2'],
    plot: 'w1',
    from: -4,
    to: 4,
    at: { w2: 1.5, x: 1.2, y: 0.5 },
  }),
  preset('lecture', 'the lecture’s f₁, f₂', {
    expr: '(f2(w2*f1(w1*x)) - y)^2',
    name: 'L',
    vars: ['w1', 'w2'],
    plot: 'w1',
  }),
  preset('sigmoid', 'sigmoid', { expr: '1/(1 + exp(-x))', vars: ['x'], from: -8, to: 8 }),
  preset('rosenbrock', 'Rosenbrock', {
    expr: '(1 - x)^2 + 100*(y - x^2)^2',
    vars: ['x', 'y'],
    hessian: true,
    plot: 'x',
    from: -2,
    to: 2,
    at: { y: 1 },
  }),
  preset('logistic', 'logistic loss', {
    expr: 'log(1 + exp(-y*(w*x + b)))',
    name: 'L',
    vars: ['w', 'b'],
    plot: 'w',
    from: -6,
    to: 6,
    at: { b: 0.5, x: 2, y: 1 },
  }),
];

/** Longest expression a hash may carry (a link, not a data transfer). */
export const MAX_EXPR_LENGTH = 100_000;
const NAME = /^[\p{L}_][\p{L}\p{Nd}_]{0,31}$/u;
const MAX_NAMES = 64;

/** The state as a URL hash (with the leading `#`). */
export function stateToHash(state: PlaygroundState): string {
  const p = new URLSearchParams();
  p.set('f', state.expr);
  if (state.name !== DEFAULT_STATE.name) p.set('name', state.name);
  for (const v of state.vars) p.append('by', v);
  if (state.raw) p.set('raw', '1');
  if (state.hessian) p.set('hessian', '1');
  if (state.steps !== '') p.set('steps', state.steps);
  if (state.plot !== '') p.set('plot', state.plot);
  p.set('range', `${state.from},${state.to}`);
  for (const [k, v] of Object.entries(state.at)) p.append('at', `${k}=${v}`);
  return `#${p.toString()}`;
}

/**
 * The state a hash describes: `#preset=rosenbrock`, a full state (`#f=…&by=x&…`), or
 * nothing usable (then the default). Values that fail validation fall back to defaults.
 */
export function hashToState(hash: string): PlaygroundState {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const presetId = p.get('preset');
  const base = PRESETS.find((x) => x.id === presetId)?.state ?? DEFAULT_STATE;
  const expr = p.get('f');
  if (expr === null || expr.length > MAX_EXPR_LENGTH) return base;
  const name = p.get('name') ?? DEFAULT_STATE.name;
  const [from, to] = parseRange(p.get('range'));
  const at: Record<string, number> = {};
  for (const entry of p.getAll('at').slice(0, MAX_NAMES)) {
    // Symbol names may contain '=' (backquoted names), values never do.
    const cut = entry.lastIndexOf('=');
    const value = Number(entry.slice(cut + 1));
    if (cut > 0 && entry.slice(cut + 1).trim() !== '' && Number.isFinite(value)) {
      at[entry.slice(0, cut)] = value;
    }
  }
  return {
    expr,
    name: NAME.test(name) ? name : DEFAULT_STATE.name,
    vars: unique(p.getAll('by')).slice(0, MAX_NAMES),
    raw: p.get('raw') === '1',
    hessian: p.get('hessian') === '1',
    steps: p.get('steps') ?? '',
    plot: p.get('plot') ?? '',
    from,
    to,
    at,
  };
}

function parseRange(text: string | null): [number, number] {
  const parts = (text ?? '').split(',');
  if (parts.length === 2 && parts.every((s) => s.trim() !== '')) {
    const [a, b] = parts.map(Number);
    if (Number.isFinite(a) && Number.isFinite(b) && a < b) return [a, b];
  }
  return [DEFAULT_STATE.from, DEFAULT_STATE.to];
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names.filter((n) => n !== ''))];
}
