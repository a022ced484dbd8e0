import type { PageRequest } from '../pagination.js';
import type { Paged, Scope } from '../ports.js';
import type { ProjectSecret } from '../schemas/secret.js';

/** Which secret: secrets belong to one project of one organization, and names are per project. */
export interface SecretRef {
  orgId: string;
  projectId: string;
  name: string;
}

/**
 * Where secret values live (Secrets Manager in AWS, a 0600 file locally). It only stores and reads values by
 * reference: which secrets a project has is the repository's business.
 */
export interface SecretValueStore {
  put(ref: SecretRef, value: string): Promise<void>;
  /** Undefined when there is no such secret. */
  get(ref: SecretRef): Promise<string | undefined>;
  /** Removes the value; a missing one is not an error. */
  delete(ref: SecretRef): Promise<void>;
}

/** The API's view of a project's secrets: write-only, listed by name and dates. */
export interface ProjectSecretRepository {
  /** Creates or replaces the secret; `now` is its updatedAt (and createdAt when new). */
  put(scope: Scope, projectId: string, name: string, value: string, now: string): Promise<ProjectSecret>;
  get(scope: Scope, projectId: string, name: string): Promise<ProjectSecret | null>;
  /** In name order. */
  list(scope: Scope, projectId: string, page: PageRequest): Promise<Paged<ProjectSecret>>;
  delete(scope: Scope, projectId: string, name: string): Promise<boolean>;
}

/** What a run reads: the value of a secret of its own project, or undefined when the project has none by that name. */
export interface ProjectSecretReader {
  value(scope: Scope, projectId: string, name: string): Promise<string | undefined>;
}
