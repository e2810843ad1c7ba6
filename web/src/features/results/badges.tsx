import { Badge, Text } from '@mantine/core';
import type { IntegrityTier, PipelineStatus, Stage } from '../../api/results';
import { integrityColors, integrityLabels, stageColors, stageLabels, statusLabels } from './result-labels';

export function StatusBadge({ status, size }: { status: PipelineStatus; size?: 'xs' | 'sm' }) {
  const s = statusLabels[status];
  return (
    <Badge
      size={size}
      variant="light"
      color={s.color}
      title={s.description}
      style={{ whiteSpace: 'nowrap', minWidth: 'max-content' }}
    >
      {s.label}
    </Badge>
  );
}

export function StageBadge({ stage, size }: { stage: Stage; size?: 'xs' | 'sm' }) {
  return (
    <Badge
      size={size}
      variant="light"
      color={stageColors[stage]}
      style={{ whiteSpace: 'nowrap', minWidth: 'max-content' }}
    >
      {stageLabels[stage]}
    </Badge>
  );
}

/** Signals, never verdicts: no signals is plain text, the others a neutral badge. */
export function IntegrityBadge({ tier, compact = false }: { tier: IntegrityTier; compact?: boolean }) {
  const t = integrityLabels[tier];
  if (tier === 'none') {
    return (
      <Text span size="xs" c="dimmed" title={t.description}>
        {compact ? 'None' : t.label}
      </Text>
    );
  }
  return (
    <Badge
      variant="light"
      color={integrityColors[tier]}
      size={compact ? 'sm' : undefined}
      title={t.description}
      style={{ whiteSpace: 'nowrap', minWidth: 'max-content' }}
    >
      {compact ? (tier === 'some' ? 'Some' : 'Many') : t.label}
    </Badge>
  );
}
