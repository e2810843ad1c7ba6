import {
  Alert,
  Button,
  Code,
  FileInput,
  Group,
  Progress,
  ScrollArea,
  SimpleGrid,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { useEffect, useState } from 'react';
import type { Assessment } from '../../api/assessments';
import { ApiError, fieldErrorsOf } from '../../api/client';
import {
  type CandidateImport,
  useCandidateImport,
  useImportCandidates,
  useLatestImport,
} from '../../api/invitations';
import { errorMessage } from '../../lib/form-errors';
import { plural } from './assessment-labels';

const MAX_CSV_MB = 5;

function Count({ label, value, color }: { label: string; value: number; color?: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {label}
      </Text>
      <Text fw={700} size="xl" c={color}>
        {value.toLocaleString()}
      </Text>
    </div>
  );
}

function ImportProgress({ imp }: { imp: CandidateImport }) {
  const running = imp.status === 'queued' || imp.status === 'running';
  const percent = imp.totalRows > 0 ? Math.round((imp.processedRows / imp.totalRows) * 100) : 0;
  return (
    <Stack gap="md">
      {running ? (
        <div>
          <Group justify="space-between" mb={4}>
            <Text size="sm" fw={500} id="import-progress-label">
              {imp.status === 'queued' ? 'Waiting to start…' : 'Inviting candidates…'}
            </Text>
            <Text size="sm" c="dimmed">
              {imp.processedRows.toLocaleString()} of {plural(imp.totalRows, 'row')}
            </Text>
          </Group>
          <Progress value={percent} animated aria-labelledby="import-progress-label" />
          <Text size="xs" c="dimmed" mt={4}>
            You can close this dialog: the import carries on, and new invitations appear in the list as they
            are sent.
          </Text>
        </div>
      ) : imp.status === 'failed' ? (
        <Alert color="red" title="The import stopped">
          {imp.error ?? 'Something went wrong on our side.'}{' '}
          {imp.processedRows > 0 && `The first ${plural(imp.processedRows, 'row')} were processed.`}
        </Alert>
      ) : (
        <Alert color="assay" title="Import finished">
          {plural(imp.totalRows, 'row')} processed.
        </Alert>
      )}
      <SimpleGrid cols={3} spacing="md" aria-live="polite">
        <Count label="Invited" value={imp.accepted} color="assay.8" />
        <Count label="Already invited" value={imp.alreadyInvited} />
        <Count label="Rejected" value={imp.rejected} color={imp.rejected > 0 ? 'red.8' : undefined} />
      </SimpleGrid>
      {imp.alreadyInvited > 0 && !running && (
        <Text size="sm" c="dimmed">
          Candidates who were already invited got nothing new. Use Resend in the list to send them a fresh
          link.
        </Text>
      )}
      {imp.report.length > 0 && (
        <div>
          <Text size="sm" fw={600} mb={4} id="rejected-rows-heading">
            Rejected rows
          </Text>
          <ScrollArea.Autosize mah={240} type="auto">
            <Table verticalSpacing={4} fz="sm" aria-labelledby="rejected-rows-heading" stickyHeader>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col" w={60}>
                    Row
                  </Table.Th>
                  <Table.Th scope="col">Email</Table.Th>
                  <Table.Th scope="col">Reason</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {imp.report.map((r) => (
                  <Table.Tr key={r.row}>
                    <Table.Td>{r.row}</Table.Td>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{r.email || '—'}</Table.Td>
                    <Table.Td>{r.reason}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea.Autosize>
        </div>
      )}
    </Stack>
  );
}

/** Upload a CSV of candidates, follow the import, and read its report. */
export function CsvImportPanel({ assessment, onDone }: { assessment: Assessment; onDone: () => void }) {
  const upload = useImportCandidates(assessment.id);
  const latest = useLatestImport(assessment.id);
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [importId, setImportId] = useState<string | null>(null);
  const progress = useCandidateImport(assessment.id, importId);

  // An import still running from an earlier visit: follow it.
  useEffect(() => {
    const l = latest.data;
    if (importId === null && l && (l.status === 'queued' || l.status === 'running')) setImportId(l.id);
  }, [latest.data, importId]);

  const start = () => {
    setFileError(null);
    if (!file) {
      setFileError('Choose a CSV file');
      return;
    }
    if (file.size > MAX_CSV_MB * 1024 * 1024) {
      setFileError(`The file is larger than ${MAX_CSV_MB} MB. Split it into smaller files.`);
      return;
    }
    upload.mutate(file, {
      onSuccess: (imp) => setImportId(imp.id),
      onError: (err) => {
        const fields = err instanceof ApiError ? fieldErrorsOf(err) : {};
        setFileError(fields.file ? `${err.message}: ${fields.file}` : errorMessage(err));
      },
    });
  };

  const imp = progress.data;
  const running = imp !== undefined && (imp.status === 'queued' || imp.status === 'running');

  if (importId !== null) {
    return (
      <Stack gap="md">
        {imp ? (
          <ImportProgress imp={imp} />
        ) : progress.isError ? (
          <Alert color="red" title="Couldn’t follow the import">
            {errorMessage(progress.error)}
          </Alert>
        ) : (
          <Text size="sm" c="dimmed" role="status">
            Uploading…
          </Text>
        )}
        <Group justify="flex-end">
          <Button
            variant="default"
            disabled={running}
            onClick={() => {
              setImportId(null);
              setFile(null);
              upload.reset();
            }}
          >
            Import another file
          </Button>
          <Button onClick={onDone}>{running ? 'Close' : 'Done'}</Button>
        </Group>
      </Stack>
    );
  }

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        start();
      }}
      noValidate
    >
      <Stack gap="md">
        <div>
          <Text size="sm">
            The first row must name the columns. <strong>email</strong> and <strong>name</strong> are
            required; <strong>external id</strong> and <strong>extra time</strong> (a multiplier such as 1.5)
            are optional. Other columns are ignored. Up to 10,000 rows and {MAX_CSV_MB} MB per file.
          </Text>
          <Code block mt="xs">
            {
              'email,name,external id\nada@example.com,Ada Lovelace,ATS-1041\ngrace@example.com,Grace Hopper,ATS-1042'
            }
          </Code>
        </div>
        <FileInput
          label="CSV file"
          description="Exported from a spreadsheet or your applicant-tracking system, saved as CSV (UTF-8)"
          accept=".csv,text/csv"
          required
          clearable
          value={file}
          onChange={(f) => {
            setFile(f);
            setFileError(null);
          }}
          error={fileError}
        />
        <Text size="sm" c="dimmed">
          Everyone on the list is emailed their invitation. Candidates already invited to this assessment are
          skipped.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={upload.isPending}>
            Upload and invite
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
