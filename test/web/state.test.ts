// The playground's URL-hash state: every state survives the round trip through a link, and
// no hash — truncated, hostile, from an older page — makes the page throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STATE,
  hashToState,
  MAX_EXPR_LENGTH,
  type PlaygroundState,
  PRESETS,
  stateToHash,
} from '../../web/src/state.js';
import { arbHostileName } from '../arbitrary.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const arbState: fc.Arbitrary<PlaygroundState> = fc
  .record({
    expr: fc.string({ maxLength: 80 }),
    name: fc.constantFrom('f', 'L', 'loss', 'φ', 'g_2'),
    vars: fc.uniqueArray(arbHostileName(), { maxLength: 5 }),
    raw: fc.boolean(),
    hessian: fc.boolean(),
    steps: fc.oneof(fc.constant(''), arbHostileName()),
    plot: fc.oneof(fc.constant(''), arbHostileName()),
    from: fc.double({ min: -1e9, max: 1e9, noNaN: true }),
    width: fc.double({ min: 1e-6, max: 1e9, noNaN: true }),
    // −0 prints as 0: a link cannot tell them apart, and a plot does not either.
    at: fc.dictionary(
      arbHostileName(),
      fc.double({ min: -1e12, max: 1e12, noNaN: true }).map((v) => v + 0),
      { maxKeys: 4 },
    ),
  })
  .map(({ width, ...s }) => ({ ...s, to: s.from + width, from: s.from + 0 }))
  .filter((s) => s.from < s.to)
  // A URL cannot carry a lone surrogate (it becomes U+FFFD), and no one can type one.
  .filter(
    (s) =>
      ![s.expr, s.steps, s.plot, ...s.vars, ...Object.keys(s.at)].some((t) =>
        LONE_SURROGATE.test(t),
      ),
  );

describe('URL hash state', () => {
  it('round-trips every preset', () => {
    for (const p of PRESETS) expect(hashToState(stateToHash(p.state))).toEqual(p.state);
  });

  it('round-trips any state, hostile names included (property)', () => {
    fc.assert(
      fc.property(arbState, (s) => {
        const back = hashToState(stateToHash(s));
        const expected = { ...s, vars: s.vars.filter((v) => v !== '') };
        expect(back).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('loads a preset by name', () => {
    const rosenbrock = PRESETS.find((p) => p.id === 'rosenbrock')!;
    expect(hashToState('#preset=rosenbrock')).toEqual(rosenbrock.state);
    expect(hashToState('#preset=no-such-thing')).toEqual(DEFAULT_STATE);
    expect(hashToState('')).toEqual(DEFAULT_STATE);
  });

  it('falls back to defaults for bad values instead of failing', () => {
    const s = hashToState('#f=x%5E2&name=1bad&range=5,1&at=y=abc&at==3&at=z=&by=&raw=yes');
    expect(s.expr).toBe('x^2');
    expect(s.name).toBe('f');
    expect([s.from, s.to]).toEqual([DEFAULT_STATE.from, DEFAULT_STATE.to]);
    expect(s.at).toEqual({});
    expect(s.vars).toEqual([]);
    expect(s.raw).toBe(false);
    expect(hashToState('#f=x&range=NaN,1').from).toBe(DEFAULT_STATE.from);
    expect(hashToState('#f=x&range=-Infinity,1').from).toBe(DEFAULT_STATE.from);
    expect(hashToState('#f=x&range=1').from).toBe(DEFAULT_STATE.from);
  });

  it('keeps symbol names with = & # intact', () => {
    const s = hashToState(stateToHash({ ...DEFAULT_STATE, at: { 'a=b&c#d': 2 }, vars: ['p&q'] }));
    expect(s.at).toEqual({ 'a=b&c#d': 2 });
    expect(s.vars).toEqual(['p&q']);
  });

  it('refuses an expression too long for a link, and never throws on garbage', () => {
    expect(hashToState(`#f=${'x'.repeat(MAX_EXPR_LENGTH + 1)}`)).toEqual(DEFAULT_STATE);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (junk) => {
        const s = hashToState(`#${junk}`);
        expect(typeof s.expr).toBe('string');
        expect(s.from < s.to).toBe(true);
      }),
    );
    expect(() => hashToState('#f=%E0%A4%A&range=%zz')).not.toThrow();
  });
});
