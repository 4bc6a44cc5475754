// Small helpers over parsed JSON values shared by the patch and apply code.
import { isDeepStrictEqual } from 'node:util';

export type JsonObject = Record<string, unknown>;
export const isObject = (v: unknown): v is JsonObject => !!v && typeof v === 'object' && !Array.isArray(v);
export const jsonEqual = (a: unknown, b: unknown): boolean => isDeepStrictEqual(a, b);
