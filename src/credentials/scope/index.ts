// Public file of credential scope: what a scoped credential may touch and the filter that enforces it.
export { clusterAccess, scopeViolation, requestScope, setRequestScope, addInheritedScope, withCredentialScope, type RequestScope } from './scope.ts';
