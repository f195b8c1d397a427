/**
 * Simplification: a rewrite engine (rules with `?name` wildcards matched modulo AC,
 * strategies, budget, assumptions) and the built-in rule sets, `simplify`, `expand`,
 * `cancel` and `together`. Everything here builds on the expression core only.
 */
export { type Assumptions, looksNegative, SignOracle } from './assume.js';
export {
  bottomUp,
  chain,
  fixpoint,
  type RewriteEvent,
  type RewriteOptions,
  type Run,
  type Strategy,
} from './engine.js';
export { type ExpandOptions, expand } from './expand.js';
export { compareCost, dagWeight, treeWeight } from './measure.js';
export type { Bindings } from './pattern.js';
export { cancel, together } from './quotient.js';
export {
  type Guard,
  guards,
  procedure,
  type Rule,
  type RuleContext,
  type RuleOptions,
  rule,
  type TemplateFunction,
} from './rule.js';
export {
  DEFAULT_RULES,
  EXP_LOG_RULES,
  EXPAND_LOG_RULES,
  FACTOR_RULES,
  FINISH_RULES,
  HYPERBOLIC_RULES,
  ML_RULES,
  NUMBER_RULES,
  PARITY_RULES,
  POWER_RULES,
  RULE_SETS,
  type RuleSetName,
  SIGMOID_RULES,
  TRIG_CONTRACT_RULES,
  TRIG_RULES,
} from './rules.js';
export { rewrite, type SimplifyOptions, simplify } from './simplify.js';
