/**
 * @module
 * The Kubernetes and AWS providers built from the configuration. Loaded on demand by the provider registry
 * (`loadCloudProviders`): @kubernetes/client-node and the AWS SDK take about 0.4 s each to load, and most commands
 * (the local stack, the console, the history) never touch either.
 */
import type { AwsProviderConfig, KubernetesProviderConfig } from '../config/simian-config.js';
import type { Clock } from '../core/clock.js';
import { AwsProvider } from '../providers/aws/aws-provider.js';
import { KubernetesProvider } from '../providers/kubernetes/kubernetes-provider.js';
import { loadKubeConfig } from '../providers/kubernetes/load-kube-config.js';
import type { Provider } from '../providers/provider.js';
import type { HttpTrafficShift } from '../providers/toxiproxy/http-traffic-shift.js';
import { ec2ClientOf } from './ec2-client.js';

/** The Kubernetes provider of `providers.kubernetes`. @throws SimianError `provider.badKubeconfig` (exit 2) */
export function kubernetesProvider(config: KubernetesProviderConfig | undefined, deps: { readonly clock: Clock }, trafficShift: { trafficShift?: HttpTrafficShift }): Provider {
  const kubeConfig = loadKubeConfig(config);
  return new KubernetesProvider({
    kubeConfig,
    clock: deps.clock,
    ...(config && config.namespaces.length > 0 ? { namespaces: config.namespaces } : {}),
    ...(config ? { excludeNamespaces: config.excludeNamespaces, groupBy: config.groupBy } : {}),
    ...(config?.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: config.gracePeriodSeconds } : {}),
    ...trafficShift,
  });
}

/** The AWS provider of `providers.aws`. */
export function awsProvider(config: AwsProviderConfig | undefined, deps: { readonly clock: Clock }, trafficShift: { trafficShift?: HttpTrafficShift }): Provider {
  const { client, region } = ec2ClientOf(config);
  return new AwsProvider({ client, region, clock: deps.clock, ...(config ? { groupBy: config.groupBy } : {}), ...trafficShift });
}
