// "Why can / can't I": the explain API as a form (user, cluster, verb, resource, namespace), each layer's verdict and reason.
import { useState, type FormEvent } from 'react';
import { Alert, Button, Chip, Paper, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { post } from '../lib/api.ts';

interface Layer { layer: string; decision: string; reason: string; reached: boolean }
interface Result { decision: 'allow' | 'deny'; decidedBy: string; reason: string; layers: Layer[] }

export default function Explain() {
  const [f, setF] = useState({ user: '', cluster: '', verb: 'get', resource: 'pods', namespace: 'default' });
  const [r, setR] = useState<Result>();
  const [error, setError] = useState<string>();
  const submit = async (e: FormEvent) => {
    e.preventDefault(); setError(undefined); setR(undefined);
    try {
      setR(await post<Result>('/platform/v1/explain', {
        user: f.user, cluster: f.cluster, verb: f.verb, resource: f.resource, ...(f.namespace ? { namespace: f.namespace } : {}),
      }));
    } catch (err) { setError((err as Error).message); }
  };
  const field = (k: keyof typeof f, label: string, required = true) => (
    <TextField label={label} required={required} value={f[k]} onChange={(e) => setF({ ...f, [k]: e.target.value })} size="small" />
  );
  return (
    <Stack spacing={2}>
      <Typography variant="h4" component="h1">Why can / can't I</Typography>
      <Paper sx={{ p: 2 }}>
        <Stack sx={{ flexWrap: 'wrap' }} component="form" direction={{ xs: 'column', md: 'row' }} spacing={1} onSubmit={submit} aria-label="Explain a request" useFlexGap>
          {field('user', 'User')}{field('cluster', 'Cluster')}{field('verb', 'Verb')}{field('resource', 'Resource')}{field('namespace', 'Namespace', false)}
          <Button type="submit" variant="contained">Explain</Button>
        </Stack>
      </Paper>
      {error && <Alert severity="error" role="alert">{error}</Alert>}
      {r && (
        <Paper sx={{ p: 2 }}>
          <Typography variant="h6" component="h2" gutterBottom>
            Verdict: <Chip label={r.decision === 'allow' ? 'allowed' : 'denied'} color={r.decision === 'allow' ? 'success' : 'error'} />
          </Typography>
          <Typography gutterBottom>Decided by {r.decidedBy}: {r.reason}</Typography>
          <Table size="small" aria-label="Layers">
            <TableHead><TableRow>{['Layer', 'Verdict', 'Reason', 'Reached'].map((h) => <TableCell key={h} component="th" scope="col">{h}</TableCell>)}</TableRow></TableHead>
            <TableBody>{r.layers.map((l, i) => (
              <TableRow key={i}><TableCell>{l.layer}</TableCell><TableCell>{l.decision}</TableCell><TableCell>{l.reason}</TableCell><TableCell>{l.reached ? 'yes' : 'no (decided earlier)'}</TableCell></TableRow>
            ))}</TableBody>
          </Table>
        </Paper>
      )}
    </Stack>
  );
}
