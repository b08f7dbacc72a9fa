export {
  type FeelCheck,
  checkFeel,
  checkFeelUnaryTests,
  ruleHolds,
  unknownFunctions,
} from './check';
export {
  type FeelErrorKind,
  type FeelOptions,
  FeelError,
  evaluateFeel,
  evaluateUnaryTests,
} from './evaluate';
export { type BuiltinOptions, camundaBuiltins } from './builtins';
export { BUILTIN_NAMES } from './analyse';
export { feelToFieldValue } from './builtin-temporal';
export type { FeelFunction } from './fn';
