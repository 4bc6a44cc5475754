// Audit: recent requests to one tenant cluster, newest first, filtered by who, verb, resource and decision (read
// back from the audit log by the server; its managers and global admins may read it).
import { useState } from 'react';
import {
  Alert, Button, Chip, MenuItem, Paper, Stack, Table, TableBody, TableCell, TableContainer, TableHead, TableRow, TextField, Typography,
} from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useSearch } from 'wouter';
import { get, qs } from '../lib/api.ts';
import type { AuditItem, TenantItem } from '../lib/types.ts';
import { SearchSelect, type Option, useDebounced } from '../components/SearchSelect.tsx';
import { useProject } from '../lib/project.tsx';

export default function Audit() {
  const { project } = useProject();
  const initial = new URLSearchParams(useSearch()).get('cluster');
  const [cluster, setCluster] = useState<Option | null>(initial ? { value: initial, label: initial } : null);
  const [filters, setFilters] = useState({ user: '', verb: '', resource: '', decision: '' });
  const [before, setBefore] = useState<string[]>([]);
  const f = useDebounced(filters);
  const q = useQuery({
    queryKey: ['audit', cluster?.value, f, before.at(-1)],
    enabled: !!cluster,
    queryFn: ({ signal }) => get<{ items: AuditItem[]; complete: boolean }>(`/platform/v1/audit${qs({ cluster: cluster!.value, ...f, before: before.at(-1), limit: 50 })}`, signal),
  });
  const items = q.data?.items ?? [];
  const set = (k: keyof typeof filters, v: string) => { setFilters({ ...filters, [k]: v }); setBefore([]); };
  return (
    <Stack spacing={2}>
      <Typography variant="h4" component="h1">Audit</Typography>
      <Paper sx={{ p: 2 }}>
        <Stack sx={{ flexWrap: 'wrap' }} direction={{ xs: 'column', md: 'row' }} spacing={1} useFlexGap>
          <SearchSelect<TenantItem> id="audit-cluster" label="Tenant cluster" path="/platform/v1/tenantclusters" params={{ project }} sx={{ minWidth: 220 }} size="small"
            toOption={(t) => ({ value: t.name, label: t.name })} value={cluster} onChange={(o) => { setCluster(o); setBefore([]); }} />
          <TextField size="small" label="User" value={filters.user} onChange={(e) => set('user', e.target.value)} />
          <TextField size="small" label="Verb" value={filters.verb} onChange={(e) => set('verb', e.target.value)} />
          <TextField size="small" label="Resource" value={filters.resource} onChange={(e) => set('resource', e.target.value)} />
          <TextField size="small" select label="Decision" value={filters.decision} onChange={(e) => set('decision', e.target.value)} sx={{ minWidth: 120 }}>
            <MenuItem value="">Any</MenuItem><MenuItem value="allow">allow</MenuItem><MenuItem value="forbid">forbid</MenuItem>
          </TextField>
        </Stack>
      </Paper>
      {!cluster && <Alert severity="info">Choose a tenant cluster to see its recent requests.</Alert>}
      {q.isError && <Alert severity="error" role="alert">{(q.error as Error).message}</Alert>}
      {cluster && (
        <TableContainer component={Paper}>
          <Table size="small" aria-label="Audit events">
            <TableHead><TableRow>
              {['Time', 'User', 'Verb', 'Resource', 'Namespace', 'Name', 'Code', 'Decision', 'Reason'].map((h) => <TableCell key={h} component="th" scope="col">{h}</TableCell>)}
            </TableRow></TableHead>
            <TableBody>
              {items.map((e) => (
                <TableRow key={`${e.auditID}/${e.time}`}>
                  <TableCell>{new Date(e.time).toLocaleString()}</TableCell><TableCell>{e.user}</TableCell><TableCell>{e.verb}</TableCell>
                  <TableCell>{e.resource ?? e.uri}</TableCell><TableCell>{e.namespace ?? ''}</TableCell><TableCell>{e.name ?? ''}</TableCell>
                  <TableCell>{e.code ?? ''}</TableCell>
                  <TableCell>{e.decision && <Chip size="small" label={e.decision} color={e.decision === 'allow' ? 'success' : 'error'} />}</TableCell>
                  <TableCell sx={{ maxWidth: 360, overflowWrap: 'anywhere' }}>{e.reason ?? ''}</TableCell>
                </TableRow>
              ))}
              {q.isSuccess && items.length === 0 && <TableRow><TableCell colSpan={9}>No matching events.</TableCell></TableRow>}
            </TableBody>
          </Table>
        </TableContainer>
      )}
      {cluster && (
        <Stack direction="row" spacing={1}>
          <Button disabled={before.length === 0} onClick={() => setBefore(before.slice(0, -1))}>Newer</Button>
          <Button disabled={items.length < 50} onClick={() => setBefore([...before, items[items.length - 1].time])}>Older</Button>
        </Stack>
      )}
    </Stack>
  );
}
