/** Serverless Functions (v1beta1) for the local Scaleway API. */
export {
  type FunctionProductOptions,
  functionProduct,
  readFunctionArchive,
  readFunctionDeployments,
} from './product.ts';
export type { CronRecord, TriggerRecord } from './trigger-routes.ts';
