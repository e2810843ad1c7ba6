import {
  Anchor,
  Box,
  Card,
  Group,
  List,
  Progress,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { Link } from 'react-router';
import { type RoleTemplate, useRoleTemplates } from '../../api/bank';
import { Page } from '../../components/page';
import { LoadError, LoadingState } from '../../components/query-state';
import { difficultyColors, difficultyLabels, useSubtopics } from './bank-labels';
import { BankTabs } from './bank-tabs';

const difficulties = ['easy', 'medium', 'hard'] as const;

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {label}
      </Text>
      <Text fw={600}>{value}</Text>
    </div>
  );
}

function RoleCard({ role, nameOf }: { role: RoleTemplate; nameOf: (id: string) => string }) {
  const headingId = `role-${role.id}`;
  const weights = Object.entries(role.weights)
    .filter(([, weight]) => weight > 0)
    .sort((a, b) => b[1] - a[1]);
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby={headingId}>
      <Stack gap="md">
        <div>
          <Title order={2} size="h4" id={headingId}>
            {role.name}
          </Title>
          <Text size="sm" c="dimmed" mt={4}>
            {role.description}
          </Text>
        </div>
        <Group gap="xl">
          <Stat label="Questions" value={String(role.questionCount)} />
          <Stat label="Quiz time" value={`${role.minutes} minutes`} />
        </Group>

        <div>
          <Text size="sm" fw={600} mb={6}>
            Difficulty mix
          </Text>
          {/* The bar is a picture of the numbers written under it. */}
          <Progress.Root size="lg" aria-hidden>
            {difficulties.map((d) => (
              <Progress.Section
                key={d}
                value={role.difficulty[d]}
                color={difficultyColors[d]}
                withAria={false}
              />
            ))}
          </Progress.Root>
          <SimpleGrid cols={3} spacing="xs" mt={6}>
            {difficulties.map((d) => (
              <div key={d}>
                <Text size="sm">
                  {difficultyLabels[d]} {role.difficulty[d]}%
                </Text>
                <Text size="xs" c="dimmed">
                  {role.draw.byDifficulty[d]} {role.draw.byDifficulty[d] === 1 ? 'question' : 'questions'}
                </Text>
              </div>
            ))}
          </SimpleGrid>
        </div>

        <Table verticalSpacing={6} aria-label={`Subtopic weights for ${role.name}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Subtopic</Table.Th>
              <Table.Th scope="col">Weight</Table.Th>
              <Table.Th scope="col" ta="right">
                Questions
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {weights.map(([subtopic, weight]) => (
              <Table.Tr key={subtopic}>
                <Table.Td>
                  <Text size="sm">{nameOf(subtopic)}</Text>
                </Table.Td>
                <Table.Td w="45%">
                  <Group gap="xs" wrap="nowrap">
                    <Box style={{ flex: 1 }} aria-hidden>
                      <Progress value={weight} size="md" color="assay" />
                    </Box>
                    <Text size="sm" w={40} ta="right">
                      {weight}%
                    </Text>
                  </Group>
                </Table.Td>
                <Table.Td ta="right">{role.draw.bySubtopic[subtopic] ?? 0}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>

        <div>
          <Text size="sm" fw={600} mb={4}>
            Suggested upload tasks
          </Text>
          {role.uploadTasks.length === 0 ? (
            <Text size="sm" c="dimmed">
              None
            </Text>
          ) : (
            <List size="sm" spacing={4}>
              {role.uploadTasks.map((t) => (
                <List.Item key={t.id}>
                  <Anchor component={Link} to={`/bank/upload-tasks/${t.id}`} size="sm">
                    {t.title}
                  </Anchor>
                </List.Item>
              ))}
            </List>
          )}
        </div>
      </Stack>
    </Card>
  );
}

export function RoleTemplatesPage() {
  const roles = useRoleTemplates();
  const subtopics = useSubtopics();
  return (
    <Page
      title="Role templates"
      description="Starting points for assessments: each role weights the subtopics, sets a mix of difficulties and suggests upload tasks."
    >
      <BankTabs />
      {roles.isPending ? (
        <LoadingState label="Loading role templates" />
      ) : roles.isError ? (
        <LoadError error={roles.error} what="role templates" onRetry={() => void roles.refetch()} />
      ) : roles.data.items.length === 0 ? (
        <Text c="dimmed">No role templates are loaded.</Text>
      ) : (
        <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
          {roles.data.items.map((role) => (
            <RoleCard key={role.id} role={role} nameOf={subtopics.nameOf} />
          ))}
        </SimpleGrid>
      )}
    </Page>
  );
}
