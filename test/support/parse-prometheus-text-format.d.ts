// Minimal typing of parse-prometheus-text-format@1 (a test-only dependency without its own types).
declare module 'parse-prometheus-text-format' {
  export interface ParsedSample {
    labels?: Record<string, string>;
    value?: string;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }
  export interface ParsedFamily { name: string; help: string; type: string; metrics: ParsedSample[] }
  export default function parsePrometheusTextFormat(text: string): ParsedFamily[];
}
