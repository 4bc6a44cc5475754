// The frame of every page: the project switcher at the top left, the navigation on the left (admin pages only for
// those the API lets in), and the user menu (Generate Token, log out, log out everywhere) at the top right.
import { useState, type ReactNode } from 'react';
import {
  AppBar, Box, Button, Divider, Drawer, IconButton, List, ListItem, ListItemButton, ListItemText, Menu, MenuItem, Toolbar, Typography,
  useMediaQuery,
} from '@mui/material';
import { Link, useLocation } from 'wouter';
import { useMe, useSession } from '../lib/session.tsx';
import { useProject } from '../lib/project.tsx';
import { SearchSelect } from './SearchSelect.tsx';
import type { ProjectItem } from '../lib/types.ts';

const WIDTH = 220;

export function Shell({ children }: { children: ReactNode }) {
  const me = useMe();
  const { signOut } = useSession();
  const { project, setProject } = useProject();
  const [location, navigate] = useLocation();
  const wide = useMediaQuery('(min-width:900px)');
  const [navOpen, setNavOpen] = useState(false);
  const [menu, setMenu] = useState<HTMLElement | null>(null);
  const c = me.capabilities;
  const items: Array<{ to: string; label: string; show: boolean }> = [
    { to: '/users', label: 'Users', show: c.listUsers },
    { to: '/teams', label: 'Teams', show: c.listTeams },
    { to: '/projects', label: 'Projects', show: true },
    { to: '/tenant-clusters', label: 'Tenant Clusters', show: true },
    { to: '/generate-token', label: 'Generate Token', show: true },
    { to: '/credentials', label: 'Credentials', show: true },
    { to: '/explain', label: "Why can / can't I", show: c.explain },
    { to: '/audit', label: 'Audit', show: true },
  ];
  const nav = (
    <nav aria-label="Main">
      <List>
        {items.filter((i) => i.show).map((i) => (
          <ListItem key={i.to} disablePadding>
            <ListItemButton component={Link} href={i.to} selected={location === i.to || location.startsWith(`${i.to}/`)}
              onClick={() => setNavOpen(false)} aria-current={location === i.to ? 'page' : undefined}>
              <ListItemText primary={i.label} />
            </ListItemButton>
          </ListItem>
        ))}
      </List>
    </nav>
  );
  return (
    <Box sx={{ display: 'flex', minHeight: '100vh' }}>
      <AppBar position="fixed" sx={{ zIndex: (t) => t.zIndex.drawer + 1 }}>
        <Toolbar sx={{ gap: 2 }}>
          {!wide && (
            <IconButton color="inherit" aria-label="Open navigation" onClick={() => setNavOpen(true)} edge="start">
              <span aria-hidden="true">☰</span>
            </IconButton>
          )}
          <SearchSelect<ProjectItem>
            id="project-switcher"
            label="Project"
            path="/platform/v1/projects"
            size="small"
            variant="filled"
            sx={{ width: wide ? 260 : 170, bgcolor: 'background.paper', borderRadius: 1 }}
            toOption={(p) => ({ value: p.name, label: p.name, hint: p.role })}
            value={project ? { value: project, label: project } : null}
            onChange={(o) => { setProject(o?.value); if (o) navigate('/tenant-clusters'); }}
          />
          <Typography variant="h6" component="span" sx={{ flexGrow: 1, display: wide ? 'block' : 'none' }}>Portcullis</Typography>
          <Button color="inherit" aria-haspopup="menu" aria-controls={menu ? 'user-menu' : undefined} onClick={(e) => setMenu(e.currentTarget)}>
            {me.username}
          </Button>
          <Menu id="user-menu" anchorEl={menu} open={!!menu} onClose={() => setMenu(null)}>
            <MenuItem onClick={() => { setMenu(null); navigate('/profile'); }}>My profile and access keys</MenuItem>
            <MenuItem onClick={() => { setMenu(null); navigate('/generate-token'); }}>Generate Token</MenuItem>
            <Divider />
            <MenuItem onClick={() => { setMenu(null); void signOut(false); }}>Log out</MenuItem>
            <MenuItem onClick={() => { setMenu(null); void signOut(true); }}>Log out everywhere</MenuItem>
          </Menu>
        </Toolbar>
      </AppBar>
      <Drawer variant={wide ? 'permanent' : 'temporary'} open={wide || navOpen} onClose={() => setNavOpen(false)}
        sx={{ width: WIDTH, flexShrink: 0, '& .MuiDrawer-paper': { width: WIDTH, boxSizing: 'border-box' } }}>
        <Toolbar />
        {nav}
      </Drawer>
      <Box component="main" sx={{ flexGrow: 1, p: wide ? 3 : 1.5, minWidth: 0 }}>
        <Toolbar />
        {children}
      </Box>
    </Box>
  );
}
