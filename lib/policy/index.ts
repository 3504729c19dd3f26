export { checkStack, countFindings, hasErrors } from './check.ts';
export {
  aclBlockText,
  type Cidr,
  type CidrProblem,
  cidrContains,
  parseCidr,
  RFC1918_RANGES,
} from './cidr.ts';
export {
  type Finding,
  type Severity,
  severityByEnvironment,
} from './finding.ts';
export {
  accessLevelsOf,
  type IamService,
  isIamService,
  LEVEL_USES,
  PERMISSION_SET_SCOPES,
  PERMISSION_SETS,
  type PermissionSetScopeType,
  type PolicyPresetDefinition,
  type PresetRule,
  permissionSetsFor,
  serviceOfPermissionSet,
} from './permission-sets.ts';
export {
  POLICY_PRESET_DEFINITIONS,
  policyNeeds,
  type ResolvedRule,
  resolvePolicyRules,
} from './presets.ts';
export {
  GENERATOR_TYPES,
  ROTATION_PERIOD_DAYS,
  type RotationClass,
  rotationClassOf,
  rotationPeriodDays,
} from './rotation.ts';
export { CPU_MEMORY_TABLE } from './rules/containers.ts';
export { MINIMUM_SSL_MODE } from './rules/encryption.ts';
export { PRIVATE_NETWORK_PREFIXES } from './rules/network.ts';
export { holdsCredential } from './rules/secrets.ts';
export { AUDIT_RETENTION_DAYS } from './rules/storage.ts';
