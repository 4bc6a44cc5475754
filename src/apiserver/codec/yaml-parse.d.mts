// Types of yaml-parse.mjs (bounded YAML decoding shared by the main thread and the YAML worker).
export const MAX_YAML_ALIASES: number;
export function parseYamlText(text: string, maxDepth: number): unknown;
export function depthOf(value: unknown, max: number): number;
