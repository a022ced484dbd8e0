import { badRequest, type FieldIssue } from '../errors.js';
import type { UrlPolicy } from '../net/url-policy.js';
import type { Scope } from '../ports.js';
import { SecretName } from '../schemas/secret.js';
import { type HostedSystemConfig, hostedConfig, type SystemConfig } from '../schemas/system.js';
import type { ProjectSecretRepository } from '../secrets/ports.js';
import { secretNamesIn } from '../secrets/references.js';

/** What checking a system config needs: the same URL policy the executor applies, and the project's secrets. */
export interface SystemConfigDeps {
  outbound: UrlPolicy;
  /** Absent where a deployment has no project secrets: then no config may name one. */
  projectSecrets: Pick<ProjectSecretRepository, 'get'>;
}

interface SecretUse {
  path: string;
  name: string;
}

function outboundIssues(deps: SystemConfigDeps, config: HostedSystemConfig, path: string): FieldIssue[] {
  const urls =
    config.type === 'http'
      ? [{ path: `${path}.url`, url: config.url }]
      : config.type === 'openai_chat' && config.baseURL !== undefined
        ? [{ path: `${path}.baseURL`, url: config.baseURL }]
        : [];
  return urls.flatMap(({ path, url }) => {
    const reason = deps.outbound.checkUrl(url);
    return reason ? [{ path, message: reason }] : [];
  });
}

function secretUses(config: HostedSystemConfig, path: string): SecretUse[] {
  if (config.type === 'http') {
    return Object.entries(config.headers ?? {}).flatMap(([header, template]) =>
      secretNamesIn(template).map((name) => ({ path: `${path}.headers.${header}`, name })),
    );
  }
  if (config.type === 'openai_chat' && config.apiKeySecret !== undefined) {
    return [{ path: `${path}.apiKeySecret`, name: config.apiKeySecret }];
  }
  return [];
}

/**
 * Refuses, with a 400 naming each field, a config the executor could only fail on or that would leak: a URL
 * the outbound policy refuses by itself (an IP literal of a private or metadata range, a scheme other than
 * http/https), a secret the project has not registered (templates never read the server's environment), and
 * an own `baseURL` without its own `apiKeySecret` (the server's key goes only to the server's endpoint). Host
 * names pass: their addresses are checked when the executor resolves them.
 */
export async function checkSystemConfig(
  deps: SystemConfigDeps,
  scope: Scope,
  projectId: string,
  config: SystemConfig,
  path = 'config',
): Promise<void> {
  // A free-form or external config runs outside Verdict: nothing here reaches out for it.
  const hosted = hostedConfig(config);
  if (!hosted) return;
  const issues = outboundIssues(deps, hosted, path);
  if (hosted.type === 'openai_chat' && hosted.baseURL !== undefined && hosted.apiKeySecret === undefined) {
    issues.push({
      path: `${path}.apiKeySecret`,
      message:
        "is required with baseURL: the server's LLM key is sent only to the server's LLM endpoint, so register the key as a project secret and name it here",
    });
  }
  const registered = new Map<string, Promise<boolean>>();
  const isRegistered = (name: string) => {
    let known = registered.get(name);
    if (!known) {
      known = SecretName.safeParse(name).success
        ? deps.projectSecrets.get(scope, projectId, name).then((secret) => secret !== null)
        : Promise.resolve(false);
      registered.set(name, known);
    }
    return known;
  };
  for (const use of secretUses(hosted, path)) {
    if (await isRegistered(use.name)) continue;
    issues.push({
      path: use.path,
      message: `names secret "${use.name}", which is not registered for this project (PUT /projects/${projectId}/secrets/${use.name})`,
    });
  }
  if (issues.length > 0) throw badRequest(`invalid ${issues.map((issue) => issue.path).join(', ')}`, issues);
}
