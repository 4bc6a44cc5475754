// Small helpers for comma-separated list fields in forms.
export const splitList = (s: string): string[] => [...new Set(s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean))];
export const joinList = (xs: readonly string[] | undefined): string => (xs ?? []).join(', ');
