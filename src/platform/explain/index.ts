// Public file of explain: why a user can or cannot make a request, step by step, and its /platform/v1 route.
export { explain, resolveResource, type ExplainRequest, type ExplainResult, type ExplainLayer } from './explain.ts';
export { explainRoute, EXPLAIN_PATH } from './explain-route.ts';
export { setupExplain } from './setup.ts';
