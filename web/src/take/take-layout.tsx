// The candidate app's frame, apart from the staff app: its own data cache (nothing here ever asks for
// a staff session), no staff navigation, one calm column that works from a 375 px phone upwards.
import { Box, Container, Group, Stack, Text } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Outlet } from 'react-router';
import { isTransient } from '../api/take';
import './take.css';

function createCandidateQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 0,
        refetchOnWindowFocus: false,
        // A dropped connection or a 503 may fix itself; an answer from the server won't.
        retry: (count, err) => count < 3 && isTransient(err),
        retryDelay: (attempt) => Math.min(8000, 1000 * 2 ** attempt),
      },
      mutations: { retry: false },
    },
  });
}

/** Route element for every candidate page. */
export function TakeRoot() {
  const [queryClient] = useState(createCandidateQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <Outlet />
    </QueryClientProvider>
  );
}

/**
 * One candidate page: a slim header with the organization and the assessment, then the content.
 * `aside` sits on the header's right (the timer and the save status during the test).
 */
export function TakeFrame({
  title,
  organization,
  assessment,
  aside,
  children,
  width = 760,
}: {
  /** The document title. */
  title: string;
  organization?: string;
  assessment?: string;
  aside?: ReactNode;
  children: ReactNode;
  width?: number;
}) {
  useDocumentTitle(organization ? `${title} · ${organization}` : `${title} · Assay`);
  return (
    <Box mih="100vh" bg="gray.0">
      <a className="skip-link" href="#take-main">
        Skip to content
      </a>
      <Box component="header" className="take-header">
        <Container size={width} px="md" py="sm">
          <Group justify="space-between" wrap="wrap" gap="xs">
            <Stack gap={0} miw={0}>
              <Text fw={700} size="sm" c="assay.8" truncate>
                {organization ?? 'Assay'}
              </Text>
              {assessment && (
                <Text size="sm" c="dimmed" truncate>
                  {assessment}
                </Text>
              )}
            </Stack>
            {aside}
          </Group>
        </Container>
      </Box>
      <Container component="main" id="take-main" tabIndex={-1} size={width} px="md" py="lg">
        {children}
      </Container>
    </Box>
  );
}
