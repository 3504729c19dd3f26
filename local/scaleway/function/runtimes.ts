/** A runtime as `GET /runtimes` lists it. */
export interface RuntimeRecord {
  name: string;
  language: string;
  version: string;
  default_handler: string;
  code_sample: string;
  status: 'available' | 'deprecated' | 'end_of_support' | 'end_of_life';
  status_message: string;
  extension: string;
  implementation: string;
  logo_url: string;
}

function runtime(
  name: string,
  language: string,
  version: string,
  extension: string,
  defaultHandler: string,
): RuntimeRecord {
  return {
    name,
    language,
    version,
    default_handler: defaultHandler,
    code_sample: '',
    status: 'available',
    status_message: '',
    extension,
    implementation: 'image',
    logo_url: '',
  };
}

/**
 * The runtimes the local Functions API accepts (a subset of Scaleway's,
 * all `available`).
 */
export const RUNTIMES: readonly RuntimeRecord[] = [
  runtime('node18', 'Node', '18', '.js', 'handler.handle'),
  runtime('node20', 'Node', '20', '.js', 'handler.handle'),
  runtime('node22', 'Node', '22', '.js', 'handler.handle'),
  runtime('python311', 'Python', '3.11', '.py', 'handler.handle'),
  runtime('python312', 'Python', '3.12', '.py', 'handler.handle'),
  runtime('python313', 'Python', '3.13', '.py', 'handler.handle'),
  runtime('go122', 'Go', '1.22', '.go', 'Handle'),
  runtime('go123', 'Go', '1.23', '.go', 'Handle'),
  runtime('go124', 'Go', '1.24', '.go', 'Handle'),
];

/** Whether `name` is a runtime the local API accepts. */
export function isKnownRuntime(name: string): boolean {
  return RUNTIMES.some((candidate) => candidate.name === name);
}
