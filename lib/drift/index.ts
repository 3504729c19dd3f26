export { checkDrift, type DriftCheckOptions } from './check.ts';
export {
  compareResources,
  type MatchedResource,
  type Matching,
  matchResources,
} from './compare.ts';
export { type DeclaredResource, declaredResources } from './declared.ts';
export {
  DriftError,
  DriftInputError,
  DriftReportStorageError,
  NoAppliedStateError,
} from './errors.ts';
export {
  DRIFT_SEVERITIES,
  type DriftFinding,
  type DriftSeverity,
  FINDING_CLASSES,
  type FindingClass,
  MASKED,
} from './finding.ts';
export { LIVE_POLICY_RULES } from './live-policy.ts';
export { renderMarkdown } from './markdown.ts';
export { canonical, sameValue } from './normalize.ts';
export {
  buildReport,
  type DriftReport,
  type DriftStatus,
  fingerprintOf,
  type ReportedFinding,
  type ResolvedFinding,
} from './report.ts';
export {
  type IgnoredDifference,
  readSecretEnvRecord,
  type SecretEnvRecord,
} from './secret-env.ts';
export { DriftReportStore, reportKeys } from './store.ts';
