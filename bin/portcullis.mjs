#!/usr/bin/env -S node --max-semi-space-size=32
// Entry point of the portcullis command: loads the TypeScript sources through tsx. A 32 MB young generation
// (Node's default is 16 MB) keeps a burst of provisioning's short-lived objects out of the old generation, whose
// mark-compact pauses (150–220 ms with 10,000 tenant clusters) were the create→Ready p99 (bench/RESULTS.md).
import { register } from 'tsx/esm/api';
register();
await import('../src/main.ts');
