import { z } from 'zod';
import type { PlatformClock } from '../../controls/clock.ts';
import {
  type AccountDefaults,
  byFields,
  newId,
  noContent,
  ok,
  paginate,
  parseBody,
  parseQuery,
  pathParam,
  queryArray,
  queryBoolean,
  queryString,
  type Router,
  timestamp,
} from '../core/index.ts';
import {
  type ApplicationRecord,
  applicationToWire,
  IAM_BASE,
  type IamCollections,
} from './records.ts';
import { IAM_DESCRIPTION, IAM_NAME, IAM_TAGS } from './schemas.ts';

const CreateApplicationBody = z.object({
  name: IAM_NAME,
  organization_id: z.guid().nullish(),
  description: IAM_DESCRIPTION,
  tags: IAM_TAGS,
});

const UpdateApplicationBody = z.object({
  name: IAM_NAME.nullish(),
  description: IAM_DESCRIPTION,
  tags: IAM_TAGS,
});

const ListApplicationsQuery = z.object({
  organization_id: queryString(),
  name: queryString(),
  tag: queryString(),
  application_ids: queryArray(z.string()),
  editable: queryBoolean(),
});

const ORDERINGS = byFields<ApplicationRecord>({
  name: (application) => application.name,
  created_at: (application) => application.created_at,
  updated_at: (application) => application.updated_at,
});

/** Registers the application routes. */
export function registerApplicationRoutes(
  router: Router,
  collections: IamCollections,
  clock: PlatformClock,
  account: AccountDefaults,
): void {
  const { applications } = collections;
  const wire = (application: ApplicationRecord) =>
    ok(applicationToWire(collections, application));
  const idOf = (params: Readonly<Record<string, string>>) =>
    pathParam(params, 'application_id');

  router.post(`${IAM_BASE}/applications`, (request) => {
    const input = parseBody(CreateApplicationBody, request.body);
    const now = timestamp(clock);

    return wire(
      applications.insert({
        id: newId(),
        name: input.name,
        description: input.description ?? '',
        created_at: now,
        updated_at: now,
        organization_id: input.organization_id ?? account.organizationId,
        editable: true,
        deletable: true,
        managed: false,
        tags: input.tags ?? [],
      }),
    );
  });

  router.get(`${IAM_BASE}/applications`, (request) => {
    const query = parseQuery(ListApplicationsQuery, request.query);
    const ids = query.application_ids;

    const matching = applications.filter(
      (application) =>
        (query.organization_id === undefined ||
          application.organization_id === query.organization_id) &&
        (query.name === undefined || application.name.includes(query.name)) &&
        (query.tag === undefined || application.tags.includes(query.tag)) &&
        (ids === undefined || ids.includes(application.id)) &&
        (query.editable === undefined ||
          application.editable === query.editable),
    );
    const page = paginate(matching, request.query, ORDERINGS, 'created_at_asc');

    return ok({
      applications: page.items.map((application) =>
        applicationToWire(collections, application),
      ),
      total_count: page.totalCount,
    });
  });

  router.get(`${IAM_BASE}/applications/{application_id}`, (request) =>
    wire(applications.require(idOf(request.params))),
  );

  router.patch(`${IAM_BASE}/applications/{application_id}`, (request) => {
    const id = idOf(request.params);
    applications.require(id);
    const input = parseBody(UpdateApplicationBody, request.body);

    return wire(
      applications.update(id, (current) => ({
        ...current,
        name: input.name ?? current.name,
        description: input.description ?? current.description,
        tags: input.tags ?? current.tags,
        updated_at: timestamp(clock),
      })),
    );
  });

  router.delete(`${IAM_BASE}/applications/{application_id}`, (request) => {
    const application = applications.require(idOf(request.params));
    for (const key of collections.apiKeys.all()) {
      if (key.application_id === application.id) {
        collections.apiKeys.delete(key.access_key);
      }
    }
    applications.delete(application.id);

    return noContent();
  });
}
