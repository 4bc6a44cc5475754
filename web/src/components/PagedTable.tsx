// A table over a server-paginated, server-searched list (?search=&limit=&continue=): the browser holds one page.
import { useState, type ReactNode } from 'react';
import {
  Alert, Paper, Table, TableBody, TableCell, TableContainer, TableHead, TablePagination, TableRow, TextField, Toolbar,
} from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { get, qs } from '../lib/api.ts';
import type { Page } from '../lib/types.ts';
import { useDebounced } from './SearchSelect.tsx';

export interface Column<T> { label: string; render: (t: T) => ReactNode }

interface Props<T> {
  title: string;
  path: string;
  params?: Record<string, string | undefined>;
  columns: Column<T>[];
  rowKey: (t: T) => string;
  searchLabel?: string;
  toolbar?: ReactNode;
  /** Bumped by the caller to refetch after a change. */
  version?: number;
}

export function PagedTable<T>(p: Props<T>) {
  const [input, setInput] = useState('');
  const search = useDebounced(input);
  const [rowsPerPage, setRowsPerPage] = useState(25);
  const [pageNo, setPageNo] = useState(0);
  const [tokens, setTokens] = useState<Array<string | undefined>>([undefined]);
  const reset = () => { setPageNo(0); setTokens([undefined]); };
  const q = useQuery({
    queryKey: ['table', p.path, p.params, search, rowsPerPage, tokens[pageNo], p.version],
    queryFn: ({ signal }) => get<Page<T>>(`${p.path}${qs({ ...p.params, search, limit: rowsPerPage, continue: tokens[pageNo] })}`, signal),
    placeholderData: (prev) => prev,
  });
  const items = q.data?.items ?? [];
  return (
    <Paper>
      <Toolbar sx={{ gap: 2, flexWrap: 'wrap', py: 1 }}>
        <TextField size="small" label={p.searchLabel ?? `Search ${p.title.toLowerCase()}`} value={input} type="search"
          onChange={(e) => { setInput(e.target.value); reset(); }} />
        {p.toolbar}
      </Toolbar>
      {q.isError && <Alert severity="error" role="alert">{(q.error as Error).message}</Alert>}
      <TableContainer>
        <Table size="small" aria-label={p.title}>
          <TableHead>
            <TableRow>{p.columns.map((c) => <TableCell key={c.label} component="th" scope="col">{c.label}</TableCell>)}</TableRow>
          </TableHead>
          <TableBody>
            {items.map((t) => <TableRow key={p.rowKey(t)} hover>{p.columns.map((c) => <TableCell key={c.label}>{c.render(t)}</TableCell>)}</TableRow>)}
            {!q.isPending && items.length === 0 && (
              <TableRow><TableCell colSpan={p.columns.length}>{search ? 'Nothing matches the search.' : 'Nothing here yet.'}</TableCell></TableRow>
            )}
          </TableBody>
        </Table>
      </TableContainer>
      <TablePagination component="div" count={q.data?.total ?? 0} page={pageNo} rowsPerPage={rowsPerPage} rowsPerPageOptions={[10, 25, 50, 100]}
        onPageChange={(_, n) => {
          if (n > pageNo && q.data?.continue) setTokens((t) => [...t.slice(0, n), q.data!.continue]);
          setPageNo(n);
        }}
        onRowsPerPageChange={(e) => { setRowsPerPage(Number(e.target.value)); reset(); }} />
    </Paper>
  );
}
