import { ok, paginate, parseBody, type Router } from '../core/index.ts';
import {
  engineAddress,
  RDB_BASE,
  type RdbContext,
  requireInstance,
} from './context.ts';
import type { AclRule } from './model.ts';
import { AclRulesBody, DeleteAclRulesBody, toCidr } from './schemas.ts';

const ACLS = `${RDB_BASE}/instances/{instance_id}/acls`;

/**
 * Registers the ACL routes of an instance's public endpoint: list, add,
 * set (replace all) and delete by IP. A new instance starts with the open
 * rule `0.0.0.0/0`, as on Scaleway.
 */
export function registerAclRoutes(router: Router, context: RdbContext): void {
  const { instances } = context;
  const toRule = (ip: string, description: string | undefined): AclRule => ({
    ip: toCidr(ip),
    port: engineAddress(context).port,
    protocol: 'tcp',
    direction: 'inbound',
    action: 'allow',
    description: description ?? '',
  });

  router.get(ACLS, (request) => {
    const instance = requireInstance(context, request.params);
    const page = paginate(instance.acl_rules, request.query);

    return ok({ rules: page.items, total_count: page.totalCount });
  });

  router.put(ACLS, (request) => {
    const instance = requireInstance(context, request.params);
    const body = parseBody(AclRulesBody, request.body);
    const rules = body.rules.map((rule) => toRule(rule.ip, rule.description));

    instances.update(instance.id, (current) => ({
      ...current,
      acl_rules: rules,
    }));

    return ok({ rules });
  });

  router.post(ACLS, (request) => {
    const instance = requireInstance(context, request.params);
    const body = parseBody(AclRulesBody, request.body);
    const known = new Set(instance.acl_rules.map((rule) => rule.ip));
    const added = body.rules
      .map((rule) => toRule(rule.ip, rule.description))
      .filter((rule) => !known.has(rule.ip));

    instances.update(instance.id, (current) => ({
      ...current,
      acl_rules: [...current.acl_rules, ...added],
    }));

    return ok({ rules: added });
  });

  router.delete(ACLS, (request) => {
    const instance = requireInstance(context, request.params);
    const body = parseBody(DeleteAclRulesBody, request.body);
    const ips = new Set(body.acl_rule_ips.map(toCidr));
    const deleted = instance.acl_rules.filter((rule) => ips.has(rule.ip));

    instances.update(instance.id, (current) => ({
      ...current,
      acl_rules: current.acl_rules.filter((rule) => !ips.has(rule.ip)),
    }));

    return ok({ rules: deleted });
  });
}
