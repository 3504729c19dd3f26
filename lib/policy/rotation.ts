import type { StackSecret } from '../stack/schema.ts';

/** Rotation classes of the guide's schedule, plus the manual types. */
export type RotationClass =
  | 'password'
  | 'api-key'
  | 'service-account-key'
  | 'certificate'
  | 'ssh-key';

/**
 * Default rotation period per class, in days: database passwords 90, API
 * keys 180, service account keys 365 (the guide). Certificates and SSH
 * keys are rotated by hand; 365 days is when rotation reports them due.
 */
export const ROTATION_PERIOD_DAYS: Record<RotationClass, number> = {
  password: 90,
  'api-key': 180,
  'service-account-key': 365,
  certificate: 365,
  'ssh-key': 365,
};

/**
 * The rotation class of a secret: an IAM API key is a service account
 * key; database and basic credentials, and generated passwords, are
 * passwords; certificates and SSH keys are their own; any other opaque or
 * key_value secret is an API key.
 */
export function rotationClassOf(secret: StackSecret): RotationClass {
  const kind = secret.generator.kind;
  if (kind === 'iam-api-key') {
    return 'service-account-key';
  }
  if (secret.type === 'certificate') {
    return 'certificate';
  }
  if (secret.type === 'ssh_key') {
    return 'ssh-key';
  }
  const isPassword =
    secret.type === 'database_credentials' ||
    secret.type === 'basic_credentials' ||
    kind === 'password' ||
    kind === 'database-user';

  return isPassword ? 'password' : 'api-key';
}

/** A secret's rotation period in days: its override, else its class's. */
export function rotationPeriodDays(secret: StackSecret): number {
  return secret.rotationDays ?? ROTATION_PERIOD_DAYS[rotationClassOf(secret)];
}

/** Secret types each generator may produce. */
export const GENERATOR_TYPES: Record<
  StackSecret['generator']['kind'],
  readonly StackSecret['type'][]
> = {
  password: ['opaque', 'basic_credentials'],
  random: ['opaque'],
  key_value: ['key_value'],
  'database-user': ['database_credentials'],
  'iam-api-key': ['opaque', 'key_value'],
  manual: [
    'opaque',
    'database_credentials',
    'basic_credentials',
    'certificate',
    'ssh_key',
    'key_value',
  ],
};
