/**
 * Names of every environment variable the configuration reads. Scaleway
 * reserves `SCW_*` names inside a function's environment, so each Scaleway
 * key is also accepted with an `EVALAP_` prefix (`EVALAP_SCW_SECRET_KEY`);
 * the `SCW_*` name wins when both are set.
 */
export const SCALEWAY_KEYS = [
  'SCW_ACCESS_KEY',
  'SCW_SECRET_KEY',
  'SCW_DEFAULT_ORGANIZATION_ID',
  'SCW_DEFAULT_PROJECT_ID',
  'SCW_DEFAULT_REGION',
  'SCW_DEFAULT_ZONE',
  'SCW_API_URL',
] as const;

/** Settings of the control plane itself. */
export const EVALAP_KEYS = [
  'EVALAP_ENVIRONMENT',
  'EVALAP_LOG_LEVEL',
  'EVALAP_FUNCTION_TOKEN',
  'EVALAP_STATE_BUCKET',
  'EVALAP_AUDIT_QUEUE_URL',
  'EVALAP_S3_ENDPOINT',
  'EVALAP_S3_REGION',
  'EVALAP_SQS_ENDPOINT',
  'EVALAP_SQS_REGION',
  'EVALAP_SQS_ACCESS_KEY',
  'EVALAP_SQS_SECRET_KEY',
  // first port of the local platform (npm start -- --port)
  'EVALAP_LOCAL_PORT',
] as const;

export type ScalewayKey = (typeof SCALEWAY_KEYS)[number];
export type EvalapKey = (typeof EVALAP_KEYS)[number];
export type SettingKey = ScalewayKey | EvalapKey;

/** Keys of the scw CLI's config file, by the variable they stand for. */
export const PROFILE_FIELDS = {
  SCW_ACCESS_KEY: { field: 'accessKey', fileKey: 'access_key' },
  SCW_SECRET_KEY: { field: 'secretKey', fileKey: 'secret_key' },
  SCW_DEFAULT_ORGANIZATION_ID: {
    field: 'defaultOrganizationId',
    fileKey: 'default_organization_id',
  },
  SCW_DEFAULT_PROJECT_ID: {
    field: 'defaultProjectId',
    fileKey: 'default_project_id',
  },
  SCW_DEFAULT_REGION: { field: 'defaultRegion', fileKey: 'default_region' },
  SCW_DEFAULT_ZONE: { field: 'defaultZone', fileKey: 'default_zone' },
  SCW_API_URL: { field: 'apiURL', fileKey: 'api_url' },
} as const satisfies Record<ScalewayKey, { field: string; fileKey: string }>;
