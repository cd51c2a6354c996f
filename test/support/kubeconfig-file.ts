/**
 * @module
 * A kubeconfig file that points the real client (and the `simian` binary) at a loopback fake kube-apiserver, so
 * `--kubeconfig FILE` runs the same path a user's cluster does.
 */
import { writeFileSync } from 'node:fs';
import { FAKE_TOKEN } from './fake-kube-apiserver.js';

/** Writes a kubeconfig for the fake at `url` to `path` (plain HTTP on loopback: TLS verification is off). */
export function writeKubeconfig(path: string, url: string): string {
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{ name: fake, cluster: { server: "${url}", insecure-skip-tls-verify: true } }]`,
      `users: [{ name: u, user: { token: ${FAKE_TOKEN} } }]`,
      'contexts: [{ name: ctx, context: { cluster: fake, user: u, namespace: default } }]',
      'current-context: ctx',
      '',
    ].join('\n'),
  );
  return path;
}
