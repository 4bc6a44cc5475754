// Teams (platform admins): members and the identity-provider groups whose users belong to the team.
import { useState } from 'react';
import { Button, Stack, TextField, Typography } from '@mui/material';
import { MGMT, api, mergePatch } from '../lib/api.ts';
import { useMe } from '../lib/session.tsx';
import type { TeamItem } from '../lib/types.ts';
import { PagedTable } from '../components/PagedTable.tsx';
import { FormDialog } from '../components/FormDialog.tsx';
import { joinList, splitList } from '../lib/lists.ts';

export default function Teams() {
  const canManage = useMe().capabilities.manageTeams;
  const [version, setVersion] = useState(0);
  const [editing, setEditing] = useState<{ name: string; isNew: boolean; displayName: string; members: string; groups: string }>();
  const field = (k: 'name' | 'displayName' | 'members' | 'groups', label: string, helper?: string) => (
    <TextField label={label} helperText={helper} value={editing?.[k] ?? ''} required={k === 'name'} disabled={k === 'name' && !editing?.isNew}
      onChange={(e) => setEditing({ ...editing!, [k]: e.target.value })} />
  );
  return (
    <Stack spacing={2}>
      <Typography variant="h4" component="h1">Teams</Typography>
      <PagedTable<TeamItem> title="Teams" path="/platform/v1/teams" rowKey={(t) => t.name} version={version}
        toolbar={canManage && <Button variant="contained" onClick={() => setEditing({ name: '', isNew: true, displayName: '', members: '', groups: '' })}>Add team</Button>}
        columns={[
          { label: 'Team', render: (t) => t.name },
          { label: 'Display name', render: (t) => t.displayName ?? '' },
          { label: 'Members', render: (t) => `${joinList(t.members)}${t.memberCount > t.members.length ? ` (+${t.memberCount - t.members.length} through IdP groups)` : ''}` },
          { label: 'IdP groups', render: (t) => joinList(t.groups) },
          { label: 'Actions', render: (t) => canManage && (
            <Button size="small" aria-label={`Edit team ${t.name}`} onClick={() => setEditing({
              name: t.name, isNew: false, displayName: t.displayName ?? '', members: joinList(t.members), groups: joinList(t.groups),
            })}>Edit</Button>
          ) },
        ]} />
      <FormDialog open={!!editing} title={editing?.isNew ? 'Add team' : `Edit team ${editing?.name ?? ''}`} submitLabel="Save changes"
        onClose={() => setEditing(undefined)} onSubmit={async () => {
          const e = editing!;
          const spec = { displayName: e.displayName || undefined, members: splitList(e.members), groups: splitList(e.groups) };
          if (e.isNew) await api('POST', `${MGMT}/teams`, { apiVersion: 'management.portcullis.io/v1', kind: 'Team', metadata: { name: e.name }, spec });
          else await mergePatch(`${MGMT}/teams/${encodeURIComponent(e.name)}`, { spec: { ...spec, displayName: e.displayName || null } });
          setVersion((v) => v + 1);
        }}>
        {field('name', 'Team name')}
        {field('displayName', 'Display name')}
        {field('members', 'Members', 'Usernames, separated by commas')}
        {field('groups', 'IdP groups', 'Users in any of these identity-provider groups are members too')}
      </FormDialog>
    </Stack>
  );
}
