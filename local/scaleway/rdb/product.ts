import type { DatabaseEngine } from '../../postgres/engine.ts';
import {
  defineProduct,
  ok,
  type Router,
  type ScalewayProduct,
  ServerFailureError,
} from '../core/index.ts';
import { registerAclRoutes } from './acl-routes.ts';
import { RDB_BASE, type RdbContext, requireInstance } from './context.ts';
import { registerDatabaseRoutes } from './database-routes.ts';
import { registerEndpointRoutes } from './endpoint-routes.ts';
import { registerInstanceRoutes } from './instance-routes.ts';
import type { InstanceRecord } from './model.ts';
import { registerPrivilegeRoutes } from './privilege-routes.ts';
import { registerUserRoutes } from './user-routes.ts';

/** Options of {@link rdbProduct}. */
export interface RdbProductOptions {
  /**
   * The PostgreSQL server behind every instance. Users, passwords,
   * databases and privileges changed through the API change its roles,
   * databases and grants, and the certificate route returns its CA.
   * Default: none (API shape only: users, databases and privileges are
   * kept in the API's records, the certificate route answers 503).
   */
  engine?: DatabaseEngine;
}

/**
 * The Managed Databases API (RDB v1): instances with encryption at rest,
 * endpoints, users, logical databases, privileges, ACL rules and the TLS
 * certificate.
 *
 * @example
 * const engine = await startPostgres({ port: 0 });
 * const api = await startScalewayApi({ products: [
 *   ...defaultScalewayProducts(), rdbProduct({ engine }) ] });
 */
export function rdbProduct(options: RdbProductOptions = {}): ScalewayProduct {
  return defineProduct({
    name: 'rdb',
    register({ router, store, clock, account }) {
      const context: RdbContext = {
        instances: store.collection<InstanceRecord>({
          kind: 'rdb.instance',
          resource: 'instance',
        }),
        clock,
        account,
        engine: options.engine,
      };

      registerInstanceRoutes(router, context);
      registerEndpointRoutes(router, context);
      registerUserRoutes(router, context);
      registerDatabaseRoutes(router, context);
      registerPrivilegeRoutes(router, context);
      registerAclRoutes(router, context);
      registerCertificateRoute(router, context);
    },
  });
}

/**
 * `GET /instances/{id}/certificate`: with `dl=1` (what the JS SDK sends)
 * the PEM file itself; without, the JSON file object the Go SDK reads
 * (`{name, content_type, content: base64}`).
 */
function registerCertificateRoute(router: Router, context: RdbContext): void {
  router.get(`${RDB_BASE}/instances/{instance_id}/certificate`, (request) => {
    requireInstance(context, request.params);
    if (context.engine === undefined) {
      throw new ServerFailureError(503);
    }

    const pem = context.engine.caCertificatePem();
    if (request.query.get('dl') === '1') {
      return {
        status: 200,
        body: Buffer.from(pem, 'utf8'),
        headers: {
          'content-type': 'application/x-pem-file',
          'content-disposition': 'attachment; filename="ssl_certificate.pem"',
        },
      };
    }

    return ok({
      name: 'ssl_certificate',
      content_type: 'application/x-pem-file',
      content: Buffer.from(pem, 'utf8').toString('base64'),
    });
  });
}
