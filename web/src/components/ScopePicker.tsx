// "Limit Access Key Scope" (seed 000): projects, tenant clusters, namespaces and host clusters, offered from what the
// key's owner can reach (the server lists them for that user); a scope only ever removes permissions.
import { Autocomplete, Box, Button, IconButton, Stack, TextField, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { get, qs } from '../lib/api.ts';
import type { ScopeSelection } from '../lib/access-keys.ts';
import type { Page, ProjectItem, TenantItem } from '../lib/types.ts';
import { MultiSearchSelect } from './MultiSearchSelect.tsx';
import { SearchSelect } from './SearchSelect.tsx';

interface Props { user: string; value: ScopeSelection; onChange: (v: ScopeSelection) => void; error?: string }

function NamespaceField({ cluster, value, onChange, label }: { cluster: string; value: string; onChange: (v: string) => void; label: string }) {
  const q = useQuery({
    queryKey: ['namespaces', cluster],
    enabled: !!cluster,
    queryFn: ({ signal }) => get<{ items: Array<{ metadata: { name: string } }> }>(`/clusters/${encodeURIComponent(cluster)}/api/v1/namespaces?limit=200`, signal),
  });
  const options = (q.data?.items ?? []).map((n) => n.metadata.name);
  return (
    <Autocomplete freeSolo options={options} value={value} onInputChange={(_, v) => onChange(v)} sx={{ flex: 1, minWidth: 150 }}
      renderInput={(params) => <TextField {...params} label={label} size="small" helperText={q.isError ? 'type the namespace name' : undefined} />} />
  );
}

export function ScopePicker({ user, value, onChange, error }: Props) {
  const forUser = { user };
  const hosts = useQuery({
    queryKey: ['hosts', user],
    queryFn: ({ signal }) => get<Page<TenantItem>>(`/platform/v1/tenantclusters${qs({ user, limit: 200 })}`, signal),
  });
  const hostOptions = [...new Set(['host', ...(hosts.data?.items ?? []).map((t) => t.hostCluster ?? 'host')])].sort();
  const set = (patch: Partial<ScopeSelection>) => onChange({ ...value, ...patch });
  return (
    <Stack spacing={2}>
      <Typography variant="body2">The key can do only what is inside this scope, and never more than its user can.</Typography>
      <MultiSearchSelect<ProjectItem> id="scope-projects" label="Projects" path="/platform/v1/projects" params={forUser} name={(p) => p.name}
        value={value.projects} onChange={(projects) => set({ projects })} />
      <MultiSearchSelect<TenantItem> id="scope-clusters" label="Tenant clusters" path="/platform/v1/tenantclusters" params={forUser} name={(t) => t.name}
        value={value.tenantClusters} onChange={(tenantClusters) => set({ tenantClusters })} />
      <Box>
        <Typography variant="subtitle2" component="h3" gutterBottom>Namespaces</Typography>
        <Stack spacing={1}>
          {value.namespaces.map((n, i) => (
            <Stack sx={{ alignItems: 'flex-start', flexWrap: 'wrap' }} key={i} direction="row" spacing={1} useFlexGap>
              <SearchSelect<TenantItem> id={`scope-ns-cluster-${i}`} label={`Cluster of namespace ${i + 1}`} size="small" sx={{ flex: 1, minWidth: 150 }}
                path="/platform/v1/tenantclusters" params={forUser} toOption={(t) => ({ value: t.name, label: t.name })}
                value={n.cluster ? { value: n.cluster, label: n.cluster } : null}
                onChange={(o) => set({ namespaces: value.namespaces.map((x, j) => (j === i ? { cluster: o?.value ?? '', namespace: '' } : x)) })} />
              <NamespaceField cluster={n.cluster} label={`Namespace ${i + 1}`} value={n.namespace}
                onChange={(ns) => set({ namespaces: value.namespaces.map((x, j) => (j === i ? { ...x, namespace: ns } : x)) })} />
              <IconButton aria-label={`Remove namespace ${i + 1}`} onClick={() => set({ namespaces: value.namespaces.filter((_, j) => j !== i) })}>
                <span aria-hidden="true">✕</span>
              </IconButton>
            </Stack>
          ))}
          <Button size="small" sx={{ alignSelf: 'flex-start' }} onClick={() => set({ namespaces: [...value.namespaces, { cluster: '', namespace: '' }] })}>
            Add namespace
          </Button>
        </Stack>
      </Box>
      <Autocomplete id="scope-hosts" multiple freeSolo options={hostOptions} value={value.hostClusters} onChange={(_, v) => set({ hostClusters: v })}
        renderInput={(params) => <TextField {...params} label="Host clusters" />} />
      {error && <Typography color="error" role="alert" variant="body2">{error}</Typography>}
    </Stack>
  );
}
