// Tenant Clusters of the project chosen in the switcher (seed 002: "Click Tenant Clusters in the sidebar"), with
// status and your roles; Edit opens the settings and the Permissions tab; admins create one from a template.
import { useEffect, useState } from 'react';
import { Alert, Button, Chip, MenuItem, Stack, TextField, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { Link, useSearch } from 'wouter';
import { MGMT, api, get } from '../lib/api.ts';
import { useMe } from '../lib/session.tsx';
import { useProject } from '../lib/project.tsx';
import type { TenantItem } from '../lib/types.ts';
import { PagedTable } from '../components/PagedTable.tsx';
import { FormDialog } from '../components/FormDialog.tsx';

export default function TenantClusters() {
  const me = useMe();
  const { project, setProject } = useProject();
  const search = useSearch();
  useEffect(() => {
    const p = new URLSearchParams(search).get('project');
    if (p && p !== project) setProject(p);
  }, [search, project, setProject]);
  const [creating, setCreating] = useState(false);
  const [form, setForm] = useState({ name: '', displayName: '', template: '' });
  const [version, setVersion] = useState(0);
  const templates = useQuery({
    queryKey: ['templates'], enabled: creating && me.capabilities.templates,
    queryFn: () => get<{ items: Array<{ metadata: { name: string } }> }>(`${MGMT}/tenantclustertemplates?limit=200`),
  });
  return (
    <Stack spacing={2}>
      <Typography variant="h4" component="h1">Tenant Clusters{project ? ` in ${project}` : ''}</Typography>
      {!project && <Alert severity="info">Showing every tenant cluster you can reach. Choose a project in the Project dropdown at the top left to see one project's.</Alert>}
      <PagedTable<TenantItem> title="Tenant clusters" path="/platform/v1/tenantclusters" params={{ project }} rowKey={(t) => t.name} version={version}
        toolbar={me.capabilities.createTenantClusters && project && <Button variant="contained" onClick={() => setCreating(true)}>Create tenant cluster</Button>}
        columns={[
          { label: 'Name', render: (t) => t.name },
          { label: 'Display name', render: (t) => t.displayName ?? '' },
          { label: 'Project', render: (t) => t.project },
          { label: 'Status', render: (t) => <Chip size="small" label={t.phase ?? 'Pending'} color={t.phase === 'Ready' ? 'success' : t.phase === 'Failed' ? 'error' : 'default'} /> },
          { label: 'Your roles', render: (t) => t.roles.join(', ') },
          { label: 'Actions', render: (t) => <Stack direction="row" spacing={1}>
            <Button size="small" component={Link} href={`/tenant-clusters/${t.name}`} aria-label={`Edit ${t.name}`}>Edit</Button>
            <Button size="small" component={Link} href={`/audit?cluster=${t.name}`} aria-label={`Audit of ${t.name}`}>Audit</Button>
          </Stack> },
        ]} />
      <FormDialog open={creating} title={`Create a tenant cluster in ${project ?? ''}`} submitLabel="Create" onClose={() => setCreating(false)} onSubmit={async () => {
        await api('POST', `${MGMT}/tenantclusters`, {
          apiVersion: 'management.portcullis.io/v1', kind: 'TenantCluster', metadata: { name: form.name },
          spec: { project, ...(form.displayName ? { displayName: form.displayName } : {}), ...(form.template ? { templateRef: { name: form.template } } : {}) },
        });
        setForm({ name: '', displayName: '', template: '' });
        setVersion((v) => v + 1);
      }}>
        <TextField label="Name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} helperText="Lowercase letters, digits and '-'" />
        <TextField label="Display name" value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} />
        <TextField select label="Template" value={form.template} onChange={(e) => setForm({ ...form, template: e.target.value })}>
          <MenuItem value="">No template</MenuItem>
          {(templates.data?.items ?? []).map((t) => <MenuItem key={t.metadata.name} value={t.metadata.name}>{t.metadata.name}</MenuItem>)}
        </TextField>
      </FormDialog>
    </Stack>
  );
}
