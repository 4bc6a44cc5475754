// Several values picked from a server-side searched list (the server filters; the browser holds one page of matches).
import { useState } from 'react';
import { Autocomplete, Chip, TextField } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { get, qs } from '../lib/api.ts';
import type { Page } from '../lib/types.ts';
import { useDebounced } from './SearchSelect.tsx';

interface Props<T> {
  id: string;
  label: string;
  path: string;
  params?: Record<string, string | undefined>;
  name: (t: T) => string;
  value: string[];
  onChange: (v: string[]) => void;
  helperText?: string;
}

export function MultiSearchSelect<T>(p: Props<T>) {
  const [input, setInput] = useState('');
  const search = useDebounced(input);
  const q = useQuery({
    queryKey: ['search', p.path, p.params, search],
    queryFn: ({ signal }) => get<Page<T>>(`${p.path}${qs({ ...p.params, search, limit: 20 })}`, signal),
  });
  const options = (q.data?.items ?? []).map(p.name);
  return (
    <Autocomplete
      id={p.id}
      multiple
      options={options}
      value={p.value}
      filterOptions={(x) => x}
      loading={q.isFetching}
      onInputChange={(_, v, reason) => { if (reason !== 'reset') setInput(v); }}
      onChange={(_, v) => p.onChange(v)}
      renderValue={(vals, getItemProps) => vals.map((v, i) => {
        const { key, ...rest } = getItemProps({ index: i });
        return <Chip key={key} size="small" label={v} {...rest} />;
      })}
      noOptionsText={q.isError ? (q.error as Error).message : 'No matches'}
      renderInput={(params) => <TextField {...params} label={p.label} helperText={p.helperText} />}
    />
  );
}
