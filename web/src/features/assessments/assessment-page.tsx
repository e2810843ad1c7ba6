import { Anchor, Badge, Button, Group, Modal, Stack, Tabs, Text } from '@mantine/core';
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { Link, useBlocker, useNavigate, useParams } from 'react-router';
import { useAssessment } from '../../api/assessments';
import { Page } from '../../components/page';
import { LoadError, LoadingState } from '../../components/query-state';
import { stateColors, stateLabels } from './assessment-labels';
import { InvitationsTab } from './invitations-tab';
import { OverviewTab } from './overview-tab';
import { SectionsTab } from './sections-tab';
import { SettingsTab } from './settings-tab';

// The results tabs load on demand: the builder shouldn't wait for the pipeline's code.
const CandidatesTab = lazy(async () => ({
  default: (await import('../results/candidates-tab')).CandidatesTab,
}));
const ItemStatsTab = lazy(async () => ({
  default: (await import('../results/item-stats-tab')).ItemStatsTab,
}));

const tabs = ['overview', 'sections', 'settings', 'invitations', 'candidates', 'item-stats'] as const;
type Tab = (typeof tabs)[number];

const tabLabels: Record<Tab, string> = {
  overview: 'Overview',
  sections: 'Sections',
  settings: 'Settings',
  invitations: 'Invitations',
  candidates: 'Candidates',
  'item-stats': 'Item statistics',
};

/** Asks before leaving the assessment with unsaved edits; moving between its tabs keeps them. */
function useUnsavedChangesGuard(assessmentId: string, dirty: boolean) {
  const blocker = useBlocker(
    ({ nextLocation }) => dirty && !nextLocation.pathname.startsWith(`/assessments/${assessmentId}`),
  );
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);
  return blocker;
}

export function AssessmentPage() {
  const { assessmentId = '' } = useParams();
  // A fresh view per assessment, so edits in progress never carry over to another one (after Duplicate).
  return <AssessmentView key={assessmentId} assessmentId={assessmentId} />;
}

function AssessmentView({ assessmentId }: { assessmentId: string }) {
  const { tab: tabParam } = useParams();
  const navigate = useNavigate();
  const tab: Tab = tabs.find((t) => t === tabParam) ?? 'overview';
  const assessment = useAssessment(assessmentId);
  const [dirty, setDirty] = useState({ sections: false, settings: false });
  const setSectionsDirty = useCallback((d: boolean) => setDirty((x) => ({ ...x, sections: d })), []);
  const setSettingsDirty = useCallback((d: boolean) => setDirty((x) => ({ ...x, settings: d })), []);
  const blocker = useUnsavedChangesGuard(assessmentId, dirty.sections || dirty.settings);
  const [invitationsVisited, setInvitationsVisited] = useState(tab === 'invitations');
  useEffect(() => {
    if (tab === 'invitations') setInvitationsVisited(true);
  }, [tab]);

  if (!assessment.data) {
    return (
      <Page title="Assessment">
        {assessment.isError ? (
          <LoadError
            error={assessment.error}
            what="the assessment"
            onRetry={() => void assessment.refetch()}
          />
        ) : (
          <LoadingState label="Loading the assessment" />
        )}
      </Page>
    );
  }
  const a = assessment.data;

  return (
    <Page
      title={a.name}
      description={
        <Group gap="xs" component="span">
          <Anchor component={Link} to="/assessments" size="sm">
            All assessments
          </Anchor>
          <Text span c="dimmed" size="sm" aria-hidden>
            ·
          </Text>
          <Badge variant="light" color={stateColors[a.state]} component="span">
            {stateLabels[a.state]}
          </Badge>
        </Group>
      }
    >
      <Tabs
        value={tab}
        onChange={(next) =>
          navigate(`/assessments/${a.id}${next && next !== 'overview' ? `/${next}` : ''}`, { replace: true })
        }
        keepMounted
      >
        <Tabs.List mb="md">
          {tabs.map((t) => {
            const unsaved = (t === 'sections' && dirty.sections) || (t === 'settings' && dirty.settings);
            return (
              <Tabs.Tab key={t} value={t}>
                {tabLabels[t]}
                {unsaved && (
                  <Text span c="orange.8" fw={700} ml={4} aria-label="(unsaved changes)">
                    •
                  </Text>
                )}
              </Tabs.Tab>
            );
          })}
        </Tabs.List>
        <Tabs.Panel value="overview">
          <OverviewTab assessment={a} />
        </Tabs.Panel>
        <Tabs.Panel value="sections">
          <SectionsTab assessment={a} onDirtyChange={setSectionsDirty} />
        </Tabs.Panel>
        <Tabs.Panel value="settings">
          <SettingsTab assessment={a} onDirtyChange={setSettingsDirty} />
        </Tabs.Panel>
        <Tabs.Panel value="invitations">
          {/* Only loaded once visited: a big candidate list shouldn't slow down the builder. */}
          {invitationsVisited && <InvitationsTab assessment={a} />}
        </Tabs.Panel>
        <Tabs.Panel value="candidates">
          {tab === 'candidates' && (
            <Suspense fallback={<LoadingState label="Loading candidates" />}>
              <CandidatesTab assessment={a} />
            </Suspense>
          )}
        </Tabs.Panel>
        <Tabs.Panel value="item-stats">
          {tab === 'item-stats' && (
            <Suspense fallback={<LoadingState label="Loading item statistics" />}>
              <ItemStatsTab assessment={a} />
            </Suspense>
          )}
        </Tabs.Panel>
      </Tabs>

      <Modal
        opened={blocker.state === 'blocked'}
        onClose={() => blocker.reset?.()}
        title="Leave without saving?"
      >
        <Stack gap="md">
          <Text size="sm">
            Your changes to{' '}
            {[dirty.sections && 'the sections', dirty.settings && 'the settings']
              .filter(Boolean)
              .join(' and ')}{' '}
            aren’t saved yet. They’ll be lost if you leave.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => blocker.reset?.()} data-autofocus>
              Stay
            </Button>
            <Button color="red" onClick={() => blocker.proceed?.()}>
              Leave without saving
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Page>
  );
}
