import { Box, Center, Paper, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import type { ReactNode } from 'react';

/** The frame of the signed-out pages: the product name and one card. */
export function AuthLayout({
  title,
  description,
  children,
  footer,
}: {
  title: string;
  description?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
}) {
  useDocumentTitle(`${title} · Assay`);
  return (
    <Center mih="100vh" p="md" bg="gray.0">
      <Box w="100%" maw={440}>
        <Text ta="center" fw={700} fz="xl" mb="lg" c="assay.8">
          Assay
        </Text>
        <Paper component="main" withBorder shadow="sm" p="xl" radius="md">
          <Stack gap="md">
            <div>
              <Title order={1} size="h3">
                {title}
              </Title>
              {description && (
                <Text c="dimmed" size="sm" mt={4}>
                  {description}
                </Text>
              )}
            </div>
            {children}
          </Stack>
        </Paper>
        {footer && (
          <Text ta="center" size="sm" mt="md">
            {footer}
          </Text>
        )}
      </Box>
    </Center>
  );
}
