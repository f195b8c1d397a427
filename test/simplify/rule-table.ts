/**
 * Generates the rule list of docs/simplify.md from the rule sets' metadata and the golden
 * table, so the documentation cannot drift from the code (docs.test.ts compares; run it with
 * UPDATE_DOCS=1 to rewrite the section).
 */
import { RULE_SETS, type RuleSetName } from '../../src/simplify/index.js';
import { GOLDEN, type GoldenRow } from './golden.js';

const TITLES: Record<RuleSetName, string> = {
  power: 'Powers, absolute values, signs (`power`, default)',
  parity: 'Parity (`parity`, default)',
  'exp-log': 'Exponentials and logarithms (`exp-log`, default)',
  'expand-log': 'Logarithm expansion (`expand-log`: tried as a candidate, kept when smaller)',
  trig: 'Trigonometric and hyperbolic (`trig`, default)',
  'trig-contract':
    'Trigonometric contraction (`trig-contract`: tried as a candidate, kept when smaller)',
  ml: 'Machine learning (`ml`, default)',
  sigmoid: "Sigmoid recognition (`sigmoid`, optional: `use: ['sigmoid']`)",
  hyperbolic: "Hyperbolic derivative form (`hyperbolic`, optional: `use: ['hyperbolic']`)",
  factor: 'Factoring, expansion, quotients (`factor`, default; procedures, kept only when smaller)',
  finish:
    'Finishing (`finish`: once, on the result: forms on every product, kept when smaller; signs on products that are not terms of a sum)',
};

const ORDER: readonly RuleSetName[] = [
  'power',
  'parity',
  'exp-log',
  'expand-log',
  'trig',
  'trig-contract',
  'ml',
  'sigmoid',
  'hyperbolic',
  'factor',
  'finish',
];

const code = (s: string): string => `\`${s.replace(/\|/g, '\\|')}\``;

function example(row: GoldenRow | undefined): string {
  if (row === undefined) return '';
  const assume = row.options?.assume;
  const notes: string[] = [];
  if (assume?.positive) notes.push(`${assume.positive.join(', ')} > 0`);
  if (assume?.nonnegative) notes.push(`${assume.nonnegative.join(', ')} ≥ 0`);
  return `${code(row.input)} → ${code(row.output)}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

/** The markdown of the rule list. */
export function ruleTable(): string {
  const out: string[] = [];
  for (const name of ORDER) {
    out.push(
      `### ${TITLES[name]}`,
      '',
      '| id | rewrite | needs | example |',
      '| --- | --- | --- | --- |',
    );
    for (const r of RULE_SETS[name]) {
      const rewrite =
        r.pattern !== undefined && r.template !== '(computed)'
          ? `${code(r.pattern)} → ${code(r.template!)}${r.description.startsWith(r.pattern) ? '' : `: ${r.description}`}`
          : r.description;
      const needs = r.needs?.join(', ') ?? '';
      out.push(
        `| \`${r.id}\` | ${rewrite.replace(/\|/g, '\\|')} | ${needs} | ${example(GOLDEN.find((g) => g.rule === r.id))} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}
