// Public file of credential scope: what a scoped credential may touch and the gate that enforces it.
export {
  clusterAccess, scopeViolation, requestScope, scopeOf, scopeRestriction, addInheritedScope, credentialScopeGate,
  type RequestScope,
} from './scope.ts';
