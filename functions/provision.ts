import { loadConfig } from '../lib/config/index.ts';
import { createLogger } from '../lib/log/index.ts';
import { provisionHandler } from '../lib/provision/handler.ts';
import { provisionContext } from '../lib/provision/runtime.ts';

const config = loadConfig(undefined, {
  require: ['EVALAP_STATE_BUCKET', 'EVALAP_FUNCTION_TOKEN'],
});
const logger = createLogger({ name: 'provision', level: config.logLevel });

/**
 * provision: plan and apply stacks over HTTP (`POST /plan`, `POST /apply`,
 * `POST /patch`, `GET /state/:environment`) and from the provisioning
 * queue. See docs/api.md.
 */
export const handle = provisionHandler({
  auth: { token: config.functionToken },
  logger,
  context: () => provisionContext({ config, logger }),
});
