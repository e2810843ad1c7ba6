import {
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  Loader,
  Modal,
  MultiSelect,
  NativeSelect,
  NumberInput,
  RangeSlider,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { type ReactNode, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import {
  type BulkAction,
  type BulkResult,
  type PipelineFilters,
  type PipelineRow,
  type PipelineSort,
  pipelineCsvUrl,
  type Stage,
  useBulkPipelineAction,
  usePipeline,
} from '../../api/results';
import { useCurrentSession } from '../../app/session-context';
import { LoadError, LoadingState } from '../../components/query-state';
import { errorMessage } from '../../lib/form-errors';
import { formatDateTime } from '../../lib/format';
import { can } from '../../lib/permissions';
import { plural } from '../assessments/assessment-labels';
import { useSubtopics } from '../bank/bank-labels';
import { IntegrityBadge, StageBadge, StatusBadge } from './badges';
import { defaultOrder, hasFilters, usePipelineFilters } from './pipeline-filters';
import {
  formatDuration,
  integrityLabels,
  integrityTiers,
  ordinal,
  percent,
  pipelineStatuses,
  stageLabels,
  stages,
  statusLabels,
} from './result-labels';
import { SavedViews } from './saved-views';
import { MiniScore } from './score-bars';

/** Short column headings for the taxonomy's subtopics; the full name is read out and shown on hover. */
const subtopicShort: Record<string, string> = {
  'server-side-languages': 'Lang',
  databases: 'DB',
  'api-integration': 'API',
  'server-management': 'Ops',
  'security-auth': 'Sec',
  'caching-performance': 'Perf',
};

const SUBTOPIC_ORDER = Object.keys(subtopicShort);

const shortDate = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const shortDateWithYear = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** "Nov 24" this year, "Nov 24, 2025" before: a dense column, the full time on hover. */
function formatShortDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return (d.getFullYear() === new Date().getFullYear() ? shortDate : shortDateWithYear).format(d);
}

function subtopicsOf(rows: PipelineRow[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r.bySubtopic)) seen.add(k);
  const rank = (id: string) => {
    const i = SUBTOPIC_ORDER.indexOf(id);
    return i === -1 ? SUBTOPIC_ORDER.length : i;
  };
  return [...seen].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

// ---------------------------------------------------------------------------------------------
// Sortable column headings

function SortHeader({
  label,
  sort,
  filters,
  onSort,
  align,
  children,
}: {
  label: string;
  sort: PipelineSort;
  filters: PipelineFilters;
  onSort: (sort: PipelineSort) => void;
  align?: 'right';
  children?: ReactNode;
}) {
  const active = filters.sort === sort;
  const order = filters.order ?? defaultOrder(filters.sort);
  // Only the active column shows an arrow: eleven of them would crowd a dense table.
  const arrow = active ? (order === 'asc' ? '▲' : '▼') : '';
  return (
    <Table.Th
      scope="col"
      ta={align}
      aria-sort={active ? (order === 'asc' ? 'ascending' : 'descending') : undefined}
      style={{ whiteSpace: 'nowrap' }}
    >
      <UnstyledButton
        onClick={() => onSort(sort)}
        fz="sm"
        fw={700}
        style={{ display: 'inline-flex', gap: 4, alignItems: 'center' }}
      >
        {children ?? label}
        {arrow && (
          <Text span size="xs" aria-hidden>
            {arrow}
          </Text>
        )}
        <VisuallyHidden>
          {active
            ? `, sorted ${order === 'asc' ? 'lowest first' : 'highest first'}. Click to reverse.`
            : ', click to sort'}
        </VisuallyHidden>
      </UnstyledButton>
    </Table.Th>
  );
}

// ---------------------------------------------------------------------------------------------
// Sort

const sortChoices: Array<{ sort: PipelineSort; order: 'asc' | 'desc'; label: string }> = [
  { sort: 'score', order: 'desc', label: 'Score, highest first' },
  { sort: 'score', order: 'asc', label: 'Score, lowest first' },
  { sort: 'percentile', order: 'desc', label: 'Percentile, highest first' },
  { sort: 'submitted', order: 'desc', label: 'Submitted, newest first' },
  { sort: 'submitted', order: 'asc', label: 'Submitted, oldest first' },
  { sort: 'name', order: 'asc', label: 'Name, A to Z' },
  { sort: 'name', order: 'desc', label: 'Name, Z to A' },
  { sort: 'newest', order: 'desc', label: 'Invited, newest first' },
  { sort: 'newest', order: 'asc', label: 'Invited, oldest first' },
];

function SortSelect({
  filters,
  onChange,
  nameOf,
}: {
  filters: PipelineFilters;
  onChange: (next: PipelineFilters) => void;
  nameOf: (id: string) => string;
}) {
  const order = filters.order ?? defaultOrder(filters.sort);
  const value = `${filters.sort}|${order}`;
  const choices = sortChoices.map((c) => ({ value: `${c.sort}|${c.order}`, label: c.label }));
  if (!choices.some((c) => c.value === value)) {
    // A subtopic column chosen from its heading.
    const subtopic = filters.sort.startsWith('subtopic:')
      ? nameOf(filters.sort.slice('subtopic:'.length))
      : filters.sort;
    choices.push({ value, label: `${subtopic}, ${order === 'asc' ? 'lowest' : 'highest'} first` });
  }
  return (
    <NativeSelect
      label="Sort by"
      value={value}
      data={choices}
      onChange={(e) => {
        const [sort, next] = e.currentTarget.value.split('|') as [PipelineSort, 'asc' | 'desc'];
        onChange({ ...filters, sort, order: next });
      }}
      w={230}
    />
  );
}

// ---------------------------------------------------------------------------------------------
// Filters

function Filters({
  filters,
  onChange,
}: {
  filters: PipelineFilters;
  onChange: (next: PipelineFilters) => void;
}) {
  const [search, setSearch] = useState(filters.q ?? '');
  const [q] = useDebouncedValue(search.trim(), 300);
  // Only when the typed text settles.
  useEffect(() => {
    if ((filters.q ?? '') !== q) onChange({ ...filters, q: q || undefined });
  }, [q]);
  // A saved view or the back button can change the search: follow it.
  useEffect(() => {
    if ((filters.q ?? '') !== search.trim()) setSearch(filters.q ?? '');
  }, [filters.q]);

  const range: [number, number] = [
    Math.round((filters.minScore ?? 0) * 100),
    Math.round((filters.maxScore ?? 1) * 100),
  ];
  const [score, setScore] = useState(range);
  useEffect(() => setScore(range), [range[0], range[1]]);
  const anyScore = score[0] === 0 && score[1] === 100;

  return (
    <form aria-label="Filter candidates" onSubmit={(e) => e.preventDefault()}>
      <Group align="flex-end" gap="sm" wrap="wrap">
        <TextInput
          label="Search"
          description="Name, email or external id"
          type="search"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          maxLength={200}
          w={190}
        />
        <MultiSelect
          label="Status"
          data={pipelineStatuses.map((s) => ({ value: s, label: statusLabels[s].label }))}
          value={filters.status ?? []}
          onChange={(v) =>
            onChange({ ...filters, status: v.length ? (v as PipelineFilters['status']) : undefined })
          }
          clearable
          w={180}
        />
        <MultiSelect
          label="Stage"
          data={stages.map((s) => ({ value: s, label: stageLabels[s] }))}
          value={filters.stage ?? []}
          onChange={(v) => onChange({ ...filters, stage: v.length ? (v as Stage[]) : undefined })}
          clearable
          w={160}
        />
        <MultiSelect
          label="Integrity signals"
          data={integrityTiers.map((t) => ({ value: t, label: integrityLabels[t].label }))}
          value={filters.integrityTier ?? []}
          onChange={(v) =>
            onChange({
              ...filters,
              integrityTier: v.length ? (v as PipelineFilters['integrityTier']) : undefined,
            })
          }
          clearable
          w={170}
        />
        <Stack gap={4} w={190} pb={6} role="group" aria-labelledby="score-range-label">
          <Text size="sm" fw={500} id="score-range-label">
            Overall score
          </Text>
          <Text size="xs" c="dimmed" aria-live="polite">
            {anyScore ? 'Any score, including none yet' : `${score[0]}% to ${score[1]}%`}
          </Text>
          <RangeSlider
            min={0}
            max={100}
            step={5}
            minRange={5}
            value={score}
            onChange={setScore}
            onChangeEnd={([min, max]) =>
              onChange({
                ...filters,
                minScore: min === 0 && max === 100 ? undefined : min / 100,
                maxScore: min === 0 && max === 100 ? undefined : max / 100,
              })
            }
            thumbFromLabel="Lowest overall score"
            thumbToLabel="Highest overall score"
            label={(v) => `${v}%`}
            mt={6}
          />
        </Stack>
        {hasFilters(filters) && (
          <Button
            variant="subtle"
            mb={4}
            onClick={() => {
              setSearch('');
              onChange({ sort: filters.sort, order: filters.order });
            }}
          >
            Clear filters
          </Button>
        )}
      </Group>
    </form>
  );
}

// ---------------------------------------------------------------------------------------------
// Bulk actions

type PendingAction = { kind: 'stage' | 'remind' | 'extend'; ids: string[]; presetStage?: Stage };

const actionDone: Record<PendingAction['kind'], string> = {
  stage: 'moved',
  remind: 'reminded',
  extend: 'extended',
};

function summarize(kind: PendingAction['kind'], results: BulkResult['results']) {
  const ok = results.filter((r) => r.ok).length;
  const reasons = new Map<string, number>();
  for (const r of results) {
    if (!r.ok) {
      const m = r.error?.message ?? 'Unknown error';
      reasons.set(m, (reasons.get(m) ?? 0) + 1);
    }
  }
  const failed = results.length - ok;
  const parts = [`${plural(ok, 'candidate')} ${actionDone[kind]}.`];
  if (failed > 0) {
    parts.push(
      `${plural(failed, 'candidate')} couldn’t be: ${[...reasons].map(([m, n]) => `${m} (${n})`).join('; ')}.`,
    );
  }
  return { message: parts.join(' '), failed: failed > 0 };
}

function BulkActionModal({
  pending,
  onClose,
  onDone,
}: {
  pending: PendingAction | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const bulk = useBulkPipelineAction();
  const [stage, setStage] = useState<Stage>(pending?.presetStage ?? 'shortlisted');
  const [note, setNote] = useState('');
  const [days, setDays] = useState<number | string>(7);
  const validDays = typeof days === 'number' && Number.isInteger(days) && days >= 1 && days <= 90;
  if (!pending) return <Modal opened={false} onClose={onClose} title="" />;
  const who = plural(pending.ids.length, 'candidate');
  const title =
    pending.kind === 'stage'
      ? pending.presetStage === 'rejected'
        ? `Reject ${who}?`
        : pending.presetStage === 'shortlisted'
          ? `Shortlist ${who}?`
          : `Change the stage of ${who}`
      : pending.kind === 'remind'
        ? `Send a reminder to ${who}?`
        : `Extend the expiry for ${who}`;

  const confirmLabel =
    pending.kind === 'remind'
      ? 'Send reminder'
      : pending.kind === 'extend'
        ? 'Extend'
        : pending.presetStage === 'rejected'
          ? 'Reject'
          : pending.presetStage === 'shortlisted'
            ? 'Shortlist'
            : 'Change stage';

  const submit = () => {
    let action: BulkAction;
    if (pending.kind === 'stage') action = { kind: 'stage', stage, note: note.trim() || undefined };
    else if (pending.kind === 'extend') {
      if (!validDays) return;
      action = { kind: 'extend', days: days as number };
    } else action = { kind: 'remind' };
    bulk.mutate(
      { action, invitationIds: pending.ids },
      {
        onSuccess: ({ results }) => {
          const s = summarize(pending.kind, results);
          notifications.show({
            color: s.failed ? 'orange' : undefined,
            message: s.message,
            autoClose: s.failed ? false : 5000,
          });
          onDone();
        },
        onError: (err) =>
          notifications.show({ color: 'red', title: 'That didn’t work', message: errorMessage(err) }),
      },
    );
  };

  return (
    <Modal opened onClose={onClose} title={title}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Stack gap="md">
          {pending.kind === 'stage' && (
            <>
              {!pending.presetStage && (
                <NativeSelect
                  label="Stage"
                  data={stages.map((s) => ({ value: s, label: stageLabels[s] }))}
                  value={stage}
                  onChange={(e) => setStage(e.currentTarget.value as Stage)}
                  data-autofocus
                />
              )}
              <Textarea
                label="Note"
                description="Optional. Kept with each candidate’s notes, for your team only."
                autosize
                minRows={2}
                maxLength={10_000}
                value={note}
                onChange={(e) => setNote(e.currentTarget.value)}
              />
              <Text size="sm" c="dimmed">
                Candidates aren’t emailed about stage changes. Integrations get a stage-changed event.
              </Text>
            </>
          )}
          {pending.kind === 'remind' && (
            <Text size="sm">
              Candidates who haven’t started get an email with a fresh link; the link sent before stops
              working. Those who started or finished are left alone.
            </Text>
          )}
          {pending.kind === 'extend' && (
            <>
              <Text size="sm">
                The link expires later by the days you choose, counted from today if it has already expired.
                Candidates who started aren’t affected: give them extra minutes from their report.
              </Text>
              <NumberInput
                label="Days to add"
                min={1}
                max={90}
                allowDecimal={false}
                allowNegative={false}
                value={days}
                onChange={setDays}
                error={validDays ? null : 'Enter 1 to 90 days'}
                data-autofocus
                w={160}
              />
            </>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button
              type="submit"
              loading={bulk.isPending}
              color={pending.kind === 'stage' && stage === 'rejected' ? 'red' : undefined}
            >
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------------
// Rows

function CandidateRow({
  row,
  subtopics,
  nameOf,
  showAssessment,
  selected,
  onSelect,
}: {
  row: PipelineRow;
  subtopics: string[];
  nameOf: (id: string) => string;
  showAssessment: boolean;
  selected: boolean;
  onSelect: (checked: boolean) => void;
}) {
  const { candidate } = row;
  const timeTaken = row.timeTakenMs === null ? null : row.timeTakenMs / 1000;
  return (
    <Table.Tr bg={selected ? 'var(--mantine-color-assay-light)' : undefined}>
      <Table.Td>
        <Checkbox
          aria-label={`Select ${candidate.name}`}
          checked={selected}
          onChange={(e) => onSelect(e.currentTarget.checked)}
        />
      </Table.Td>
      <Table.Td maw={210}>
        {row.attemptId ? (
          <Anchor
            component={Link}
            to={`/attempts/${row.attemptId}`}
            size="sm"
            fw={500}
            truncate
            display="block"
          >
            {candidate.name}
          </Anchor>
        ) : (
          <Text size="sm" fw={500} truncate>
            {candidate.name}
          </Text>
        )}
        <Text size="xs" c="dimmed" truncate>
          {candidate.email}
        </Text>
        {showAssessment && (
          <Anchor component={Link} to={`/assessments/${row.assessment.id}/candidates`} size="xs" c="dimmed">
            {row.assessment.name}
          </Anchor>
        )}
      </Table.Td>
      <Table.Td>
        <StatusBadge status={row.status} size="sm" />
        <Group gap={6} mt={2} wrap="nowrap">
          <Text size="xs" c="dimmed">
            <time dateTime={row.lastActivityAt} title={`Last activity ${formatDateTime(row.lastActivityAt)}`}>
              {formatShortDate(row.lastActivityAt)}
            </time>
          </Text>
          {row.demo && (
            <Badge size="xs" variant="outline" color="gray">
              Demo
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td ta="right" style={{ fontVariantNumeric: 'tabular-nums' }}>
        <Text size="sm" fw={600} span>
          {percent(row.score)}
        </Text>
        {row.status === 'awaiting_review' && row.score !== null && (
          <Text size="xs" c="dimmed">
            preliminary
          </Text>
        )}
      </Table.Td>
      {subtopics.map((s) => (
        <Table.Td key={s}>
          <MiniScore score={row.bySubtopic[s]} label={nameOf(s)} stacked />
        </Table.Td>
      ))}
      <Table.Td ta="right">{ordinal(row.percentile)}</Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDuration(timeTaken, true)}</Table.Td>
      <Table.Td>{row.integrityTier ? <IntegrityBadge tier={row.integrityTier} compact /> : '—'}</Table.Td>
      <Table.Td>
        <StageBadge stage={row.stage} size="xs" />
      </Table.Td>
    </Table.Tr>
  );
}

// ---------------------------------------------------------------------------------------------

/**
 * The pipeline: candidates of one assessment (`assessmentId`), or of all of them (null), with
 * server-side sorting and filters, saved views, bulk actions, compare and export.
 */
export function PipelineView({ assessmentId }: { assessmentId: string | null }) {
  const session = useCurrentSession();
  const role = session.organization?.role;
  const navigate = useNavigate();
  const [filters, setFilters] = usePipelineFilters(assessmentId ? 'score' : 'newest');
  const pipeline = usePipeline(assessmentId, filters);
  const { nameOf } = useSubtopics();
  const rows = pipeline.data?.pages.flatMap((p) => p.items) ?? [];
  const subtopics = subtopicsOf(rows);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [pending, setPending] = useState<PendingAction | null>(null);
  const visibleSelected = rows.filter((r) => selected.has(r.invitationId));
  const allSelected = rows.length > 0 && visibleSelected.length === rows.length;
  const comparable = visibleSelected.filter((r) => r.attemptId !== null);
  const canCompare =
    visibleSelected.length >= 2 &&
    visibleSelected.length <= 4 &&
    comparable.length === visibleSelected.length;
  const canManage = can(role, 'candidates.manage');
  const refreshing = pipeline.isFetching && !pipeline.isFetchingNextPage && pipeline.data !== undefined;
  const filtered = hasFilters(filters);

  const sortBy = (sort: PipelineSort) => {
    const order =
      filters.sort === sort
        ? (filters.order ?? defaultOrder(sort)) === 'asc'
          ? 'desc'
          : 'asc'
        : defaultOrder(sort);
    setFilters({ ...filters, sort, order });
  };
  const select = (id: string, checked: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (checked) next.add(id);
      else next.delete(id);
      return next;
    });
  const ask = (kind: PendingAction['kind'], presetStage?: Stage) =>
    setPending({ kind, presetStage, ids: visibleSelected.map((r) => r.invitationId) });
  const sortProps = { filters, onSort: sortBy };

  return (
    <Stack gap="md">
      <Card withBorder padding="lg">
        <Stack gap="md">
          <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
            <Group align="flex-end" gap="sm">
              <SortSelect filters={filters} onChange={setFilters} nameOf={nameOf} />
              <SavedViews assessmentId={assessmentId} filters={filters} onApply={setFilters} />
            </Group>
            <Group gap="sm">
              {refreshing && <Loader size="sm" aria-label="Updating the list" />}
              {assessmentId && can(role, 'results.export') && (
                <Button component="a" href={pipelineCsvUrl(assessmentId, filters)} download variant="default">
                  Export CSV
                </Button>
              )}
            </Group>
          </Group>
          <Filters filters={filters} onChange={setFilters} />

          {visibleSelected.length > 0 && (
            <Group
              gap="xs"
              p="xs"
              bg="var(--mantine-color-assay-light)"
              style={{ borderRadius: 'var(--mantine-radius-md)' }}
              role="group"
              aria-label="Actions on the selected candidates"
            >
              <Text size="sm" fw={600} mr="sm">
                {plural(visibleSelected.length, 'candidate')} selected
              </Text>
              {canManage && (
                <>
                  <Button size="xs" variant="default" onClick={() => ask('stage', 'shortlisted')}>
                    Shortlist
                  </Button>
                  <Button size="xs" variant="default" onClick={() => ask('stage', 'rejected')}>
                    Reject
                  </Button>
                  <Button size="xs" variant="default" onClick={() => ask('stage')}>
                    Change stage…
                  </Button>
                  <Button size="xs" variant="default" onClick={() => ask('remind')}>
                    Send reminder
                  </Button>
                  <Button size="xs" variant="default" onClick={() => ask('extend')}>
                    Extend expiry…
                  </Button>
                </>
              )}
              <Button
                size="xs"
                disabled={!canCompare}
                onClick={() => navigate(`/compare?ids=${comparable.map((r) => r.attemptId).join(',')}`)}
                title={canCompare ? undefined : 'Select 2 to 4 candidates who have started the test'}
              >
                Compare
              </Button>
              <Button size="xs" variant="subtle" onClick={() => setSelected(new Set())}>
                Clear selection
              </Button>
              {!canCompare && (
                <Text size="xs" c="dimmed">
                  Compare 2 to 4 candidates who have started the test.
                </Text>
              )}
            </Group>
          )}

          {!pipeline.data ? (
            pipeline.isError ? (
              <LoadError error={pipeline.error} what="candidates" onRetry={() => void pipeline.refetch()} />
            ) : (
              <LoadingState label="Loading candidates" />
            )
          ) : rows.length === 0 ? (
            <Text size="sm" c="dimmed">
              {filtered
                ? 'No candidates match these filters.'
                : assessmentId
                  ? 'No candidates yet. Invite candidates from the Invitations tab; they appear here with their scores as they finish.'
                  : 'No candidates yet. Invite candidates to an assessment; they appear here with their scores as they finish.'}
            </Text>
          ) : (
            <>
              <Table.ScrollContainer minWidth={(assessmentId ? 720 : 780) + subtopics.length * 44}>
                <Table
                  verticalSpacing={6}
                  horizontalSpacing={6}
                  fz="sm"
                  highlightOnHover
                  aria-label={assessmentId ? 'Candidates' : 'Candidates across assessments'}
                >
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th w={36}>
                        <Checkbox
                          aria-label="Select all candidates shown"
                          checked={allSelected}
                          indeterminate={visibleSelected.length > 0 && !allSelected}
                          onChange={(e) => {
                            const checked = e.currentTarget.checked;
                            setSelected(checked ? new Set(rows.map((r) => r.invitationId)) : new Set());
                          }}
                        />
                      </Table.Th>
                      <SortHeader label="Candidate" sort="name" {...sortProps} />
                      <Table.Th scope="col">
                        Status
                        <Text size="xs" c="dimmed" fw={400}>
                          last activity
                        </Text>
                      </Table.Th>
                      <SortHeader label="Score" sort="score" align="right" {...sortProps} />
                      {subtopics.map((s) => (
                        <SortHeader
                          key={s}
                          label={nameOf(s)}
                          sort={`subtopic:${s}` as PipelineSort}
                          {...sortProps}
                        >
                          <span title={nameOf(s)} aria-hidden>
                            {subtopicShort[s] ?? nameOf(s).slice(0, 5)}
                          </span>
                          <VisuallyHidden>{nameOf(s)}</VisuallyHidden>
                        </SortHeader>
                      ))}
                      <SortHeader label="Percentile" sort="percentile" align="right" {...sortProps} />
                      <Table.Th scope="col" w={64}>
                        Time taken
                      </Table.Th>
                      <Table.Th scope="col">Integrity</Table.Th>
                      <Table.Th scope="col">Stage</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {rows.map((row) => (
                      <CandidateRow
                        key={row.invitationId}
                        row={row}
                        subtopics={subtopics}
                        nameOf={nameOf}
                        showAssessment={!assessmentId}
                        selected={selected.has(row.invitationId)}
                        onSelect={(checked) => select(row.invitationId, checked)}
                      />
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <Group justify="center">
                {pipeline.hasNextPage ? (
                  <Button
                    variant="default"
                    onClick={() => void pipeline.fetchNextPage()}
                    loading={pipeline.isFetchingNextPage}
                  >
                    Load more
                  </Button>
                ) : (
                  <Text size="sm" c="dimmed">
                    {plural(rows.length, 'candidate')} shown
                  </Text>
                )}
              </Group>
              {pipeline.isFetchNextPageError && (
                <Text size="sm" c="red.8" role="alert" ta="center">
                  {errorMessage(pipeline.error)}
                </Text>
              )}
            </>
          )}
        </Stack>
      </Card>
      <Text size="xs" c="dimmed">
        Integrity signals show where to look, never a verdict: a tab switch can be a candidate checking the
        time. Scores of candidates awaiting review are preliminary until their uploads are graded.
      </Text>
      <BulkActionModal
        key={pending ? `${pending.kind}:${pending.presetStage ?? ''}:${pending.ids.length}` : 'none'}
        pending={pending}
        onClose={() => setPending(null)}
        onDone={() => {
          setPending(null);
          setSelected(new Set());
        }}
      />
    </Stack>
  );
}
