export { issueMessage } from './issue.ts';
