// Protobuf descriptors of authorization.k8s.io/v1 (access and rules reviews) and authentication.k8s.io/v1
// (TokenRequest, TokenReview, SelfSubjectReview). Status fields are server-owned and ignored on input.
import type { KindSpec, MessageSpecs } from './protobuf-schema.ts';

export const authMessages: MessageSpecs = {
  // authorization.k8s.io/v1
  FieldSelectorAttributes: { rawSelector: [1, 'string'], requirements: [2, 'FieldSelectorRequirement', 'r'] },
  LabelSelectorAttributes: { rawSelector: [1, 'string'], requirements: [2, 'LabelSelectorRequirement', 'r'] },
  ResourceAttributes: {
    namespace: [1, 'string'], verb: [2, 'string'], group: [3, 'string'], version: [4, 'string'],
    resource: [5, 'string'], subresource: [6, 'string'], name: [7, 'string'],
    fieldSelector: [8, 'FieldSelectorAttributes'], labelSelector: [9, 'LabelSelectorAttributes'],
  },
  NonResourceAttributes: { path: [1, 'string'], verb: [2, 'string'] },
  SubjectAccessReviewSpec: {
    resourceAttributes: [1, 'ResourceAttributes'], nonResourceAttributes: [2, 'NonResourceAttributes'],
    user: [3, 'string'], groups: [4, 'string', 'r'], extra: [5, 'ExtraValue', 'm'], uid: [6, 'string'],
  },
  SelfSubjectAccessReviewSpec: {
    resourceAttributes: [1, 'ResourceAttributes'], nonResourceAttributes: [2, 'NonResourceAttributes'],
  },
  SubjectAccessReview: { metadata: [1, 'ObjectMeta', 'v'], spec: [2, 'SubjectAccessReviewSpec', 'v'], status: [3, 'bytes', 'x'] },
  LocalSubjectAccessReview: { metadata: [1, 'ObjectMeta', 'v'], spec: [2, 'SubjectAccessReviewSpec', 'v'], status: [3, 'bytes', 'x'] },
  SelfSubjectAccessReview: { metadata: [1, 'ObjectMeta', 'v'], spec: [2, 'SelfSubjectAccessReviewSpec', 'v'], status: [3, 'bytes', 'x'] },
  SelfSubjectRulesReviewSpec: { namespace: [1, 'string'] },
  SelfSubjectRulesReview: { metadata: [1, 'ObjectMeta', 'v'], spec: [2, 'SelfSubjectRulesReviewSpec', 'v'], status: [3, 'bytes', 'x'] },
  // authentication.k8s.io/v1
  BoundObjectReference: { kind: [1, 'string'], apiVersion: [2, 'string'], name: [3, 'string'], uid: [4, 'string'] },
  TokenRequestSpec: {
    audiences: [1, 'string', 'r'], expirationSeconds: [4, 'int64', 'p'], boundObjectRef: [3, 'BoundObjectReference'],
  },
  TokenRequest: { metadata: [1, 'ObjectMeta', 'v'], spec: [2, 'TokenRequestSpec', 'v'], status: [3, 'bytes', 'x'] },
  TokenReviewSpec: { token: [1, 'string'], audiences: [2, 'string', 'r'] },
  TokenReview: { metadata: [1, 'ObjectMeta', 'v'], spec: [2, 'TokenReviewSpec', 'v'], status: [3, 'bytes', 'x'] },
  SelfSubjectReview: { metadata: [1, 'ObjectMeta', 'v'], status: [2, 'bytes', 'x'] },
};

const authz = 'authorization.k8s.io/v1';
const authn = 'authentication.k8s.io/v1';
export const authKinds: KindSpec[] = [
  ...['SubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview']
    .map((kind) => ({ apiVersion: authz, kind, message: kind })),
  ...['TokenRequest', 'TokenReview', 'SelfSubjectReview'].map((kind) => ({ apiVersion: authn, kind, message: kind })),
];
