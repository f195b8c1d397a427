/**
 * The playground page: input and controls → state (mirrored in the URL hash) → the compute
 * worker → KaTeX and the canvas. The page itself never parses or differentiates, so typing
 * stays responsive whatever the worker is doing; no exception reaches the console.
 */
import 'katex/dist/katex.min.css';
import './style.css';
import katex from 'katex';
import { ComputeClient, type Host } from './client.js';
import type { ComputeResult, ComputeSuccess, Engine, Formula } from './compute.js';
import { drawPlot } from './plot.js';
import { hashToState, type PlaygroundState, PRESETS, stateToHash } from './state.js';

const element = <T extends HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`playground: #${id} missing from index.html`);
  return found as T;
};

const ui = {
  presets: element<HTMLElement>('presets'),
  expr: element<HTMLInputElement>('expr'),
  fnName: element<HTMLElement>('fn-name'),
  parseError: element<HTMLPreElement>('parse-error'),
  varList: element<HTMLElement>('var-list'),
  raw: element<HTMLInputElement>('raw'),
  hessian: element<HTMLInputElement>('hessian'),
  resultCard: element<HTMLElement>('result-card'),
  fnMath: element<HTMLElement>('fn-math'),
  derivativeTitle: element<HTMLElement>('derivative-title'),
  derivativeMath: element<HTMLElement>('derivative-math'),
  hessianBlock: element<HTMLElement>('hessian-block'),
  hessianMath: element<HTMLElement>('hessian-math'),
  steps: element<HTMLDetailsElement>('steps'),
  stepsVarLabel: element<HTMLElement>('steps-var-label'),
  stepsVar: element<HTMLSelectElement>('steps-var'),
  stepsMath: element<HTMLElement>('steps-math'),
  plotVar: element<HTMLSelectElement>('plot-var'),
  from: element<HTMLInputElement>('from'),
  to: element<HTMLInputElement>('to'),
  slice: element<HTMLElement>('slice'),
  canvas: element<HTMLCanvasElement>('plot'),
  plotNote: element<HTMLElement>('plot-note'),
  codeInputs: element<HTMLElement>('code-inputs'),
  code: element<HTMLElement>('code'),
  downloadModule: element<HTMLButtonElement>('download-module'),
  downloadTypes: element<HTMLButtonElement>('download-types'),
  engine: element<HTMLElement>('engine'),
  status: element<HTMLElement>('status'),
};

/** LaTeX longer than this is shown as text: KaTeX would hold the page for seconds. */
const MAX_RENDERED_LATEX = 60_000;

let state: PlaygroundState = hashToState(location.hash);
let shown: ComputeSuccess | undefined;
let lastId = 0;
let renderedId = 0;
/** Request id → time of the keystroke that caused it (for the keystroke-to-render figure). */
const keystrokes = new Map<number, number>();
let busyTimer: ReturnType<typeof setTimeout> | undefined;

const client = new ComputeClient({
  result: onResult,
  engine: showEngine,
  busy(busy) {
    clearTimeout(busyTimer);
    if (busy) busyTimer = setTimeout(() => setStatus('computing…'), 250);
  },
});

// --- state --------------------------------------------------------------------------------

function update(change: Partial<PlaygroundState>, keystrokeAt?: number): void {
  state = { ...state, ...change };
  history.replaceState(null, '', stateToHash(state));
  submit(keystrokeAt);
}

function replaceState(next: PlaygroundState): void {
  state = next;
  history.replaceState(null, '', stateToHash(state));
  syncControls();
  submit();
}

function submit(keystrokeAt?: number): void {
  lastId += 1;
  if (keystrokeAt !== undefined) keystrokes.set(lastId, keystrokeAt);
  const samples = Math.max(200, Math.round(ui.canvas.clientWidth || 800));
  client.submit(lastId, { state, samples, steps: ui.steps.open });
}

/** Puts the state into the controls that do not depend on a result. */
function syncControls(): void {
  if (ui.expr.value !== state.expr) ui.expr.value = state.expr;
  ui.fnName.textContent = state.name;
  ui.raw.checked = state.raw;
  ui.hessian.checked = state.hessian;
  ui.from.value = String(state.from);
  ui.to.value = String(state.to);
  ui.from.removeAttribute('aria-invalid');
  ui.to.removeAttribute('aria-invalid');
}

// --- results ------------------------------------------------------------------------------

function onResult(id: number, result: ComputeResult): void {
  if (id < renderedId) return;
  renderedId = id;
  const renderStarted = performance.now();
  if (result.ok) {
    shown = result;
    showParseError(undefined);
    ui.resultCard.classList.remove('stale');
    render();
  } else {
    showParseError(result);
    ui.resultCard.classList.add('stale');
  }
  const typedAt = keystrokes.get(id);
  for (const key of keystrokes.keys()) if (key <= id) keystrokes.delete(key);
  if (result.ok) {
    const work =
      `worker: algebra ${ms(result.timings.symbolic)}, plot ${ms(result.timings.plot)}; ` +
      `page: typesetting and drawing ${ms(performance.now() - renderStarted)}`;
    if (typedAt !== undefined) {
      const elapsed = performance.now() - typedAt;
      ui.status.dataset.keystrokeMs = elapsed.toFixed(1);
      setStatus(`derivative rendered ${ms(elapsed)} after the keystroke (${work})`);
    } else {
      setStatus(work);
    }
  } else if (id === lastId) {
    setStatus('');
  }
}

function showParseError(failure: Extract<ComputeResult, { ok: false }> | undefined): void {
  if (failure === undefined) {
    ui.parseError.hidden = true;
    ui.parseError.textContent = '';
    ui.expr.removeAttribute('aria-invalid');
    return;
  }
  ui.parseError.hidden = false;
  ui.parseError.textContent =
    failure.parse === undefined
      ? failure.message
      : `${failure.parse.excerpt}\n${failure.parse.reason} (column ${failure.parse.column})`;
  ui.expr.setAttribute('aria-invalid', 'true');
}

function render(): void {
  const r = shown;
  if (r === undefined) return;
  renderVariables(r);
  renderFormula(ui.fnMath, r.fn);
  ui.derivativeTitle.textContent = r.vars.length === 1 ? 'Derivative' : 'Gradient';
  renderFormula(ui.derivativeMath, state.raw ? r.derivative.raw : r.derivative.simplified);
  ui.hessianBlock.hidden = r.hessian === undefined;
  if (r.hessian !== undefined) {
    if (r.hessian.ok)
      renderFormula(ui.hessianMath, state.raw ? r.hessian.raw : r.hessian.simplified);
    else renderMessage(ui.hessianMath, r.hessian.message);
  }
  renderSteps(r);
  renderCode(r);
  renderPlot(r);
}

/** The variable checkboxes, rebuilt only when the symbols or the choice change. */
function renderVariables(r: ComputeSuccess): void {
  const key = JSON.stringify([r.symbols, r.vars]);
  if (ui.varList.dataset.key === key) return;
  ui.varList.dataset.key = key;
  const names = r.symbols.length > 0 ? r.symbols : r.vars;
  ui.varList.replaceChildren(
    ...names.map((name) => {
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.dataset.symbol = name;
      box.checked = r.vars.includes(name);
      const label = document.createElement('label');
      label.append(box, ` ${name}`);
      return label;
    }),
  );
}

function renderSteps(r: ComputeSuccess): void {
  const several = r.vars.length > 1;
  ui.stepsVarLabel.hidden = !several;
  fillSelect(ui.stepsVar, r.vars, r.vars.includes(state.steps) ? state.steps : r.vars[0]);
  if (!ui.steps.open) return;
  if (r.steps === undefined) {
    // Asked for when the panel opened; on its way.
    renderMessage(ui.stepsMath, 'deriving…');
    ui.stepsMath.classList.remove('error');
  } else if (!r.steps.ok) {
    renderMessage(ui.stepsMath, r.steps.message);
  } else {
    renderFormula(ui.stepsMath, r.steps);
  }
}

function renderCode(r: ComputeSuccess): void {
  const c = r.code;
  ui.downloadModule.disabled = !c.ok;
  ui.downloadTypes.disabled = !c.ok;
  if (!c.ok) {
    ui.codeInputs.textContent = `No generated code: ${c.message}`;
    ui.code.textContent = '';
    return;
  }
  const differentiated = c.inputs.slice(0, c.variables);
  const data = c.inputs.slice(c.variables);
  ui.codeInputs.textContent =
    `gradient(x, g) returns ${state.name} and writes ` +
    `${differentiated.map((v) => `∂${state.name}/∂${v}`).join(', ')} into g; ` +
    `x = [${c.inputs.join(', ')}]${data.length > 0 ? ` (${data.join(', ')}: data, not differentiated)` : ''}. ` +
    `The downloadable module also exports value(x)${c.hessianNote === undefined ? ' and hessian(x)' : ` (${c.hessianNote})`}; it imports nothing.`;
  if (ui.code.textContent !== c.gradient) ui.code.textContent = c.gradient;
}

function renderPlot(r: ComputeSuccess): void {
  const names = r.symbols.length > 0 ? r.symbols : r.vars;
  const plot = r.plot;
  const variable = plot.ok ? plot.variable : r.vars[0];
  fillSelect(ui.plotVar, names, variable);
  const others = names.filter((s) => s !== variable);
  const key = JSON.stringify(others);
  if (ui.slice.dataset.key !== key) {
    ui.slice.dataset.key = key;
    ui.slice.replaceChildren(
      ...others.map((name) => {
        const input = document.createElement('input');
        input.type = 'number';
        input.step = 'any';
        input.dataset.symbol = name;
        const label = document.createElement('label');
        label.append(`${name} = `, input);
        return label;
      }),
    );
  }
  for (const input of ui.slice.querySelectorAll<HTMLInputElement>('input')) {
    const value = plot.ok ? plot.at[input.dataset.symbol ?? ''] : undefined;
    if (value !== undefined && document.activeElement !== input && Number(input.value) !== value) {
      input.value = String(value);
    }
  }
  if (!plot.ok) {
    drawPlot(ui.canvas, undefined);
    ui.plotNote.textContent = `No plot: ${plot.message}`;
    ui.plotNote.classList.add('error');
    delete ui.canvas.dataset.drawn;
    return;
  }
  drawPlot(ui.canvas, plot);
  // Which expression the canvas shows (tests wait on it).
  ui.canvas.dataset.drawn = r.expr;
  ui.plotNote.classList.remove('error');
  const slice =
    others.length > 0
      ? ` — a slice at ${others.map((s) => `${s} = ${plot.at[s]}`).join(', ')}`
      : '';
  ui.plotNote.textContent =
    `${plot.labels[0]} (top) and ${plot.labels[1]} (bottom) for ${plot.variable} from ${plot.from} to ${plot.to}${slice}. ` +
    'Gaps: not a real number there, or a jump (not joined by a line).';
}

function renderFormula(target: HTMLElement, formula: Formula): void {
  const key =
    formula.latex !== '' && formula.latex.length <= MAX_RENDERED_LATEX ? formula.latex : '';
  if (key !== '' && target.dataset.latex === key) return;
  target.classList.remove('error');
  if (key === '') {
    // Too long to typeset: the plain text form, which copies the same.
    target.dataset.latex = '';
    const pre = document.createElement('pre');
    pre.textContent = formula.text;
    target.replaceChildren(pre);
    return;
  }
  try {
    katex.render(key, target, { displayMode: true, throwOnError: true, strict: 'ignore' });
    target.dataset.latex = key;
  } catch (e) {
    target.dataset.latex = '';
    target.textContent = formula.text;
    target.title = e instanceof Error ? e.message : String(e);
  }
}

function renderMessage(target: HTMLElement, message: string): void {
  target.dataset.latex = '';
  target.classList.add('error');
  target.textContent = message;
}

function fillSelect(select: HTMLSelectElement, names: readonly string[], value: string): void {
  const current = [...select.options].map((o) => o.value);
  if (JSON.stringify(current) !== JSON.stringify(names)) {
    select.replaceChildren(
      ...names.map((name) => {
        const option = document.createElement('option');
        option.value = name;
        option.textContent = name;
        return option;
      }),
    );
  }
  select.value = value;
}

function showEngine(engine: Engine, host: Host): void {
  const where =
    host === 'worker'
      ? 'in a Web Worker'
      : 'on the page (Web Workers are unavailable here, so long computations may hold up typing)';
  ui.engine.dataset.engine = engine;
  ui.engine.dataset.host = host;
  ui.engine.classList.toggle('fallback', engine === 'interpreted' || host === 'page');
  ui.engine.textContent =
    engine === 'compiled'
      ? `Plot values: compiled JavaScript generated by Leibniz, ${where}.`
      : `Compiled functions are not allowed here: this page's Content-Security-Policy forbids generated code (no 'unsafe-eval'). Plot values come from the interpreter (evaluate) instead — the same numbers, computed more slowly, ${where}.`;
}

function setStatus(text: string): void {
  clearTimeout(busyTimer);
  ui.status.textContent = text;
}

const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;

// --- copy and download ----------------------------------------------------------------------

function copyable(kind: string, form: string): string | undefined {
  const r = shown;
  if (r === undefined) return undefined;
  const pick = (f: Formula) => (form === 'latex' ? f.latex : f.text);
  switch (kind) {
    case 'fn':
      return pick(r.fn);
    case 'derivative':
      return pick(state.raw ? r.derivative.raw : r.derivative.simplified);
    case 'hessian':
      return r.hessian?.ok ? pick(state.raw ? r.hessian.raw : r.hessian.simplified) : undefined;
    case 'steps':
      return r.steps?.ok ? pick(r.steps) || r.steps.text : undefined;
    case 'code':
      return r.code.ok ? r.code.gradient : undefined;
    default:
      return undefined;
  }
}

async function copy(button: HTMLButtonElement): Promise<void> {
  const text = copyable(button.dataset.copy ?? '', button.dataset.form ?? '');
  if (text === undefined) return;
  const label = button.textContent;
  let copied = false;
  try {
    await navigator.clipboard.writeText(text);
    copied = true;
  } catch {
    copied = copyBySelection(text);
  }
  button.textContent = copied ? 'Copied' : 'Copy failed';
  setTimeout(() => {
    button.textContent = label;
  }, 1200);
}

/** For pages without clipboard access (insecure origin, denied permission). */
function copyBySelection(text: string): boolean {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'offscreen';
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

function download(text: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const fileStem = () => `${state.name}-gradient`;

// --- wiring -------------------------------------------------------------------------------

ui.presets.replaceChildren(
  ...PRESETS.map((p) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = p.label;
    button.dataset.preset = p.id;
    button.addEventListener('click', () => replaceState(p.state));
    return button;
  }),
);

ui.expr.addEventListener('input', (event) => update({ expr: ui.expr.value }, event.timeStamp));
ui.raw.addEventListener('change', () => {
  state = { ...state, raw: ui.raw.checked };
  history.replaceState(null, '', stateToHash(state));
  render();
});
ui.hessian.addEventListener('change', () => update({ hessian: ui.hessian.checked }));
ui.varList.addEventListener('change', () => {
  const boxes = [...ui.varList.querySelectorAll<HTMLInputElement>('input[type=checkbox]')];
  const vars = boxes.filter((b) => b.checked).map((b) => b.dataset.symbol ?? '');
  if (vars.length === 0) {
    // Always differentiate by something: keep the last box ticked.
    for (const b of boxes) b.checked = state.vars.includes(b.dataset.symbol ?? '');
    return;
  }
  update({ vars });
});
ui.steps.addEventListener('toggle', () => {
  if (shown === undefined) return;
  renderSteps(shown);
  // The derivation is made only while its panel is open.
  if (ui.steps.open && shown.steps === undefined) submit();
});
ui.stepsVar.addEventListener('change', () => update({ steps: ui.stepsVar.value }));
ui.plotVar.addEventListener('change', () => update({ plot: ui.plotVar.value }));
for (const input of [ui.from, ui.to]) {
  input.addEventListener('input', () => {
    const from = ui.from.valueAsNumber;
    const to = ui.to.valueAsNumber;
    const valid = Number.isFinite(from) && Number.isFinite(to) && from < to;
    for (const i of [ui.from, ui.to]) i.toggleAttribute('aria-invalid', !valid);
    if (valid) update({ from, to });
  });
}
ui.slice.addEventListener('input', (event) => {
  const input = event.target as HTMLInputElement;
  const name = input.dataset.symbol;
  if (name === undefined || !Number.isFinite(input.valueAsNumber)) return;
  update({ at: { ...state.at, [name]: input.valueAsNumber } });
});
document.addEventListener('click', (event) => {
  const button = (event.target as Element).closest<HTMLButtonElement>('button[data-copy]');
  if (button !== null) void copy(button);
});
ui.downloadModule.addEventListener('click', () => {
  if (shown?.code.ok) download(shown.code.module, `${fileStem()}.mjs`);
});
ui.downloadTypes.addEventListener('click', () => {
  if (shown?.code.ok) download(shown.code.dts, `${fileStem()}.d.mts`);
});
window.addEventListener('hashchange', () => replaceState(hashToState(location.hash)));
new ResizeObserver(() => {
  if (shown?.plot.ok) drawPlot(ui.canvas, shown.plot);
}).observe(ui.canvas);

syncControls();
history.replaceState(null, '', stateToHash(state));
submit();
