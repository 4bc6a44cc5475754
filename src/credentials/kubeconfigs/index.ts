// Public file of Kubeconfig objects: their admission and the controller that issues, renews and revokes.
export { kubeconfigAdmission } from './kubeconfig-admission.ts';
export { KubeconfigController } from './kubeconfig-controller.ts';
