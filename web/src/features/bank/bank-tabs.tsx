import { Button, Group } from '@mantine/core';
import { Link, useLocation } from 'react-router';

const sections = [
  {
    to: '/bank',
    label: 'Questions',
    matches: (p: string) => p === '/bank' || p.startsWith('/bank/questions'),
  },
  {
    to: '/bank/upload-tasks',
    label: 'Upload tasks',
    matches: (p: string) => p.startsWith('/bank/upload-tasks'),
  },
  { to: '/bank/roles', label: 'Role templates', matches: (p: string) => p.startsWith('/bank/roles') },
];

/** Moves between the bank's three lists: questions, upload tasks and role templates. */
export function BankTabs() {
  const { pathname } = useLocation();
  return (
    <nav aria-label="Question bank">
      <Group gap="xs">
        {sections.map((s) => {
          const active = s.matches(pathname);
          return (
            <Button
              key={s.to}
              component={Link}
              to={s.to}
              size="sm"
              variant={active ? 'light' : 'subtle'}
              color={active ? undefined : 'dark'}
              aria-current={active ? 'page' : undefined}
            >
              {s.label}
            </Button>
          );
        })}
      </Group>
    </nav>
  );
}
