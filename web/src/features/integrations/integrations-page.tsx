import { Card, Tabs } from '@mantine/core';
import { useSearchParams } from 'react-router';
import { Page } from '../../components/page';
import { ApiKeysPanel } from './api-keys-panel';
import { WebhooksPanel } from './webhooks-panel';

export function IntegrationsPage() {
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'webhooks' ? 'webhooks' : 'api-keys';
  return (
    <Page
      title="Integrations"
      description="Connect Assay to your other systems: API keys let them call Assay, and webhooks tell them when something happens."
    >
      <Tabs
        value={tab}
        onChange={(v) => setParams(v === 'webhooks' ? { tab: 'webhooks' } : {}, { replace: true })}
      >
        <Tabs.List mb="md">
          <Tabs.Tab value="api-keys">API keys</Tabs.Tab>
          <Tabs.Tab value="webhooks">Webhooks</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="api-keys">
          <Card withBorder padding="lg">
            <ApiKeysPanel />
          </Card>
        </Tabs.Panel>
        <Tabs.Panel value="webhooks">
          <Card withBorder padding="lg">
            <WebhooksPanel />
          </Card>
        </Tabs.Panel>
      </Tabs>
    </Page>
  );
}
