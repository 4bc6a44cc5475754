// The credential inventory: everything the user holds (admins: anyone) — access keys, console and CLI sessions,
// platform tokens, certificate kubeconfigs, ServiceAccount tokens — with scope, expiry, last use, what each was minted
// from (its chain: it dies with any of them) and one-click revoke.
import { useState } from 'react';
import { Chip, FormControlLabel, Stack, Switch, Typography, Button } from '@mui/material';
import { post } from '../lib/api.ts';
import { useMe } from '../lib/session.tsx';
import { describeScope } from '../lib/access-keys.ts';
import type { CredentialItem } from '../lib/types.ts';
import { PagedTable } from '../components/PagedTable.tsx';
import { FormDialog } from '../components/FormDialog.tsx';

const when = (s?: string) => (s ? new Date(s).toLocaleString() : '—');
const kindOf = (c: CredentialItem) => (c.session === 'browser' ? 'Console session' : c.session === 'cli' ? 'CLI session' : c.kind);

export default function Credentials() {
  const me = useMe();
  const [all, setAll] = useState(false);
  const [version, setVersion] = useState(0);
  const [revoking, setRevoking] = useState<CredentialItem>();
  return (
    <Stack spacing={2}>
      <Typography variant="h4" component="h1">Credentials</Typography>
      <PagedTable<CredentialItem> title="Credentials" path="/platform/v1/credentials" params={all ? { all: 'true' } : { user: me.username }}
        rowKey={(c) => c.id} version={version}
        toolbar={me.capabilities.allCredentials && (
          <FormControlLabel control={<Switch checked={all} onChange={(e) => setAll(e.target.checked)} />} label="Every user's credentials" />
        )}
        columns={[
          { label: 'Kind', render: (c) => kindOf(c) },
          { label: 'Name', render: (c) => c.name },
          { label: 'User', render: (c) => c.user },
          { label: 'Scope', render: (c) => (c.cluster ? `cluster ${c.cluster}` : describeScope(c.scope)) },
          { label: 'Created', render: (c) => when(c.created) },
          { label: 'Expires', render: (c) => when(c.expires) },
          { label: 'Last used', render: (c) => when(c.lastUsed) },
          { label: 'Minted from', render: (c) => (c.chain?.length ? c.chain.join(' ← ') : '—') },
          { label: 'Revoke', render: (c) => (c.revoked ? <Chip size="small" label="revoked" /> : (
            <Button size="small" color="error" aria-label={`Revoke ${kindOf(c)} ${c.name}`} onClick={() => setRevoking(c)}>Revoke</Button>
          )) },
        ]} />
      <FormDialog open={!!revoking} danger title={`Revoke ${revoking ? kindOf(revoking) : ''} ${revoking?.name ?? ''}?`} submitLabel="Revoke"
        onClose={() => setRevoking(undefined)} onSubmit={async () => {
          await post(`/platform/v1/credentials/${encodeURIComponent(revoking!.id)}/revoke`);
          setVersion((v) => v + 1);
        }}>
        <Typography>It stops working at once{revoking?.id === me.credentialId ? ' — this is the session you are using, so you will be signed out' : ''}.</Typography>
      </FormDialog>
    </Stack>
  );
}
