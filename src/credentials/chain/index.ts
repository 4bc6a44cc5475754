// Public file of credential chains in the credentials module: the resolvers and the Kubeconfig serial index.
export { registerCredentialLinks, type CredentialLinkDeps } from './links.ts';
export { KubeconfigLinks, kubeconfigOwnerAdmission, kubeconfigLink } from './kubeconfig-links.ts';
