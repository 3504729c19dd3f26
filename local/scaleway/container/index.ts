/** Serverless Containers (v1beta1) for the local Scaleway API. */
export { ServerlessNotFoundError } from './errors.ts';
export {
  type ContainerDeployments,
  containerProduct,
  readContainerDeployments,
} from './product.ts';
export {
  type HashedSecret,
  hashSecrets,
  mergeSecrets,
  type SecretChange,
} from './secret-environment.ts';
