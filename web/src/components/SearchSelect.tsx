// A searchable picker over a server-side list: the server filters and pages (?search=&limit=), never the browser.
import { useEffect, useState } from 'react';
import { Autocomplete, TextField, type SxProps } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { get, qs } from '../lib/api.ts';
import type { Page } from '../lib/types.ts';

export interface Option { value: string; label: string; hint?: string; data?: unknown }

export function useDebounced<T>(v: T, ms = 250): T {
  const [d, setD] = useState(v);
  useEffect(() => { const t = setTimeout(() => setD(v), ms); return () => clearTimeout(t); }, [v, ms]);
  return d;
}

interface Props<T> {
  label: string;
  /** List endpoint that understands search and limit. */
  path: string;
  params?: Record<string, string | undefined>;
  toOption: (t: T) => Option;
  value: Option | null;
  onChange: (o: Option | null) => void;
  size?: 'small' | 'medium';
  sx?: SxProps;
  id?: string;
  disabled?: boolean;
  helperText?: string;
  variant?: 'outlined' | 'filled';
}

export function SearchSelect<T>(p: Props<T>) {
  const [input, setInput] = useState('');
  const search = useDebounced(input);
  const typed = p.value && input === p.value.label ? '' : search;
  const q = useQuery({
    queryKey: ['search', p.path, p.params, typed],
    queryFn: ({ signal }) => get<Page<T>>(`${p.path}${qs({ ...p.params, search: typed, limit: 20 })}`, signal),
  });
  const options = (q.data?.items ?? []).map(p.toOption);
  return (
    <Autocomplete
      id={p.id}
      size={p.size}
      sx={p.sx}
      disabled={p.disabled}
      options={options}
      value={p.value}
      loading={q.isFetching}
      filterOptions={(x) => x}
      isOptionEqualToValue={(a, b) => a.value === b.value}
      getOptionLabel={(o) => o.label}
      renderOption={(props, o) => {
        const { key, ...rest } = props as typeof props & { key: string };
        return <li key={key} {...rest}>{o.label}{o.hint ? <span style={{ opacity: 0.7, marginLeft: 8 }}>{o.hint}</span> : null}</li>;
      }}
      onInputChange={(_, v) => setInput(v)}
      onChange={(_, v) => p.onChange(v)}
      noOptionsText={q.isError ? (q.error as Error).message : 'No matches'}
      renderInput={(params) => <TextField {...params} label={p.label} helperText={p.helperText} variant={p.variant} />}
    />
  );
}
