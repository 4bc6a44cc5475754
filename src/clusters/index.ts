// Public surface of connected clusters: the server module (the proxy, webhook mode, role mapping upstream).
export { clustersModule, type ClustersModuleOptions } from './module.ts';
