// The controller's dynamic broker configs (the broker side of Kafka's ConfigurationControlManager):
// per resource ('' = the cluster-wide default, else a broker id) the configs AlterConfigs and
// IncrementalAlterConfigs set, kept by replaying the committed changes. The cluster-wide default
// also applies to the controller's own config, as Kafka's dynamic default broker configs do.
// Topic overrides live on the topic records (replication-control.ts).
import type { BrokerConfig } from '../broker/configs.ts';
import type { MetadataChange } from '../metadata/types.ts';

export class ConfigurationControl {
  private readonly config: BrokerConfig;
  private readonly brokerConfigMap = new Map<string, Record<string, string>>();

  /** `config`: the controller's own copy, which takes the cluster-wide default layer. */
  constructor(config: BrokerConfig, stored: Record<string, Record<string, string>>) {
    this.config = config;
    for (const [k, v] of Object.entries(stored)) this.brokerConfigMap.set(k, v);
    this.config.setDynamic('default', this.brokerConfigMap.get('') ?? {});
  }

  /** Dynamic broker configs of a resource (a copy). */
  brokerConfigs(resource: string): Record<string, string> {
    return { ...(this.brokerConfigMap.get(resource) ?? {}) };
  }

  /** Every resource's configs, copied, for a snapshot. */
  snapshot(): Record<string, Record<string, string>> {
    return Object.fromEntries([...this.brokerConfigMap].map(([k, v]) => [k, { ...v }]));
  }

  replay(c: MetadataChange): void {
    if (c.type !== 'brokerConfigs') return;
    this.brokerConfigMap.set(c.resource, { ...c.configs });
    if (c.resource === '') this.config.setDynamic('default', c.configs);
  }
}
