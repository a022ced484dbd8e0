import * as z from 'zod';

/** Control characters (CR and LF above all) cannot travel in an HTTP header, where the token goes. */
const headerSafe = (value: string) => [...value].every((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) !== 0x7f);

/** PUT /projects/{projectId}/github: where the project's evaluation workflow lives, and a token to start it. */
export const PutGithubConnection = z
  .object({
    owner: z
      .string()
      .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 'must be a GitHub user or organization name')
      .meta({ description: 'The repository owner (user or organization)', example: 'acme' }),
    repo: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be a GitHub repository name')
      .refine((name) => name !== '.' && name !== '..', 'must be a GitHub repository name')
      .meta({ example: 'support-bot' }),
    workflow: z
      .string()
      .regex(/^(?:[A-Za-z0-9._-]+\.ya?ml|\d+)$/, 'must be a workflow file name (evaluate.yml) or a workflow id')
      .meta({ description: 'The workflow file under .github/workflows (or its numeric id)', example: 'verdict.yml' }),
    ref: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[^\s~^:?*[\\]+$/, 'must be a branch or tag name')
      .default('main')
      .meta({ description: 'The branch or tag the workflow runs on' }),
    token: z
      .string()
      .min(1, 'must not be empty')
      .max(1_000)
      .refine(headerSafe, 'must not contain line breaks or control characters')
      .meta({
        description:
          'A token that may dispatch the workflow (fine-grained: Actions read and write); stored as a secret, never returned',
      }),
  })
  .meta({ id: 'PutGithubConnection' });
export type PutGithubConnection = z.infer<typeof PutGithubConnection>;

/** A project's GitHub connection as the API shows it: everything but the token. */
export const GithubConnection = z
  .object({
    projectId: z.string(),
    owner: z.string(),
    repo: z.string(),
    workflow: z.string(),
    ref: z.string(),
    tokenSet: z.literal(true).meta({ description: 'A token is stored (it is never returned)' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'GithubConnection' });
export type GithubConnection = z.infer<typeof GithubConnection>;
