// Public file of credential scope: what a scoped credential may touch and the gate that enforces it.
export {
  clusterAccess, scopeViolation, requestScope, scopeRestriction, credentialScopeGate, type RequestScope,
} from './scope.ts';
