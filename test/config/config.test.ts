import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  describeConfig,
  loadConfig,
  localPlatformConfig,
} from '../../lib/config/index.ts';
import { LOCAL_DEFAULTS, stageStateBucket } from '../../local/defaults.ts';

const ACCESS_KEY = 'SCWABCDEFGHIJKLMNOPQ';
const SECRET_KEY = '9b0e2f51-6c3a-4c1e-8f7a-5d2b1e0c9a77';
const PROJECT_ID = '4a8d6f1e-2b3c-4d5e-8f90-a1b2c3d4e5f6';

const VALID_ENV = {
  SCW_ACCESS_KEY: ACCESS_KEY,
  SCW_SECRET_KEY: SECRET_KEY,
  SCW_DEFAULT_PROJECT_ID: PROJECT_ID,
};

const tempDirs: string[] = [];

function writeScwConfig(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'evalap-config-'));
  tempDirs.push(dir);
  const file = join(dir, 'config.yaml');
  writeFileSync(file, content);

  return file;
}

function loadError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('loadConfig', () => {
  describe('from SCW_* variables', () => {
    it('builds the Scaleway, S3 and SQS settings with Scaleway defaults', () => {
      const config = loadConfig(VALID_ENV);

      expect(config.usingLocalPlatform).toBe(false);
      expect(config.scaleway).toEqual({
        accessKey: ACCESS_KEY,
        secretKey: SECRET_KEY,
        organizationId: undefined,
        projectId: PROJECT_ID,
        region: 'fr-par',
        zone: 'fr-par-1',
        apiUrl: 'https://api.scaleway.com',
      });
      expect(config.objectStorage.endpoint).toBe('https://s3.fr-par.scw.cloud');
      expect(config.queues.endpoint).toBe(
        'https://sqs.mnq.fr-par.scaleway.com',
      );
      expect(config.queues.accessKey).toBe(ACCESS_KEY);
      expect(config.logLevel).toBe('info');
      expect(config.source).toBe('environment');
    });

    it("takes the stack's environment when EVALAP_ENVIRONMENT is unset", () => {
      const config = loadConfig(VALID_ENV, { environment: 'production' });

      expect(config.environment).toBe('production');
      expect(config.stateBucket).toBeUndefined();
    });

    it('honours endpoint overrides and strips trailing slashes', () => {
      const config = loadConfig({
        ...VALID_ENV,
        SCW_API_URL: 'http://127.0.0.1:9999/',
        SCW_DEFAULT_REGION: 'nl-ams',
        EVALAP_S3_ENDPOINT: 'http://127.0.0.1:9998',
        EVALAP_SQS_ENDPOINT: 'http://127.0.0.1:9997',
        EVALAP_SQS_ACCESS_KEY: 'queue-access',
        EVALAP_SQS_SECRET_KEY: 'queue-secret',
      });

      expect(config.scaleway.apiUrl).toBe('http://127.0.0.1:9999');
      expect(config.scaleway.zone).toBe('nl-ams-1');
      expect(config.objectStorage).toMatchObject({
        endpoint: 'http://127.0.0.1:9998',
        region: 'nl-ams',
      });
      expect(config.queues).toMatchObject({
        endpoint: 'http://127.0.0.1:9997',
        accessKey: 'queue-access',
        secretKey: 'queue-secret',
      });
    });

    it('accepts EVALAP_SCW_* aliases for function environments', () => {
      const config = loadConfig({
        EVALAP_SCW_ACCESS_KEY: ACCESS_KEY,
        EVALAP_SCW_SECRET_KEY: SECRET_KEY,
        EVALAP_SCW_DEFAULT_PROJECT_ID: PROJECT_ID,
      });

      expect(config.scaleway.secretKey).toBe(SECRET_KEY);
      expect(config.usingLocalPlatform).toBe(false);
    });
  });

  describe('rejections', () => {
    it.each([
      {
        case: 'missing secret key',
        env: { SCW_ACCESS_KEY: ACCESS_KEY, SCW_DEFAULT_PROJECT_ID: PROJECT_ID },
        key: 'SCW_SECRET_KEY',
        planted: ACCESS_KEY,
      },
      {
        case: 'malformed secret key',
        env: { ...VALID_ENV, SCW_SECRET_KEY: 'hunter2-not-a-uuid' },
        key: 'SCW_SECRET_KEY',
        planted: 'hunter2-not-a-uuid',
      },
      {
        case: 'malformed access key',
        env: { ...VALID_ENV, SCW_ACCESS_KEY: 'AKIAPLANTEDVALUE' },
        key: 'SCW_ACCESS_KEY',
        planted: 'AKIAPLANTEDVALUE',
      },
      {
        case: 'unknown environment',
        env: { ...VALID_ENV, EVALAP_ENVIRONMENT: 'prod-secret-stage' },
        key: 'EVALAP_ENVIRONMENT',
        planted: 'prod-secret-stage',
      },
      {
        case: 'short function token',
        env: { ...VALID_ENV, EVALAP_FUNCTION_TOKEN: 'tok-planted' },
        key: 'EVALAP_FUNCTION_TOKEN',
        planted: 'tok-planted',
      },
      {
        case: 'non-http API URL',
        env: { ...VALID_ENV, SCW_API_URL: 'ftp://user:pw-planted@host' },
        key: 'SCW_API_URL',
        planted: 'pw-planted',
      },
      {
        case: 'half a queue key pair',
        env: { ...VALID_ENV, EVALAP_SQS_ACCESS_KEY: 'queue-access-planted' },
        key: 'EVALAP_SQS_SECRET_KEY',
        planted: 'queue-access-planted',
      },
    ])('case: names $key, echoes no value', ({ env, key, planted }) => {
      const error = loadError(env);

      expect(error.keys).toContain(key);
      expect(error.message).toContain(key);
      expect(error.message).not.toContain(planted);
      expect(error.message).not.toContain(SECRET_KEY);
    });

    it('reports every problem at once', () => {
      const error = loadError({
        SCW_ACCESS_KEY: 'bad',
        SCW_SECRET_KEY: 'bad',
        EVALAP_LOG_LEVEL: 'loud',
      });

      expect([...error.keys].sort()).toEqual([
        'EVALAP_LOG_LEVEL',
        'SCW_ACCESS_KEY',
        'SCW_DEFAULT_PROJECT_ID',
        'SCW_SECRET_KEY',
      ]);
    });

    it('names a required optional setting when it is absent', () => {
      const load = () =>
        loadConfig(VALID_ENV, {
          require: ['EVALAP_STATE_BUCKET', 'EVALAP_ENVIRONMENT'],
        });

      expect(load).toThrow(ConfigError);
      expect(load).toThrow(/EVALAP_STATE_BUCKET is not set/);
      expect(load).toThrow(/EVALAP_ENVIRONMENT is not set/);
    });

    it('types required settings as present', () => {
      const config = loadConfig(
        { ...VALID_ENV, EVALAP_STATE_BUCKET: 'evalap-state-prod' },
        { require: ['EVALAP_STATE_BUCKET'] },
      );

      const bucket: string = config.stateBucket;

      expect(bucket).toBe('evalap-state-prod');
    });
  });

  describe('from a scw CLI profile', () => {
    const file = writeScwConfig(
      [
        `access_key: ${ACCESS_KEY}`,
        `secret_key: ${SECRET_KEY}`,
        `default_project_id: ${PROJECT_ID}`,
        'default_region: fr-par',
        'profiles:',
        '  staging:',
        `    access_key: ${ACCESS_KEY}`,
        '    secret_key: not-a-uuid-planted',
        `    default_project_id: ${PROJECT_ID}`,
        '    default_region: pl-waw',
        '    api_url: http://127.0.0.1:4600',
        '',
      ].join('\n'),
    );

    it('reads the default profile of SCW_CONFIG_PATH', () => {
      const config = loadConfig({ SCW_CONFIG_PATH: file });

      expect(config.scaleway.secretKey).toBe(SECRET_KEY);
      expect(config.source).toBe(`profile 'default' of ${file}`);
    });

    it('lets SCW_* variables override profile values', () => {
      const config = loadConfig({
        SCW_CONFIG_PATH: file,
        SCW_DEFAULT_REGION: 'nl-ams',
      });

      expect(config.scaleway.region).toBe('nl-ams');
    });

    it('names the profile, file and key of an invalid value', () => {
      const error = loadError({
        SCW_CONFIG_PATH: file,
        SCW_PROFILE: 'staging',
      });

      expect(error.message).toContain('SCW_SECRET_KEY');
      expect(error.message).toContain("secret_key of profile 'staging'");
      expect(error.message).toContain(file);
      expect(error.message).not.toContain('not-a-uuid-planted');
    });

    it('names a missing profile', () => {
      const error = loadError({ SCW_CONFIG_PATH: file, SCW_PROFILE: 'nope' });

      expect(error.keys).toEqual(['SCW_PROFILE']);
      expect(error.message).toContain("profile 'nope'");
    });

    it('names a missing file', () => {
      const error = loadError({ SCW_CONFIG_PATH: `${file}.absent` });

      expect(error.keys).toEqual(['SCW_CONFIG_PATH']);
    });

    it('finds the file under HOME when nothing else is set', () => {
      const home = mkdtempSync(join(tmpdir(), 'evalap-home-'));
      tempDirs.push(home);
      const noFile = loadConfig({ HOME: home });

      expect(noFile.usingLocalPlatform).toBe(true);
    });
  });

  describe('without credentials', () => {
    it('targets the local platform of npm start', () => {
      const config = loadConfig({});

      expect(config.usingLocalPlatform).toBe(true);
      expect(config.scaleway.apiUrl).toBe(
        `http://${LOCAL_DEFAULTS.host}:${LOCAL_DEFAULTS.ports.scalewayApi}`,
      );
      expect(config.scaleway.projectId).toBe(LOCAL_DEFAULTS.projectId);
      expect(config.objectStorage.endpoint).toBe(
        `http://${LOCAL_DEFAULTS.host}:${LOCAL_DEFAULTS.ports.storage}`,
      );
      expect(config.environment).toBe(LOCAL_DEFAULTS.stage);
      expect(config).toEqual(localPlatformConfig());
      expect(describeConfig(config)).toContain('local platform');
      expect(describeConfig(config)).not.toContain(LOCAL_DEFAULTS.secretKey);
    });

    it('recognises the variables printed by npm start', () => {
      const config = loadConfig({
        SCW_API_URL: 'http://127.0.0.1:4700',
        SCW_ACCESS_KEY: LOCAL_DEFAULTS.accessKey,
        SCW_SECRET_KEY: LOCAL_DEFAULTS.secretKey,
        SCW_DEFAULT_PROJECT_ID: LOCAL_DEFAULTS.projectId,
        EVALAP_S3_ENDPOINT: 'http://127.0.0.1:4701',
      });

      expect(config.usingLocalPlatform).toBe(true);
      expect(config.source).toBe('environment');
      expect(config.stateBucket).toBe(stageStateBucket(LOCAL_DEFAULTS.stage));
      expect(config.objectStorage.endpoint).toBe('http://127.0.0.1:4701');
    });

    it("uses the stage of the stack's environment", () => {
      const config = loadConfig({}, { environment: 'dev' });

      expect(config.environment).toBe('dev');
      expect(config.stateBucket).toBe('evalap-infra-state-dev');
      expect(config.auditQueueUrl).toMatch(/\/evalap-audit-dev$/);
      expect(config).toEqual(localPlatformConfig('dev'));
    });

    it('lets a set EVALAP_ENVIRONMENT win over the stack', () => {
      const config = loadConfig(
        { EVALAP_ENVIRONMENT: 'staging' },
        { environment: 'dev' },
      );

      expect(config.environment).toBe('staging');
      expect(config.stateBucket).toBe('evalap-infra-state-staging');
    });

    it('still honours endpoint overrides', () => {
      const config = loadConfig({ SCW_API_URL: 'http://127.0.0.1:5000' });

      expect(config.usingLocalPlatform).toBe(true);
      expect(config.scaleway.apiUrl).toBe('http://127.0.0.1:5000');
    });
  });
});

describe('describeConfig', () => {
  const localUrl = `http://${LOCAL_DEFAULTS.host}:${LOCAL_DEFAULTS.ports.scalewayApi}`;

  it.each([
    {
      case: 'no credentials: the local platform, said once',
      env: {},
      line:
        `Target: the local platform of npm start at ${localUrl} ` +
        '(no Scaleway credentials set), ' +
        `project ${LOCAL_DEFAULTS.projectId}, region fr-par`,
    },
    {
      case: 'the variables npm start prints',
      env: {
        SCW_API_URL: 'http://127.0.0.1:4700',
        SCW_ACCESS_KEY: LOCAL_DEFAULTS.accessKey,
        SCW_SECRET_KEY: LOCAL_DEFAULTS.secretKey,
      },
      line:
        'Target: the local platform of npm start at http://127.0.0.1:4700 ' +
        '(credentials from environment), ' +
        `project ${LOCAL_DEFAULTS.projectId}, region fr-par`,
    },
    {
      case: 'Scaleway credentials',
      env: VALID_ENV,
      line:
        'Target: the Scaleway API at https://api.scaleway.com ' +
        `(credentials from environment), project ${PROJECT_ID}, ` +
        'region fr-par',
    },
  ])('describes $case in one line, one level of parentheses', (row) => {
    const line = describeConfig(loadConfig(row.env));

    expect(line).toBe(row.line);
    expect(line).not.toMatch(/\([^)]*\(/);
    expect(line).not.toContain(SECRET_KEY);
  });
});
