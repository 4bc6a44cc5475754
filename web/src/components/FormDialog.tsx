// A dialog holding a form: submit runs `onSubmit`, errors from the API are shown inside, and it closes on success.
import { useState, type FormEvent, type ReactNode } from 'react';
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, Stack } from '@mui/material';

interface Props {
  open: boolean;
  title: string;
  submitLabel: string;
  onClose: () => void;
  onSubmit: () => Promise<void>;
  children: ReactNode;
  danger?: boolean;
}

export function FormDialog(p: Props) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try { await p.onSubmit(); p.onClose(); } catch (err) { setError((err as Error).message); } finally { setBusy(false); }
  };
  return (
    <Dialog open={p.open} onClose={p.onClose} fullWidth maxWidth="sm" aria-labelledby="form-dialog-title">
      <form onSubmit={submit} noValidate={false}>
        <DialogTitle id="form-dialog-title">{p.title}</DialogTitle>
        <DialogContent>
          <Stack spacing={2} sx={{ pt: 1 }}>
            {error && <Alert severity="error" role="alert">{error}</Alert>}
            {p.children}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={p.onClose}>Cancel</Button>
          <Button type="submit" variant="contained" color={p.danger ? 'error' : 'primary'} disabled={busy}>{p.submitLabel}</Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
