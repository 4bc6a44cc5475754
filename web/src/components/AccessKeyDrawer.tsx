// Seed 000's create drawer: "In the drawer that appears from the right, give the Access Key a display name ... expand
// the Limit Access Key Scope configuration section", then the key in a pop-up, once, with a copy button.
import { useState } from 'react';
import {
  Accordion, AccordionDetails, AccordionSummary, Alert, Box, Button, Dialog, DialogActions, DialogContent, DialogTitle, Drawer,
  MenuItem, Stack, TextField, Typography,
} from '@mui/material';
import { MGMT, api } from '../lib/api.ts';
import { EXPIRY_CHOICES, IDLE_CHOICES, accessKeyObject, emptySelection, type KeyForm } from '../lib/access-keys.ts';
import { ScopePicker } from './ScopePicker.tsx';

const blank = (): KeyForm => ({ displayName: '', limitScope: false, scope: emptySelection(), expiry: '720h', idleTimeout: '' });

export function AccessKeyDrawer({ user, open, onClose, onCreated }: { user: string; open: boolean; onClose: () => void; onCreated: () => void }) {
  const [form, setForm] = useState<KeyForm>(blank);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ key: string; name: string }>();
  const create = async () => {
    const r = accessKeyObject(user, form);
    if (!r.ok) { setErrors(r.errors); return; }
    setErrors({}); setFailure(undefined); setBusy(true);
    try {
      const o = await api<{ metadata: { name: string }; status: { key: string } }>('POST', `${MGMT}/accesskeys`, r.body);
      setCreated({ key: o.status.key, name: form.displayName.trim() });
      setForm(blank());
      onCreated();
      onClose();
    } catch (e) { setFailure((e as Error).message); } finally { setBusy(false); }
  };
  return (
    <>
      <Drawer anchor="right" open={open} onClose={onClose} sx={{ zIndex: (t) => t.zIndex.appBar + 2 }} slotProps={{ paper: { sx: { width: { xs: '100%', sm: 520 } }, role: 'dialog', 'aria-labelledby': 'create-key-title' } }}>
        <Box component="form" noValidate sx={{ p: 3 }} onSubmit={(e) => { e.preventDefault(); void create(); }}>
          <Typography id="create-key-title" variant="h5" component="h2" gutterBottom>Create Access Key</Typography>
          <Typography variant="body2" gutterBottom>For user {user}. The key acts with the user's permissions, limited by its scope.</Typography>
          <Stack spacing={2} sx={{ mt: 2 }}>
            {failure && <Alert severity="error" role="alert">{failure}</Alert>}
            <TextField label="Display name" placeholder="Enter a display name for this access key" value={form.displayName} required
              error={!!errors.displayName} helperText={errors.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} />
            <Accordion expanded={form.limitScope} onChange={(_, x) => setForm({ ...form, limitScope: x })} disableGutters>
              <AccordionSummary aria-controls="scope-panel" id="scope-header" expandIcon={<span aria-hidden="true">▾</span>}>
                <Typography component="span">Limit Access Key Scope</Typography>
              </AccordionSummary>
              <AccordionDetails id="scope-panel">
                <ScopePicker user={user} value={form.scope} onChange={(scope) => setForm({ ...form, scope })} error={errors.scope ?? errors.namespaces} />
              </AccordionDetails>
            </Accordion>
            <TextField select label="Expires after" value={form.expiry} onChange={(e) => setForm({ ...form, expiry: e.target.value })}
              helperText="Projects may require keys to expire sooner" slotProps={{ inputLabel: { shrink: true }, select: { displayEmpty: true } }}>
              {EXPIRY_CHOICES.map((c) => <MenuItem key={c.label} value={c.value}>{c.label}</MenuItem>)}
            </TextField>
            <TextField select label="Idle timeout" value={form.idleTimeout} onChange={(e) => setForm({ ...form, idleTimeout: e.target.value })}
              helperText="Stops working when unused this long" slotProps={{ inputLabel: { shrink: true }, select: { displayEmpty: true } }}>
              {IDLE_CHOICES.map((c) => <MenuItem key={c.label} value={c.value}>{c.label}</MenuItem>)}
            </TextField>
            <Stack sx={{ justifyContent: 'flex-end' }} direction="row" spacing={1}>
              <Button onClick={onClose}>Cancel</Button>
              <Button type="submit" variant="contained" disabled={busy}>Create Access Key</Button>
            </Stack>
          </Stack>
        </Box>
      </Drawer>
      <SecretDialog title="Copy your access key" secret={created?.key} onClose={() => setCreated(undefined)}
        label={`Access key ${created?.name ?? ''}`} />
    </>
  );
}

/** Shows a secret once, with a copy button and the warning that it cannot be fetched again. */
export function SecretDialog({ title, secret, label, onClose }: { title: string; secret?: string; label: string; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => { await navigator.clipboard.writeText(secret ?? ''); setCopied(true); };
  return (
    <Dialog open={!!secret} onClose={(_, reason) => { if (reason !== 'backdropClick') { setCopied(false); onClose(); } }} aria-labelledby="secret-title" fullWidth maxWidth="sm">
      <DialogTitle id="secret-title">{title}</DialogTitle>
      <DialogContent>
        <Alert severity="warning" sx={{ mb: 2 }}>Copy it now: you will not be able to fetch this key again.</Alert>
        <TextField label={label} value={secret ?? ''} fullWidth slotProps={{ htmlInput: { readOnly: true, 'data-testid': 'secret-value' } }} />
        {copied && <Typography role="status" variant="body2" sx={{ mt: 1 }}>Copied to the clipboard.</Typography>}
      </DialogContent>
      <DialogActions>
        <Button onClick={() => void copy()}>Copy</Button>
        <Button variant="contained" onClick={() => { setCopied(false); onClose(); }}>Done</Button>
      </DialogActions>
    </Dialog>
  );
}
