// Users (platform admins): search and page through every user; create one, disable or enable, reset a password
// (which also ends the user's sessions). The API decides: these calls are refused to anyone without the rights.
import { useState } from 'react';
import { Button, Checkbox, Chip, FormControlLabel, Stack, TextField, Typography, Link as MuiLink } from '@mui/material';
import { Link } from 'wouter';
import { MGMT, api, mergePatch } from '../lib/api.ts';
import { useMe } from '../lib/session.tsx';
import type { UserItem } from '../lib/types.ts';
import { PagedTable } from '../components/PagedTable.tsx';
import { FormDialog } from '../components/FormDialog.tsx';

export default function Users() {
  const me = useMe();
  const canManage = me.capabilities.manageUsers;
  const [version, setVersion] = useState(0);
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<string>();
  const [form, setForm] = useState({ name: '', displayName: '', email: '', password: '', globalAdmin: false });
  const [newPassword, setNewPassword] = useState('');
  const bump = () => setVersion((v) => v + 1);
  const setDisabled = async (u: UserItem, disabled: boolean) => {
    await mergePatch(`${MGMT}/users/${encodeURIComponent(u.name)}`, { spec: { disabled } });
    bump();
  };
  return (
    <Stack spacing={2}>
      <Typography variant="h4" component="h1">Users</Typography>
      <PagedTable<UserItem>
        title="Users" path="/platform/v1/users" rowKey={(u) => u.name} version={version}
        toolbar={canManage && <Button variant="contained" onClick={() => setCreating(true)}>Add user</Button>}
        columns={[
          { label: 'Username', render: (u) => <MuiLink component={Link} href={`/users/${encodeURIComponent(u.name)}`}>{u.name}</MuiLink> },
          { label: 'Display name', render: (u) => u.displayName ?? '' },
          { label: 'Email', render: (u) => u.email ?? '' },
          { label: 'Teams', render: (u) => u.teams.join(', ') },
          { label: 'Status', render: (u) => <Stack direction="row" spacing={1}>
            {u.globalAdmin && <Chip size="small" label="global admin" color="primary" />}
            {u.disabled && <Chip size="small" label="disabled" color="warning" />}
          </Stack> },
          { label: 'Actions', render: (u) => canManage && <Stack direction="row" spacing={1}>
            <Button size="small" onClick={() => void setDisabled(u, !u.disabled)} aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.name}`}>
              {u.disabled ? 'Enable' : 'Disable'}
            </Button>
            <Button size="small" onClick={() => { setNewPassword(''); setResetting(u.name); }} aria-label={`Reset password of ${u.name}`}>Reset password</Button>
          </Stack> },
        ]}
      />
      <FormDialog open={creating} title="Add user" submitLabel="Create user" onClose={() => setCreating(false)} onSubmit={async () => {
        await api('POST', `${MGMT}/users`, {
          apiVersion: 'management.portcullis.io/v1', kind: 'User', metadata: { name: form.name },
          spec: {
            ...(form.displayName ? { displayName: form.displayName } : {}), ...(form.email ? { email: form.email } : {}),
            ...(form.password ? { password: form.password } : {}), ...(form.globalAdmin ? { globalAdmin: true } : {}),
          },
        });
        setForm({ name: '', displayName: '', email: '', password: '', globalAdmin: false });
        bump();
      }}>
        <TextField label="Username" required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })}
          helperText="Lowercase letters, digits, '-' and '.'" />
        <TextField label="Display name" value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} />
        <TextField label="Email" type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
        <TextField label="Password" type="password" autoComplete="new-password" value={form.password} helperText="At least 8 characters (optional: users of an identity provider have none)"
          onChange={(e) => setForm({ ...form, password: e.target.value })} />
        <FormControlLabel control={<Checkbox checked={form.globalAdmin} onChange={(e) => setForm({ ...form, globalAdmin: e.target.checked })} />} label="Global admin" />
      </FormDialog>
      <FormDialog open={!!resetting} title={`Reset the password of ${resetting ?? ''}`} submitLabel="Reset password" onClose={() => setResetting(undefined)} onSubmit={async () => {
        // the server ends the sessions that the old password opened
        await mergePatch(`${MGMT}/users/${encodeURIComponent(resetting!)}`, { spec: { password: newPassword } });
      }}>
        <Typography variant="body2">The user's sessions end when the password changes.</Typography>
        <TextField label="New password" type="password" autoComplete="new-password" required value={newPassword} onChange={(e) => setNewPassword(e.target.value)} />
      </FormDialog>
    </Stack>
  );
}
