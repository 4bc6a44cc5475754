// One user: their teams and projects, and the Access Keys tab (seed 000) — create in the drawer, list with scope,
// expiry and last use; rotate (the new secret shown once), disable or enable, delete.
import { useState } from 'react';
import {
  Alert, Box, Button, Chip, Paper, Stack, Tab, Table, TableBody, TableCell, TableContainer, TableHead, TableRow, Tabs, Typography,
} from '@mui/material';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, get, post } from '../lib/api.ts';
import { describeScope } from '../lib/access-keys.ts';
import type { CredentialItem, UserSummary } from '../lib/types.ts';
import { AccessKeyDrawer, SecretDialog } from '../components/AccessKeyDrawer.tsx';
import { FormDialog } from '../components/FormDialog.tsx';
import { useMe } from '../lib/session.tsx';

const when = (s?: string) => (s ? new Date(s).toLocaleString() : '—');

function AccessKeys({ user }: { user: string }) {
  const qc = useQueryClient();
  const [drawer, setDrawer] = useState(false);
  const [rotated, setRotated] = useState<string>();
  const [deleting, setDeleting] = useState<CredentialItem>();
  const [error, setError] = useState<string>();
  const key = ['accesskeys', user];
  const q = useQuery({ queryKey: key, queryFn: () => get<{ items: CredentialItem[] }>(`/platform/v1/accesskeys?user=${encodeURIComponent(user)}`) });
  const refresh = () => void qc.invalidateQueries({ queryKey: key });
  const act = async (f: () => Promise<unknown>) => { setError(undefined); try { await f(); refresh(); } catch (e) { setError((e as Error).message); } };
  const keys = (q.data?.items ?? []).filter((k) => !k.session);
  const nameOf = (k: CredentialItem) => k.id.slice('accesskey:'.length);
  return (
    <Stack spacing={2}>
      <Stack sx={{ justifyContent: 'space-between', alignItems: 'center' }} direction="row">
        <Typography variant="h6" component="h2">Access Keys</Typography>
        <Button variant="contained" onClick={() => setDrawer(true)}>Create Access Key</Button>
      </Stack>
      {(error || q.isError) && <Alert severity="error" role="alert">{error ?? (q.error as Error).message}</Alert>}
      <TableContainer component={Paper}>
        <Table size="small" aria-label="Access keys">
          <TableHead><TableRow>
            {['Display name', 'Scope', 'Expires', 'Last used', 'Status', 'Actions'].map((h) => <TableCell key={h} component="th" scope="col">{h}</TableCell>)}
          </TableRow></TableHead>
          <TableBody>
            {keys.map((k) => (
              <TableRow key={k.id}>
                <TableCell>{k.name}</TableCell>
                <TableCell>{describeScope(k.scope)}</TableCell>
                <TableCell>{when(k.expires)}</TableCell>
                <TableCell>{when(k.lastUsed)}</TableCell>
                <TableCell>{k.disabled ? <Chip size="small" color="warning" label="disabled" /> : <Chip size="small" color="success" label="active" />}</TableCell>
                <TableCell>
                  <Stack direction="row" spacing={1}>
                    <Button size="small" aria-label={`Rotate ${k.name}`} onClick={() => void act(async () => {
                      const r = await post<{ status: { key: string } }>(`/platform/v1/accesskeys/${nameOf(k)}/rotate`, { grace: '0s' });
                      setRotated(r.status.key);
                    })}>Rotate</Button>
                    <Button size="small" aria-label={`${k.disabled ? 'Enable' : 'Disable'} ${k.name}`}
                      onClick={() => void act(() => post(`/platform/v1/accesskeys/${nameOf(k)}/disable`, { disabled: !k.disabled }))}>
                      {k.disabled ? 'Enable' : 'Disable'}
                    </Button>
                    <Button size="small" color="error" aria-label={`Delete ${k.name}`} onClick={() => setDeleting(k)}>Delete</Button>
                  </Stack>
                </TableCell>
              </TableRow>
            ))}
            {q.isSuccess && keys.length === 0 && <TableRow><TableCell colSpan={6}>No access keys yet.</TableCell></TableRow>}
          </TableBody>
        </Table>
      </TableContainer>
      <AccessKeyDrawer user={user} open={drawer} onClose={() => setDrawer(false)} onCreated={refresh} />
      <SecretDialog title="Copy the rotated access key" label="New secret" secret={rotated} onClose={() => setRotated(undefined)} />
      <FormDialog open={!!deleting} danger title={`Delete access key ${deleting?.name ?? ''}?`} submitLabel="Delete" onClose={() => setDeleting(undefined)}
        onSubmit={async () => { await api('DELETE', `/platform/v1/accesskeys/${nameOf(deleting!)}`); refresh(); }}>
        <Typography>Anything using this key stops working at once.</Typography>
      </FormDialog>
    </Stack>
  );
}

export default function UserDetail({ name }: { name: string }) {
  const me = useMe();
  const [tab, setTab] = useState(name === me.username ? 1 : 0);
  const q = useQuery({ queryKey: ['user', name], queryFn: () => get<UserSummary>(`/platform/v1/users/${encodeURIComponent(name)}`) });
  const u = q.data;
  return (
    <Stack spacing={2}>
      <Typography variant="h4" component="h1">{u?.displayName ? `${u.displayName} (${name})` : name}</Typography>
      {q.isError && <Alert severity="error" role="alert">{(q.error as Error).message}</Alert>}
      <Box sx={{ borderBottom: 1, borderColor: 'divider' }}>
        <Tabs value={tab} onChange={(_, v: number) => setTab(v)} aria-label="User sections">
          <Tab label="Overview" id="tab-overview" aria-controls="panel-overview" />
          <Tab label="Access Keys" id="tab-keys" aria-controls="panel-keys" />
        </Tabs>
      </Box>
      <div role="tabpanel" id="panel-overview" aria-labelledby="tab-overview" hidden={tab !== 0}>
        {tab === 0 && u && (
          <Stack spacing={2}>
            <Typography>Email: {u.email ?? '—'}</Typography>
            <Typography>Status: {u.disabled ? 'disabled' : 'active'}{u.globalAdmin ? ', global admin' : ''}</Typography>
            <Typography component="h2" variant="h6">Teams</Typography>
            <Stack sx={{ flexWrap: 'wrap' }} direction="row" spacing={1} useFlexGap>{u.teams.length ? u.teams.map((t) => <Chip key={t} label={t} />) : 'None'}</Stack>
            <Typography component="h2" variant="h6">Projects</Typography>
            <Stack sx={{ flexWrap: 'wrap' }} direction="row" spacing={1} useFlexGap>
              {u.projects.length ? u.projects.map((p) => <Chip key={p.name} label={`${p.name} (${p.role})`} />) : 'None'}
            </Stack>
          </Stack>
        )}
      </div>
      <div role="tabpanel" id="panel-keys" aria-labelledby="tab-keys" hidden={tab !== 1}>
        {tab === 1 && <AccessKeys user={name} />}
      </div>
    </Stack>
  );
}
