export {
  bindingsOfContainer,
  consumersOfSecret,
  type SecretBinding,
  secretBindings,
} from './bindings.ts';
export {
  type SourcePosition,
  StackError,
  StackFileError,
  type StackProblem,
} from './errors.ts';
export { loadStack, parseStack } from './load.ts';
export { deployedName } from './names.ts';
export { formatStackPath, type StackPath } from './path.ts';
export {
  formatStackProblems,
  type StackProblemRow,
  type StackProblemsReport,
  stackProblemsReport,
} from './problems.ts';
export * from './schema.ts';
export * from './vocabulary.ts';
