import { Cron } from 'croner';
import { z } from 'zod';
import { ServerlessNotFoundError } from '../container/errors.ts';
import {
  type Collection,
  newId,
  ok,
  paginate,
  parseBody,
  parseQuery,
  pathParam,
  queryString,
  type Router,
  regionParam,
} from '../core/index.ts';
import { FUNCTIONS_BASE, requireFunction } from './function-routes.ts';
import type { FunctionRecord } from './model.ts';

/** A CRON trigger (wire shape). `args` is the JSON body sent to `/`. */
export interface CronRecord {
  id: string;
  function_id: string;
  schedule: string;
  args: Record<string, unknown>;
  name: string;
  status: 'ready' | 'pending' | 'deleting';
  region: string;
}

/** A message (queue) trigger (wire shape; no secret key is kept). */
export interface TriggerRecord {
  id: string;
  name: string;
  description: string;
  function_id: string;
  input_type: 'sqs' | 'scw_sqs' | 'scw_nats';
  status: 'ready' | 'pending' | 'deleting';
  error_message: string | null;
  scw_sqs_config?: {
    queue: string;
    mnq_project_id: string;
    mnq_region: string;
    mnq_credential_id: string;
  };
  sqs_config?: {
    endpoint: string;
    queue_url: string;
    access_key: string;
    secret_key: string;
  };
  scw_nats_config?: Record<string, unknown>;
  region: string;
}

const Schedule = z.string().refine(isFiveFieldCron, {
  message: 'must be a 5-field CRON expression (UTC)',
});

const CreateCronBody = z.object({
  function_id: z.uuid(),
  schedule: Schedule,
  args: z.record(z.string(), z.unknown()).nullish(),
  name: z.string().min(1).max(63).nullish(),
});

const UpdateCronBody = z.object({
  schedule: Schedule.nullish(),
  args: z.record(z.string(), z.unknown()).nullish(),
  name: z.string().min(1).max(63).nullish(),
});

const CreateTriggerBody = z
  .object({
    function_id: z.uuid(),
    name: z.string().min(1).max(63),
    description: z.string().nullish(),
    scw_sqs_config: z
      .object({
        queue: z.string().min(1),
        mnq_project_id: z.uuid(),
        mnq_region: z.string().min(1),
      })
      .optional(),
    sqs_config: z
      .object({
        endpoint: z.string().min(1),
        queue_url: z.string().min(1),
        access_key: z.string().nullish(),
        secret_key: z.string().nullish(),
      })
      .optional(),
    scw_nats_config: z.record(z.string(), z.unknown()).optional(),
  })
  .refine(
    (body) =>
      [body.scw_sqs_config, body.sqs_config, body.scw_nats_config].filter(
        (config) => config !== undefined,
      ).length === 1,
    {
      message:
        'give exactly one of scw_sqs_config, sqs_config, scw_nats_config',
    },
  );

const UpdateTriggerBody = z.object({
  name: z.string().min(1).max(63).nullish(),
  description: z.string().nullish(),
});

const ByFunctionQuery = z.object({
  function_id: queryString(),
  namespace_id: queryString(),
  project_id: queryString(),
});

/** What the trigger routes need. */
export interface TriggerRoutesContext {
  functions: Collection<FunctionRecord>;
  crons: Collection<CronRecord>;
  triggers: Collection<TriggerRecord>;
  /** The namespace and project of a function, for list filters. */
  ownerOf(functionId: string): { namespaceId: string; projectId: string };
}

/**
 * Registers CRON and message trigger routes, and an empty domain list
 * (the plugin polls it after each deploy). Creates reply `pending` and
 * store `ready`; deletes reply 200 with `deleting`.
 */
export function registerTriggerRoutes(
  router: Router,
  context: TriggerRoutesContext,
): void {
  registerCronRoutes(router, context);
  registerMessageTriggerRoutes(router, context);

  // Differs from Scaleway (docs/local-platform.md): custom domains are not
  // emulated; the list is empty.
  router.get(`${FUNCTIONS_BASE}/domains`, () =>
    ok({ domains: [], total_count: 0 }),
  );
}

function registerCronRoutes(router: Router, context: TriggerRoutesContext) {
  const { functions, crons } = context;
  const one = `${FUNCTIONS_BASE}/crons/{cron_id}`;
  const find = (params: Readonly<Record<string, string>>) => {
    const cron = crons.get(pathParam(params, 'cron_id'));
    if (cron === undefined || cron.region !== regionParam(params)) {
      throw new ServerlessNotFoundError('Cron');
    }
    return cron;
  };

  router.post(`${FUNCTIONS_BASE}/crons`, (request) => {
    const body = parseBody(CreateCronBody, request.body);
    const target = requireFunction(functions, request.params, body.function_id);

    const cron = crons.insert({
      id: newId(),
      function_id: target.id,
      schedule: body.schedule,
      args: body.args ?? {},
      name: body.name ?? `cron-${newId().slice(0, 8)}`,
      status: 'ready',
      region: target.region,
    });

    return ok({ ...cron, status: 'pending' });
  });

  router.get(`${FUNCTIONS_BASE}/crons`, (request) => {
    const region = regionParam(request.params);
    const query = parseQuery(ByFunctionQuery, request.query);
    const matching = crons.filter(
      (cron) =>
        cron.region === region &&
        (query.function_id === undefined ||
          cron.function_id === query.function_id),
    );
    const page = paginate(matching, request.query);

    return ok({ crons: page.items, total_count: page.totalCount });
  });

  router.get(one, (request) => ok(find(request.params)));

  router.patch(one, (request) => {
    const current = find(request.params);
    const body = parseBody(UpdateCronBody, request.body);

    const updated = crons.update(current.id, (cron) => ({
      ...cron,
      schedule: body.schedule ?? cron.schedule,
      args: body.args ?? cron.args,
      name: body.name ?? cron.name,
    }));

    return ok({ ...updated, status: 'pending' });
  });

  router.delete(one, (request) => {
    const cron = find(request.params);

    crons.delete(cron.id);

    return ok({ ...cron, status: 'deleting' });
  });
}

function registerMessageTriggerRoutes(
  router: Router,
  context: TriggerRoutesContext,
) {
  const { functions, triggers } = context;
  const one = `${FUNCTIONS_BASE}/triggers/{trigger_id}`;
  const find = (params: Readonly<Record<string, string>>) => {
    const trigger = triggers.get(pathParam(params, 'trigger_id'));
    if (trigger === undefined || trigger.region !== regionParam(params)) {
      throw new ServerlessNotFoundError('Trigger');
    }
    return trigger;
  };

  router.post(`${FUNCTIONS_BASE}/triggers`, (request) => {
    const body = parseBody(CreateTriggerBody, request.body);
    const target = requireFunction(functions, request.params, body.function_id);

    const trigger = triggers.insert({
      id: newId(),
      name: body.name,
      description: body.description ?? '',
      function_id: target.id,
      input_type: inputTypeOf(body),
      status: 'ready',
      error_message: null,
      ...(body.scw_sqs_config === undefined
        ? {}
        : {
            scw_sqs_config: {
              ...body.scw_sqs_config,
              mnq_credential_id: newId(),
            },
          }),
      // Differs from Scaleway (docs/local-platform.md): the SQS secret key
      // is not kept (nor returned); the local queues accept any
      // credentials.
      ...(body.sqs_config === undefined
        ? {}
        : {
            sqs_config: {
              endpoint: body.sqs_config.endpoint,
              queue_url: body.sqs_config.queue_url,
              access_key: body.sqs_config.access_key ?? '',
              secret_key: '',
            },
          }),
      ...(body.scw_nats_config === undefined
        ? {}
        : { scw_nats_config: body.scw_nats_config }),
      region: target.region,
    });

    return ok({ ...trigger, status: 'pending' });
  });

  router.get(`${FUNCTIONS_BASE}/triggers`, (request) => {
    const region = regionParam(request.params);
    const query = parseQuery(ByFunctionQuery, request.query);
    const matching = triggers.filter((trigger) => {
      const owner = context.ownerOf(trigger.function_id);
      return (
        trigger.region === region &&
        (query.function_id === undefined ||
          trigger.function_id === query.function_id) &&
        (query.namespace_id === undefined ||
          owner.namespaceId === query.namespace_id) &&
        (query.project_id === undefined || owner.projectId === query.project_id)
      );
    });
    const page = paginate(matching, request.query);

    return ok({ triggers: page.items, total_count: page.totalCount });
  });

  router.get(one, (request) => ok(find(request.params)));

  router.patch(one, (request) => {
    const current = find(request.params);
    const body = parseBody(UpdateTriggerBody, request.body);

    const updated = triggers.update(current.id, (trigger) => ({
      ...trigger,
      name: body.name ?? trigger.name,
      description: body.description ?? trigger.description,
    }));

    return ok({ ...updated, status: 'pending' });
  });

  router.delete(one, (request) => {
    const trigger = find(request.params);

    triggers.delete(trigger.id);

    return ok({ ...trigger, status: 'deleting' });
  });
}

function inputTypeOf(
  body: z.infer<typeof CreateTriggerBody>,
): TriggerRecord['input_type'] {
  if (body.scw_sqs_config !== undefined) {
    return 'scw_sqs';
  }

  return body.sqs_config === undefined ? 'scw_nats' : 'sqs';
}

function isFiveFieldCron(schedule: string): boolean {
  if (schedule.trim().split(/\s+/).length !== 5) {
    return false;
  }
  try {
    new Cron(schedule, { paused: true, timezone: 'UTC' }).stop();
    return true;
  } catch {
    return false;
  }
}
