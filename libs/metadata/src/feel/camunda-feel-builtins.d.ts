// @camunda/feel-builtins publishes its types only through package.json "exports", which the
// project's node10 module resolution does not read; builtins.spec.ts uses this list.
declare module '@camunda/feel-builtins' {
  export interface Builtin {
    name: string;
    info: string;
    params?: Array<{ name: string }>;
  }
  /** Every function Camunda documents (compiled from its docs), the extensions included. */
  export const camundaBuiltins: Builtin[];
}
