// The create drawer in a simulated DOM with a fake API: the name is required, the scope section builds the scope
// sent to the server, and the created key is shown once with the warning.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { AccessKeyDrawer } from './AccessKeyDrawer.tsx';

afterEach(cleanup);

function fakeApi() {
  const posted: unknown[] = [];
  vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
    const json = (v: unknown, status = 200) => new Response(JSON.stringify(v), { status, headers: { 'content-type': 'application/json' } });
    if (init?.method === 'POST') {
      posted.push(JSON.parse(String(init.body)));
      return json({ metadata: { name: 'key-x' }, status: { key: 'pcak_secret' } }, 201);
    }
    if (url.startsWith('/platform/v1/tenantclusters')) return json({ items: [{ name: 'payments-dev', project: 'payments', roles: ['view'], reasons: [] }], total: 1 });
    return json({ items: [], total: 0 });
  }));
  return posted;
}

const ui = (onCreated = vi.fn()) => render(
  <QueryClientProvider client={new QueryClient()}>
    <AccessKeyDrawer user="alice" open onClose={() => {}} onCreated={onCreated} />
  </QueryClientProvider>,
);

describe('AccessKeyDrawer', () => {
  it('requires a display name before calling the API', async () => {
    const posted = fakeApi();
    ui();
    await userEvent.click(screen.getByRole('button', { name: 'Create Access Key' }));
    expect(await screen.findByText('Enter a display name for this access key')).toBeTruthy();
    expect(posted).toEqual([]);
  });

  it('sends the picked scope and shows the key once', async () => {
    const posted = fakeApi();
    const onCreated = vi.fn();
    ui(onCreated);
    await userEvent.type(screen.getByPlaceholderText('Enter a display name for this access key'), 'deploy');
    await userEvent.click(screen.getByRole('button', { name: 'Limit Access Key Scope' }));
    await userEvent.click(screen.getByRole('combobox', { name: 'Tenant clusters' }));
    await userEvent.click(await screen.findByRole('option', { name: 'payments-dev' }));
    await userEvent.click(screen.getByRole('button', { name: 'Create Access Key' }));
    await waitFor(() => expect(posted).toHaveLength(1));
    expect((posted[0] as { spec: unknown }).spec).toEqual({ user: 'alice', displayName: 'deploy', scope: { tenantClusters: ['payments-dev'] }, ttl: '720h' });
    const dialog = await screen.findByRole('dialog', { name: 'Copy your access key' });
    expect(within(dialog).getByDisplayValue('pcak_secret')).toBeTruthy();
    expect(within(dialog).getByText(/you will not be able to fetch this key again/)).toBeTruthy();
    expect(onCreated).toHaveBeenCalled();
  });
});
