// The frame of every signed-in page: header (product, organization switcher, user menu), the
// role-aware navigation, and the main region the pages render into.
import {
  Anchor,
  AppShell,
  Avatar,
  Burger,
  Button,
  ComboboxChevron,
  Divider,
  Group,
  Menu,
  NavLink,
  Text,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { Suspense } from 'react';
import { Link, matchPath, Outlet, useLocation, useNavigate } from 'react-router';
import { useSignOut, useSwitchOrganization } from '../api/session';
import { roleLabels } from '../api/types';
import { LoadingState } from '../components/query-state';
import { errorMessage } from '../lib/form-errors';
import { can, type Permission } from '../lib/permissions';
import { useCurrentSession } from './session-context';

/** Every item needs an organization; `permission` narrows it to the roles that hold it. */
type NavItem = { to: string; label: string; permission?: Permission };

const navItems: NavItem[] = [
  { to: '/assessments', label: 'Assessments', permission: 'assessments.read' },
  { to: '/candidates', label: 'Candidates', permission: 'results.read' },
  { to: '/reviews', label: 'Reviews', permission: 'reviews.perform' },
  { to: '/bank', label: 'Question bank', permission: 'bank.read' },
  { to: '/team', label: 'Team', permission: 'team.read' },
  { to: '/audit-log', label: 'Audit log', permission: 'audit.read' },
  { to: '/outbox', label: 'Outbox', permission: 'outbox.read' },
  { to: '/settings/organization', label: 'Organization settings', permission: 'organization.update' },
  { to: '/settings/integrations', label: 'Integrations', permission: 'integrations.manage' },
];

function initialsOf(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : parts;
  return letters.map((p) => p?.[0]?.toUpperCase() ?? '').join('') || '?';
}

function OrganizationSwitcher() {
  const session = useCurrentSession();
  const switchOrganization = useSwitchOrganization();
  const current = session.organization;

  if (!current) {
    return (
      <Text size="sm" c="dimmed">
        No organization
      </Text>
    );
  }
  if (session.organizations.length < 2) {
    return (
      <Text size="sm" fw={500} truncate maw={240}>
        {current.name}
      </Text>
    );
  }
  const choose = (organizationId: string) => {
    if (organizationId === current.id) return;
    switchOrganization.mutate(organizationId, {
      onSuccess: (next) =>
        notifications.show({ message: `Switched to ${next.organization?.name ?? 'the organization'}` }),
      onError: (err) =>
        notifications.show({
          color: 'red',
          title: 'Couldn’t switch organization',
          message: errorMessage(err),
        }),
    });
  };
  return (
    <Menu position="bottom-start" width={280} withinPortal withInitialFocusPlaceholder={false}>
      <Menu.Target>
        <Button
          variant="subtle"
          color="dark"
          rightSection={<ComboboxChevron />}
          loading={switchOrganization.isPending}
          maw={280}
        >
          <VisuallyHidden>Organization: </VisuallyHidden>
          <Text span truncate inherit>
            {current.name}
          </Text>
          <VisuallyHidden>. Switch organization</VisuallyHidden>
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Switch organization</Menu.Label>
        <Menu.RadioGroup value={current.id} onChange={choose}>
          {session.organizations.map((org) => (
            <Menu.RadioItem
              key={org.id}
              value={org.id}
              closeMenuOnClick
              rightSection={
                <Text size="xs" c="dimmed">
                  {roleLabels[org.role]}
                </Text>
              }
            >
              {org.name}
            </Menu.RadioItem>
          ))}
        </Menu.RadioGroup>
      </Menu.Dropdown>
    </Menu>
  );
}

function UserMenu() {
  const session = useCurrentSession();
  const signOut = useSignOut();
  const navigate = useNavigate();
  return (
    <Menu position="bottom-end" width={240} withinPortal withInitialFocusPlaceholder={false}>
      <Menu.Target>
        <UnstyledButton
          aria-label={`Account menu for ${session.user.name}`}
          p={4}
          style={{ borderRadius: 8 }}
        >
          <Group gap="xs" wrap="nowrap">
            <Avatar color="assay" radius="xl" size="sm" aria-hidden>
              {initialsOf(session.user.name)}
            </Avatar>
            <Text size="sm" fw={500} visibleFrom="sm" truncate maw={180}>
              {session.user.name}
            </Text>
            <ComboboxChevron />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          <Text size="xs" truncate>
            Signed in as {session.user.email}
          </Text>
        </Menu.Label>
        <Menu.Item component={Link} to="/account">
          Account
        </Menu.Item>
        <Menu.Item
          onClick={() =>
            signOut.mutate(undefined, { onSettled: () => navigate('/sign-in', { replace: true }) })
          }
        >
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

function Navigation({ onNavigate }: { onNavigate: () => void }) {
  const session = useCurrentSession();
  const { pathname } = useLocation();
  const role = session.organization?.role;
  const items = navItems.filter(
    (item) => session.organization !== null && (!item.permission || can(role, item.permission)),
  );
  return (
    <nav aria-label="Main">
      {items.map((item) => {
        const active = matchPath({ path: item.to, end: false }, pathname) !== null;
        return (
          <NavLink
            key={item.to}
            component={Link}
            to={item.to}
            label={item.label}
            active={active}
            aria-current={active ? 'page' : undefined}
            // On a phone the navigation covers the page: close it once the user has chosen.
            onClick={onNavigate}
          />
        );
      })}
      {items.length > 0 && <Divider my="sm" />}
      <NavLink
        component="a"
        href="/docs"
        target="_blank"
        rel="noopener"
        label={
          <>
            API docs
            <VisuallyHidden> (opens in a new tab)</VisuallyHidden>
          </>
        }
        rightSection={
          <Text span size="xs" c="dimmed" aria-hidden>
            ↗
          </Text>
        }
      />
    </nav>
  );
}

export function StaffShell() {
  const [opened, { toggle, close }] = useDisclosure(false);

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="lg"
    >
      <AppShell.Header>
        <a href="#main-content" className="skip-link">
          Skip to main content
        </a>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap" miw={0}>
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={opened ? 'Close navigation' : 'Open navigation'}
              aria-expanded={opened}
              aria-controls="main-navigation"
            />
            <Anchor component={Link} to="/" fw={700} fz="lg" c="assay.8" underline="never">
              Assay
            </Anchor>
            <Divider orientation="vertical" h={24} style={{ alignSelf: 'center' }} />
            <OrganizationSwitcher />
          </Group>
          <UserMenu />
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" id="main-navigation">
        <Navigation onNavigate={close} />
      </AppShell.Navbar>
      <AppShell.Main id="main-content" tabIndex={-1} style={{ outline: 'none' }}>
        <Suspense fallback={<LoadingState />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
