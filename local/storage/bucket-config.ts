import { escapeXml, malformedXml, S3ReplyError } from './errors.ts';
import type {
  BucketState,
  DefaultRetention,
  LifecycleRule,
  Retention,
  RetentionMode,
} from './state.ts';
import { allTags, firstTag, s3Document } from './xml.ts';

/** Applies a PutBucketVersioning body. */
export function putVersioning(state: BucketState, xml: string): void {
  const status = firstTag(xml, 'Status');
  if (status !== 'Enabled' && status !== 'Suspended') {
    throw malformedXml();
  }
  if (status === 'Suspended' && state.objectLockEnabled) {
    throw new S3ReplyError(
      'InvalidBucketState',
      409,
      'An Object Lock configuration is present on this bucket, so the ' +
        'versioning state cannot be changed.',
    );
  }

  state.versioning = status;
}

/** The GetBucketVersioning body. */
export function versioningXml(state: BucketState): string {
  const status =
    state.versioning === 'Unversioned'
      ? ''
      : `<Status>${state.versioning}</Status>`;

  return s3Document('VersioningConfiguration', status);
}

/**
 * Parses a PutBucketLifecycleConfiguration body. Only `Expiration.Days`
 * and `NoncurrentVersionExpiration.NoncurrentDays` act; a rule with
 * neither is refused, as are `Date` and zero days.
 */
export function parseLifecycle(xml: string): LifecycleRule[] {
  const rules = allTags(xml, 'Rule').map((rule, index) => {
    const expiration = allTags(rule, 'Expiration')[0];
    const noncurrent = allTags(rule, 'NoncurrentVersionExpiration')[0];
    const parsed: LifecycleRule = {
      id: firstTag(rule, 'ID') ?? `rule-${index + 1}`,
      enabled: firstTag(rule, 'Status') === 'Enabled',
      prefix: firstTag(rule, 'Prefix') ?? '',
    };
    if (expiration !== undefined) {
      parsed.expirationDays = positiveDays(firstTag(expiration, 'Days'));
    }
    if (noncurrent !== undefined) {
      parsed.noncurrentDays = positiveDays(
        firstTag(noncurrent, 'NoncurrentDays'),
      );
    }
    if (
      parsed.expirationDays === undefined &&
      parsed.noncurrentDays === undefined
    ) {
      throw new S3ReplyError(
        'NotImplemented',
        501,
        'Only Expiration.Days and NoncurrentVersionExpiration are emulated.',
      );
    }

    return parsed;
  });
  if (rules.length === 0) {
    throw malformedXml();
  }

  return rules;
}

/** The GetBucketLifecycleConfiguration body. */
export function lifecycleXml(rules: LifecycleRule[]): string {
  const inner = rules
    .map((rule) => {
      const expiration =
        rule.expirationDays === undefined
          ? ''
          : `<Expiration><Days>${rule.expirationDays}</Days></Expiration>`;
      const noncurrent =
        rule.noncurrentDays === undefined
          ? ''
          : '<NoncurrentVersionExpiration><NoncurrentDays>' +
            `${rule.noncurrentDays}</NoncurrentDays>` +
            '</NoncurrentVersionExpiration>';

      return (
        `<Rule><ID>${escapeXml(rule.id)}</ID>` +
        `<Filter><Prefix>${escapeXml(rule.prefix)}</Prefix></Filter>` +
        `<Status>${rule.enabled ? 'Enabled' : 'Disabled'}</Status>` +
        `${expiration}${noncurrent}</Rule>`
      );
    })
    .join('');

  return s3Document('LifecycleConfiguration', inner);
}

/** Applies a PutObjectLockConfiguration body. */
export function putObjectLock(state: BucketState, xml: string): void {
  const enabled = firstTag(xml, 'ObjectLockEnabled');
  if (enabled === 'Enabled') {
    state.objectLockEnabled = true;
    state.versioning = 'Enabled';
  }
  if (!state.objectLockEnabled) {
    throw new S3ReplyError(
      'InvalidBucketState',
      409,
      'Object Lock configuration cannot be enabled on existing buckets',
    );
  }

  const retention = allTags(xml, 'DefaultRetention')[0];
  if (retention === undefined) {
    delete state.defaultRetention;
    return;
  }
  state.defaultRetention = parseDefaultRetention(retention);
}

/** The GetObjectLockConfiguration body; 404 when lock is off. */
export function objectLockXml(state: BucketState): string {
  if (!state.objectLockEnabled) {
    throw new S3ReplyError(
      'ObjectLockConfigurationNotFoundError',
      404,
      'Object Lock configuration does not exist for this bucket',
    );
  }

  const retention = state.defaultRetention;
  const rule = retention
    ? '<Rule><DefaultRetention>' +
      `<Mode>${retention.mode}</Mode>` +
      `<${retention.unit}>${retention.amount}</${retention.unit}>` +
      '</DefaultRetention></Rule>'
    : '';

  return s3Document(
    'ObjectLockConfiguration',
    `<ObjectLockEnabled>Enabled</ObjectLockEnabled>${rule}`,
  );
}

/** Parses a PutObjectRetention body. */
export function parseRetention(xml: string): Retention {
  const mode = retentionMode(firstTag(xml, 'Mode'));
  const retainUntil = new Date(firstTag(xml, 'RetainUntilDate') ?? '');
  if (Number.isNaN(retainUntil.getTime())) {
    throw malformedXml();
  }

  return { mode, retainUntil };
}

/** The GetObjectRetention body. */
export function retentionXml(retention: Retention): string {
  return s3Document(
    'Retention',
    `<Mode>${retention.mode}</Mode>` +
      `<RetainUntilDate>${retention.retainUntil.toISOString()}` +
      '</RetainUntilDate>',
  );
}

/** Reads `Mode`; anything but GOVERNANCE or COMPLIANCE is malformed. */
export function retentionMode(value: string | undefined): RetentionMode {
  if (value !== 'GOVERNANCE' && value !== 'COMPLIANCE') {
    throw malformedXml();
  }

  return value;
}

function parseDefaultRetention(xml: string): DefaultRetention {
  const mode = retentionMode(firstTag(xml, 'Mode'));
  const days = firstTag(xml, 'Days');
  const years = firstTag(xml, 'Years');
  if ((days === undefined) === (years === undefined)) {
    throw malformedXml();
  }

  const unit = days === undefined ? 'Years' : 'Days';
  const amount = positiveDays(days ?? years);

  return {
    mode,
    unit,
    amount,
    days: unit === 'Years' ? amount * 365 : amount,
  };
}

function positiveDays(value: string | undefined): number {
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1) {
    throw new S3ReplyError(
      'InvalidArgument',
      400,
      "'Days' in the rule must be a positive integer",
    );
  }

  return days;
}
