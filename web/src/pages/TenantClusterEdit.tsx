// A tenant cluster's Edit view (seed 002): General (status, default ClusterRole), Permissions ("Add permission to" a
// user or team with project access → a ClusterRole → Save changes, with the access rules as YAML beside the form)
// and Objects (YAML applied inside the tenant, e.g. custom ClusterRoles).
import { useState } from 'react';
import {
  Alert, Box, Button, Chip, Grid, List, ListItem, ListItemText, MenuItem, Paper, Stack, Tab, Table, TableBody, TableCell, TableHead,
  TableRow, Tabs, TextField, Typography,
} from '@mui/material';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { stringify } from 'yaml';
import { MGMT, get, mergePatch, post } from '../lib/api.ts';
import type { Subject, TenantSettings } from '../lib/types.ts';
import { applyChanges, describeChange, grants, stageAdd, type PermissionChange } from '../lib/permissions.ts';
import { SearchSelect, type Option } from '../components/SearchSelect.tsx';

function Permissions({ s, onSaved }: { s: TenantSettings; onSaved: () => Promise<void> }) {
  const [changes, setChanges] = useState<PermissionChange[]>([]);
  const [subject, setSubject] = useState<Option | null>(null);
  const [role, setRole] = useState('');
  const [msg, setMsg] = useState<{ ok: boolean; text: string }>();
  const current = s.effective.access?.rules ?? [];
  const next = applyChanges(current, changes);
  const locked = s.templateControls.accessRules;
  const canEdit = s.permissions.manage && !locked;
  const add = () => {
    const subj = subject?.data as Subject | undefined;
    const c = stageAdd(next, subj ? { kind: subj.kind, name: subj.name } : null, role);
    if (typeof c === 'string') { setMsg({ ok: false, text: c }); return; }
    setMsg(undefined); setChanges([...changes, c]); setSubject(null); setRole('');
  };
  const save = async () => {
    try {
      await post(`/platform/v1/tenantclusters/${s.name}/permissions`, { changes });
      setChanges([]);
      await onSaved();
      setMsg({ ok: true, text: 'Permissions saved. The tenant cluster is being updated.' });
    } catch (e) { setMsg({ ok: false, text: (e as Error).message }); }
  };
  const yamlText = stringify({ spec: { access: { defaultClusterRole: s.effective.access?.defaultClusterRole ?? 'cluster-admin', rules: next } } });
  return (
    <Grid container spacing={2}>
      <Grid size={{ xs: 12, md: 7 }}>
        <Stack spacing={2}>
          {locked && <Alert severity="info">Access rules come from template {s.template}; change them there.</Alert>}
          {!s.permissions.manage && <Alert severity="info">Only global admins, admins of project {s.spec.project} and the owner may change permissions.</Alert>}
          <Table size="small" aria-label="Permissions">
            <TableHead><TableRow>{['Kind', 'Name', 'ClusterRole', ''].map((h) => <TableCell key={h} component="th" scope="col">{h}</TableCell>)}</TableRow></TableHead>
            <TableBody>
              {grants(next).map((g) => (
                <TableRow key={`${g.kind}/${g.name}/${g.role}`}>
                  <TableCell>{g.kind}</TableCell><TableCell>{g.name}</TableCell><TableCell>{g.role}</TableCell>
                  <TableCell>{canEdit && <Button size="small" aria-label={`Remove ${g.role} from ${g.kind.toLowerCase()} ${g.name}`}
                    onClick={() => setChanges([...changes, g.kind === 'User' ? { action: 'remove', user: g.name, role: g.role } : { action: 'remove', team: g.name, role: g.role }])}>Remove</Button>}</TableCell>
                </TableRow>
              ))}
              {grants(next).length === 0 && <TableRow><TableCell colSpan={4}>No rules: everyone with access gets {s.effective.access?.defaultClusterRole ?? 'cluster-admin'}.</TableCell></TableRow>}
            </TableBody>
          </Table>
          {canEdit && (
            <Stack sx={{ alignItems: 'flex-start' }} direction={{ xs: 'column', sm: 'row' }} spacing={1}>
              <SearchSelect<Subject> id="add-permission-to" label="Add permission to" path={`/platform/v1/projects/${s.spec.project}/subjects`}
                sx={{ flex: 2, minWidth: 220, width: '100%' }} value={subject} onChange={setSubject}
                helperText="If the user or team does not appear, confirm that they have access to the project."
                toOption={(x) => ({ value: `${x.kind}/${x.name}`, label: `${x.kind === 'User' ? 'user' : 'team'} ${x.name}`, hint: x.displayName, data: x })} />
              <TextField select label="ClusterRole" value={role} onChange={(e) => setRole(e.target.value)} sx={{ flex: 1, minWidth: 160, width: '100%' }}>
                {[...s.clusterRoles.builtin, ...s.clusterRoles.custom].map((r) => <MenuItem key={r} value={r}>{r}</MenuItem>)}
              </TextField>
              <Button variant="outlined" onClick={add} sx={{ mt: 1 }}>Add</Button>
            </Stack>
          )}
          {changes.length > 0 && (
            <Paper variant="outlined">
              <Typography variant="subtitle2" component="h3" sx={{ px: 2, pt: 1 }}>Unsaved changes</Typography>
              <List dense>{changes.map((c, i) => <ListItem key={i}><ListItemText primary={describeChange(c)} /></ListItem>)}</List>
            </Paper>
          )}
          {msg && <Alert severity={msg.ok ? 'success' : 'error'} role={msg.ok ? 'status' : 'alert'}>{msg.text}</Alert>}
          {canEdit && (
            <Stack direction="row" spacing={1}>
              <Button variant="contained" disabled={changes.length === 0} onClick={() => void save()}>Save changes</Button>
              <Button disabled={changes.length === 0} onClick={() => setChanges([])}>Discard</Button>
            </Stack>
          )}
        </Stack>
      </Grid>
      <Grid size={{ xs: 12, md: 5 }}>
        <Typography variant="subtitle2" component="h3">Access rules (YAML)</Typography>
        <Box component="pre" aria-label="Access rules as YAML" tabIndex={0} sx={{ bgcolor: 'grey.100', p: 2, overflow: 'auto', fontSize: 13 }}>{yamlText}</Box>
      </Grid>
    </Grid>
  );
}

function General({ s, onSaved }: { s: TenantSettings; onSaved: () => Promise<void> }) {
  const [role, setRole] = useState(s.spec.access?.defaultClusterRole ?? '');
  const [msg, setMsg] = useState<{ ok: boolean; text: string }>();
  const editable = s.permissions.update && !s.templateControls.defaultClusterRole;
  return (
    <Stack spacing={2} sx={{ maxWidth: 600 }}>
      <Typography>Project: {s.spec.project}</Typography>
      <Typography>Status: <Chip size="small" label={s.status?.phase ?? 'Pending'} /></Typography>
      <Typography>API URL: {s.status?.apiURL ?? '—'}</Typography>
      {s.template && <Typography>Template: {s.template}</Typography>}
      {(s.status?.conditions ?? []).filter((c) => c.status !== 'True' && c.message).map((c) => <Alert key={c.type} severity="warning">{c.type}: {c.message}</Alert>)}
      <TextField label="Default Cluster Role" value={role} disabled={!editable} onChange={(e) => setRole(e.target.value)}
        helperText={s.templateControls.defaultClusterRole ? `Set by template ${s.template}` : `What users with access and no matching rule get (now: ${s.effective.access?.defaultClusterRole ?? 'cluster-admin'})`} />
      {msg && <Alert severity={msg.ok ? 'success' : 'error'} role={msg.ok ? 'status' : 'alert'}>{msg.text}</Alert>}
      {editable && <Button variant="contained" sx={{ alignSelf: 'flex-start' }} onClick={() => void (async () => {
        try {
          await mergePatch(`${MGMT}/tenantclusters/${s.name}`, { spec: { access: { defaultClusterRole: role || null } } });
          await onSaved(); setMsg({ ok: true, text: 'Saved.' });
        } catch (e) { setMsg({ ok: false, text: (e as Error).message }); }
      })()}>Save changes</Button>}
    </Stack>
  );
}

function Objects({ s, onSaved }: { s: TenantSettings; onSaved: () => Promise<void> }) {
  const [text, setText] = useState(s.spec.objects ?? '');
  const [msg, setMsg] = useState<{ ok: boolean; text: string }>();
  const editable = s.permissions.update && !s.templateControls.objects;
  return (
    <Stack spacing={2}>
      <Typography variant="body2">Kubernetes objects applied inside the tenant cluster and kept there (for example a custom ClusterRole to use in the Permissions tab).</Typography>
      {s.templateControls.objects && <Alert severity="info">Objects come from template {s.template}.</Alert>}
      <TextField label="Objects (YAML)" multiline minRows={12} value={s.templateControls.objects ? s.effective.objects ?? '' : text} disabled={!editable}
        onChange={(e) => setText(e.target.value)} slotProps={{ htmlInput: { spellCheck: false, style: { fontFamily: 'monospace' } } }} />
      {msg && <Alert severity={msg.ok ? 'success' : 'error'} role={msg.ok ? 'status' : 'alert'}>{msg.text}</Alert>}
      {editable && <Button variant="contained" sx={{ alignSelf: 'flex-start' }} onClick={() => void (async () => {
        try { await mergePatch(`${MGMT}/tenantclusters/${s.name}`, { spec: { objects: text || null } }); await onSaved(); setMsg({ ok: true, text: 'Saved.' }); } catch (e) {
          setMsg({ ok: false, text: (e as Error).message });
        }
      })()}>Save changes</Button>}
    </Stack>
  );
}

export default function TenantClusterEdit({ name }: { name: string }) {
  const qc = useQueryClient();
  const [tab, setTab] = useState(0);
  const q = useQuery({ queryKey: ['tenant', name], queryFn: () => get<TenantSettings>(`/platform/v1/tenantclusters/${name}`) });
  const reload = () => qc.invalidateQueries({ queryKey: ['tenant', name] });
  const s = q.data;
  const tabs = ['General', 'Permissions', 'Objects'];
  return (
    <Stack spacing={2}>
      <Typography variant="h4" component="h1">Edit tenant cluster {name}</Typography>
      {q.isError && <Alert severity="error" role="alert">{(q.error as Error).message}</Alert>}
      <Box sx={{ borderBottom: 1, borderColor: 'divider' }}>
        <Tabs value={tab} onChange={(_, v: number) => setTab(v)} aria-label="Tenant cluster settings">
          {tabs.map((t, i) => <Tab key={t} label={t} id={`tc-tab-${i}`} aria-controls={`tc-panel-${i}`} />)}
        </Tabs>
      </Box>
      {s && tabs.map((t, i) => (
        <div key={t} role="tabpanel" id={`tc-panel-${i}`} aria-labelledby={`tc-tab-${i}`} hidden={tab !== i}>
          {tab === i && (i === 0 ? <General s={s} onSaved={reload} /> : i === 1 ? <Permissions s={s} onSaved={reload} /> : <Objects s={s} onSaved={reload} />)}
        </div>
      ))}
    </Stack>
  );
}
