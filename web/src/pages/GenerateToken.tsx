// Generate Token (seed 003): pick the target cluster and get a kubeconfig with a token valid 24 h (or the project's
// maximum), or pick all clusters and get one that refreshes itself through the exec plugin; download or copy it.
import { useState } from 'react';
import {
  Alert, Box, Button, FormControl, FormControlLabel, FormLabel, Paper, Radio, RadioGroup, Stack, TextField, Typography,
} from '@mui/material';
import { get, post, qs } from '../lib/api.ts';
import { useMe } from '../lib/session.tsx';
import { useProject } from '../lib/project.tsx';
import { buildKubeconfig, execUser, tokenUser, validProfile } from '../lib/kubeconfig.ts';
import type { Page, TenantItem } from '../lib/types.ts';
import { SearchSelect, type Option } from '../components/SearchSelect.tsx';

interface Result { text: string; file: string; expires?: string; all: boolean; context: string }

export default function GenerateToken() {
  const me = useMe();
  const { project } = useProject();
  const [mode, setMode] = useState<'one' | 'all'>('one');
  const [cluster, setCluster] = useState<Option | null>(null);
  const [profile, setProfile] = useState('');
  const [result, setResult] = useState<Result>();
  const [error, setError] = useState<string>();
  const [copied, setCopied] = useState(false);
  const [busy, setBusy] = useState(false);
  const origin = window.location.origin;
  const generate = async () => {
    setError(undefined); setResult(undefined); setCopied(false); setBusy(true);
    try {
      if (mode === 'one') {
        if (!cluster) throw new Error('Select the target cluster');
        const context = profile.trim() || cluster.value;
        if (!validProfile(context)) throw new Error('The profile name may hold letters, digits, "-", "_", "." and "@"');
        const t = await post<{ status: { token: string; expirationTimestamp: string } }>('/platform/v1/tokens', { cluster: cluster.value });
        setResult({ text: buildKubeconfig(origin, me.caData, [{ cluster: cluster.value, context, user: tokenUser(t.status.token) }]),
          file: `${context}.kubeconfig`, expires: t.status.expirationTimestamp, all: false, context });
      } else {
        const names: string[] = [];
        let cont: string | undefined;
        do {
          const p: Page<TenantItem> = await get(`/platform/v1/tenantclusters${qs({ limit: 500, continue: cont })}`);
          names.push(...p.items.map((t) => t.name));
          cont = p.continue;
        } while (cont);
        if (!names.length) throw new Error('You cannot reach any tenant cluster yet');
        setResult({ text: buildKubeconfig(origin, me.caData, names.map((n) => ({ cluster: n, user: execUser(n) }))), file: 'portcullis.kubeconfig', all: true, context: names[0] });
      }
    } catch (e) { setError((e as Error).message); } finally { setBusy(false); }
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([result!.text], { type: 'application/yaml' }));
    const a = document.createElement('a');
    a.href = url; a.download = result!.file; a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <Stack spacing={2} sx={{ maxWidth: 900 }}>
      <Typography variant="h4" component="h1">Generate Token</Typography>
      <Paper sx={{ p: 2 }}>
        <Stack spacing={2}>
          <FormControl>
            <FormLabel id="mode-label">Clusters</FormLabel>
            <RadioGroup row aria-labelledby="mode-label" value={mode} onChange={(e) => { setMode(e.target.value as 'one' | 'all'); setResult(undefined); }}>
              <FormControlLabel value="one" control={<Radio />} label="One cluster: a token valid 24 hours (or the project's maximum)" />
              <FormControlLabel value="all" control={<Radio />} label="All my clusters: the credential plugin renews tokens itself" />
            </RadioGroup>
          </FormControl>
          {mode === 'one' && (
            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
              <SearchSelect<TenantItem> id="target-cluster" label="Target cluster" path="/platform/v1/tenantclusters" params={{ project }} sx={{ flex: 1, minWidth: 240 }}
                toOption={(t) => ({ value: t.name, label: t.name, hint: t.roles.join(', ') })} value={cluster} onChange={setCluster} />
              <TextField label="Profile name" value={profile} onChange={(e) => setProfile(e.target.value)} sx={{ flex: 1 }}
                helperText="The kubeconfig context; give each cluster its own (default: the cluster's name)" />
            </Stack>
          )}
          {error && <Alert severity="error" role="alert">{error}</Alert>}
          <Button variant="contained" sx={{ alignSelf: 'flex-start' }} disabled={busy} onClick={() => void generate()}>Generate kubeconfig</Button>
        </Stack>
      </Paper>
      {result && (
        <Paper sx={{ p: 2 }}>
          <Stack spacing={2}>
            <Typography variant="h6" component="h2">Your kubeconfig</Typography>
            {result.expires && <Alert severity="info">The token expires at {new Date(result.expires).toLocaleString()}. Generate a new one then.</Alert>}
            {result.all && <Alert severity="info">The plugin uses your CLI login: run <code>portcullis login {origin} --username {me.username}</code> once (with <code>portcullis</code> on your PATH).</Alert>}
            <TextField label="kubeconfig" multiline minRows={8} maxRows={20} value={result.text}
              slotProps={{ htmlInput: { readOnly: true, spellCheck: false, 'data-testid': 'kubeconfig' } }} />
            <Stack direction="row" spacing={1}>
              <Button variant="contained" onClick={download}>Download</Button>
              <Button onClick={() => void navigator.clipboard.writeText(result.text).then(() => setCopied(true))}>Copy</Button>
              {copied && <Typography role="status" sx={{ alignSelf: 'center' }}>Copied.</Typography>}
            </Stack>
            <Typography variant="subtitle2" component="h3">Use it with kubectl</Typography>
            <Box component="pre" tabIndex={0} aria-label="kubectl commands" sx={{ bgcolor: 'grey.100', p: 2, overflow: 'auto' }}>
{`export KUBECONFIG=$PWD/${result.file}
kubectl --context ${result.context} get namespaces
kubectl auth whoami`}
            </Box>
          </Stack>
        </Paper>
      )}
    </Stack>
  );
}
