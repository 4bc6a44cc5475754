// Projects: the ones the user can see (with their role); admins open one to change members and roles and the
// credential policy (maximum key/token/certificate lifetimes, unscoped keys).
import { useState } from 'react';
import { Alert, Button, Checkbox, FormControlLabel, MenuItem, Paper, Stack, TextField, Typography } from '@mui/material';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useLocation } from 'wouter';
import { MGMT, api, get, mergePatch } from '../lib/api.ts';
import { useMe } from '../lib/session.tsx';
import { useProject } from '../lib/project.tsx';
import type { ProjectItem } from '../lib/types.ts';
import { PagedTable } from '../components/PagedTable.tsx';
import { FormDialog } from '../components/FormDialog.tsx';

interface Member { user?: string; team?: string; role: 'admin' | 'member' | 'viewer' }
interface Policy { maxKeyTTL?: string; maxTokenTTL?: string; maxCertificateValidity?: string; allowUnscopedKeys?: boolean }
interface ProjectObject { metadata: { name: string }; spec: { displayName?: string; members?: Member[]; credentialPolicy?: Policy } }

function ProjectSettings({ name, canManage }: { name: string; canManage: boolean }) {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['project', name], queryFn: () => get<ProjectObject>(`${MGMT}/projects/${encodeURIComponent(name)}`) });
  const [members, setMembers] = useState<Member[]>();
  const [policy, setPolicy] = useState<Policy>();
  const [msg, setMsg] = useState<{ ok: boolean; text: string }>();
  const m = members ?? q.data?.spec.members ?? [];
  const p = policy ?? q.data?.spec.credentialPolicy ?? {};
  const save = async () => {
    setMsg(undefined);
    try {
      await mergePatch(`${MGMT}/projects/${encodeURIComponent(name)}`, { spec: { members: m, credentialPolicy: p } });
      setMembers(undefined); setPolicy(undefined);
      await qc.invalidateQueries({ queryKey: ['project', name] });
      setMsg({ ok: true, text: 'Saved.' });
    } catch (e) { setMsg({ ok: false, text: (e as Error).message }); }
  };
  if (q.isError) return <Alert severity="error" role="alert">{(q.error as Error).message}</Alert>;
  return (
    <Paper sx={{ p: 2 }}>
      <Stack spacing={2}>
        <Typography variant="h6" component="h2">Project {name}</Typography>
        <Typography variant="subtitle1" component="h3">Members and roles</Typography>
        {m.map((x, i) => (
          <Stack sx={{ flexWrap: 'wrap' }} key={i} direction="row" spacing={1} useFlexGap>
            <Typography sx={{ minWidth: 160, alignSelf: 'center' }}>{x.user ? `user ${x.user}` : `team ${x.team}`}</Typography>
            <TextField size="small" select label={`Role of member ${i + 1}`} value={x.role} disabled={!canManage}
              onChange={(e) => setMembers(m.map((y, j) => (j === i ? { ...y, role: e.target.value as Member['role'] } : y)))} sx={{ minWidth: 140 }}>
              {['admin', 'member', 'viewer'].map((r) => <MenuItem key={r} value={r}>{r}</MenuItem>)}
            </TextField>
            {canManage && <Button onClick={() => setMembers(m.filter((_, j) => j !== i))}>Remove</Button>}
          </Stack>
        ))}
        {canManage && <AddMember onAdd={(x) => setMembers([...m, x])} />}
        <Typography variant="subtitle1" component="h3">Credential policy</Typography>
        <Stack sx={{ flexWrap: 'wrap' }} direction="row" spacing={1} useFlexGap>
          {(['maxKeyTTL', 'maxTokenTTL', 'maxCertificateValidity'] as const).map((k) => (
            <TextField key={k} size="small" label={k} value={p[k] ?? ''} disabled={!canManage} helperText="e.g. 720h"
              onChange={(e) => setPolicy({ ...p, [k]: e.target.value || undefined })} />
          ))}
        </Stack>
        <FormControlLabel control={<Checkbox checked={p.allowUnscopedKeys !== false} disabled={!canManage}
          onChange={(e) => setPolicy({ ...p, allowUnscopedKeys: e.target.checked })} />} label="Allow unscoped access keys" />
        {msg && <Alert severity={msg.ok ? 'success' : 'error'} role={msg.ok ? 'status' : 'alert'}>{msg.text}</Alert>}
        {canManage && <Button variant="contained" sx={{ alignSelf: 'flex-start' }} onClick={() => void save()}>Save changes</Button>}
      </Stack>
    </Paper>
  );
}

function AddMember({ onAdd }: { onAdd: (m: Member) => void }) {
  const [who, setWho] = useState('');
  const [kind, setKind] = useState<'user' | 'team'>('user');
  const [role, setRole] = useState<Member['role']>('member');
  return (
    <Stack sx={{ flexWrap: 'wrap' }} direction="row" spacing={1} useFlexGap>
      <TextField size="small" select label="Kind" value={kind} onChange={(e) => setKind(e.target.value as 'user' | 'team')} sx={{ minWidth: 100 }}>
        <MenuItem value="user">user</MenuItem><MenuItem value="team">team</MenuItem>
      </TextField>
      <TextField size="small" label="New member" value={who} onChange={(e) => setWho(e.target.value)} />
      <TextField size="small" select label="Role" value={role} onChange={(e) => setRole(e.target.value as Member['role'])} sx={{ minWidth: 120 }}>
        {['admin', 'member', 'viewer'].map((r) => <MenuItem key={r} value={r}>{r}</MenuItem>)}
      </TextField>
      <Button disabled={!who} onClick={() => { onAdd({ [kind]: who.trim(), role } as Member); setWho(''); }}>Add member</Button>
    </Stack>
  );
}

export default function Projects() {
  const me = useMe();
  const { setProject } = useProject();
  const [, navigate] = useLocation();
  const [open, setOpen] = useState<string>();
  const [creating, setCreating] = useState(false);
  const [newName, setNewName] = useState('');
  const [version, setVersion] = useState(0);
  return (
    <Stack spacing={2}>
      <Typography variant="h4" component="h1">Projects</Typography>
      <PagedTable<ProjectItem> title="Projects" path="/platform/v1/projects" rowKey={(p) => p.name} version={version}
        toolbar={me.capabilities.manageProjects && <Button variant="contained" onClick={() => setCreating(true)}>Create project</Button>}
        columns={[
          { label: 'Project', render: (p) => p.name },
          { label: 'Display name', render: (p) => p.displayName ?? '' },
          { label: 'Your role', render: (p) => p.role ?? 'tenant cluster access' },
          { label: 'Actions', render: (p) => <Stack direction="row" spacing={1}>
            <Button size="small" aria-label={`Tenant clusters of ${p.name}`} onClick={() => { setProject(p.name); navigate('/tenant-clusters'); }}>Tenant clusters</Button>
            {me.capabilities.readProjects && <Button size="small" aria-label={`Settings of ${p.name}`} onClick={() => setOpen(p.name)}>Settings</Button>}
          </Stack> },
        ]} />
      {open && <ProjectSettings key={open} name={open} canManage={me.capabilities.manageProjects} />}
      <FormDialog open={creating} title="Create project" submitLabel="Create" onClose={() => setCreating(false)} onSubmit={async () => {
        await api('POST', `${MGMT}/projects`, { apiVersion: 'management.portcullis.io/v1', kind: 'Project', metadata: { name: newName }, spec: {} });
        setNewName(''); setVersion((v) => v + 1);
      }}>
        <TextField label="Project name" required value={newName} onChange={(e) => setNewName(e.target.value)} />
      </FormDialog>
    </Stack>
  );
}
