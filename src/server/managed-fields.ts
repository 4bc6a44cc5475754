// Adapts the server-side-apply bookkeeping to the store's write hook: every write records its field manager.
import type { ManagedFieldsHook } from '../apiserver/registry/store.ts';
import { groupVersion } from '../apiserver/registry/types.ts';
import { recordUpdate } from '../apiserver/patch/managed-fields.ts';
import { nowTimestamp } from '../apiserver/registry/object-meta.ts';
import { patchSchemaForType } from '../apiserver/patch/patch-schema.ts';

export const recordManagedFields: ManagedFieldsHook = (old, obj, manager, t) =>
  recordUpdate(old, obj, manager, 'Update', groupVersion(t), nowTimestamp(), undefined, patchSchemaForType(t));
