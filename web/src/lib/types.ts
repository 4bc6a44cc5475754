// Shapes of the API answers the console reads (a subset of what the server sends).
export interface Capabilities {
  listUsers: boolean; manageUsers: boolean; listTeams: boolean; manageTeams: boolean; readProjects: boolean; manageProjects: boolean;
  readTenantClusters: boolean; createTenantClusters: boolean; updateTenantClusters: boolean; templates: boolean; explain: boolean; allCredentials: boolean;
}
export interface SessionInfo {
  username: string; groups: string[]; credentialId?: string; capabilities: Capabilities; caData: string;
  settings: { ttlSeconds: number; idleTimeoutSeconds: number };
}
export interface Page<T> { items: T[]; continue?: string; total: number }
export interface UserItem { name: string; displayName?: string; email?: string; globalAdmin: boolean; disabled: boolean; groups: string[]; teams: string[] }
export interface UserSummary extends UserItem { projects: Array<{ name: string; displayName?: string; role: string }> }
export interface TeamItem { name: string; displayName?: string; members: string[]; groups: string[]; memberCount: number }
export interface ProjectItem { name: string; displayName?: string; role?: string }
export interface TenantItem {
  name: string; displayName?: string; project: string; phase?: string; apiURL?: string; roles: string[]; reasons: string[]; hostCluster?: string;
}
export interface Scope {
  projects?: string[]; tenantClusters?: string[]; namespaces?: Array<{ cluster: string; namespace: string }>; hostClusters?: string[];
}
export interface CredentialItem {
  id: string; kind: 'AccessKey' | 'PlatformToken' | 'ServiceAccountToken' | 'Kubeconfig'; name: string; user: string; session?: 'cli' | 'browser';
  scope?: Scope; cluster?: string; created?: string; expires?: string; lastUsed?: string; revoked?: boolean; disabled?: boolean;
  /** What it was minted from, nearest first (it dies with any of them). */
  chain?: string[];
}
export interface AccessRule { users?: string[]; teams?: string[]; clusterRole: string }
export interface TenantSpec {
  project: string; displayName?: string; owner?: { user?: string; team?: string }; templateRef?: { name: string };
  access?: { defaultClusterRole?: string; rules?: AccessRule[] }; objects?: string;
}
export interface TenantSettings {
  name: string; spec: TenantSpec; effective: TenantSpec; status?: { phase?: string; apiURL?: string; conditions?: Array<{ type: string; status: string; message: string }> };
  template?: string; templateControls: { accessRules: boolean; defaultClusterRole: boolean; objects: boolean };
  clusterRoles: { builtin: string[]; custom: string[] }; permissions: { manage: boolean; update: boolean };
}
export interface Subject { kind: 'User' | 'Team'; name: string; displayName?: string; role: string; via?: string }
export interface AuditItem {
  auditID: string; time: string; user: string; verb: string; code?: number; decision?: string; reason?: string;
  resource?: string; namespace?: string; name?: string; uri: string; sourceIP?: string;
}
