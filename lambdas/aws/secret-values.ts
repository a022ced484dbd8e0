import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { conflict } from '../core/errors.js';
import type { SecretRef, SecretValueStore } from '../core/secrets/ports.js';

/**
 * Secrets Manager allows letters, digits and `/_+=.@-` in names. Organization ids are free text, so anything
 * else (and `=`, the escape, and `/`, the separator) is written `=XX` per UTF-8 byte: distinct ids stay distinct.
 */
function escapeSegment(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9_+.@-]/.test(char) ? char : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

const isNamed = (error: unknown, name: string) => error instanceof Error && error.name === name;

/** One Secrets Manager secret per project secret: `<prefix><orgId>/<projectId>/<name>`. */
export class SecretsManagerValueStore implements SecretValueStore {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
  ) {}

  secretName(ref: SecretRef): string {
    return `${this.prefix}${escapeSegment(ref.orgId)}/${escapeSegment(ref.projectId)}/${ref.name}`;
  }

  async put(ref: SecretRef, value: string) {
    const name = this.secretName(ref);
    try {
      await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
      return;
    } catch (error) {
      if (!isNamed(error, 'ResourceNotFoundException')) throw this.explain(error);
    }
    try {
      await this.client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
    } catch (error) {
      // A concurrent PUT created it first: ours is the later write.
      if (!isNamed(error, 'ResourceExistsException')) throw this.explain(error);
      await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
    }
  }

  async get(ref: SecretRef) {
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretName(ref) }));
      return out.SecretString;
    } catch (error) {
      if (isNamed(error, 'ResourceNotFoundException')) return undefined;
      throw error;
    }
  }

  async delete(ref: SecretRef) {
    try {
      // No recovery window: the name must be free for the next PUT, and a deleted secret must be gone.
      await this.client.send(
        new DeleteSecretCommand({ SecretId: this.secretName(ref), ForceDeleteWithoutRecovery: true }),
      );
    } catch (error) {
      if (!isNamed(error, 'ResourceNotFoundException')) throw error;
    }
  }

  /** A secret still being deleted cannot be written for a moment: a retryable 409, not a 500. */
  private explain(error: unknown): unknown {
    if (isNamed(error, 'InvalidRequestException')) {
      return conflict('this secret is still being deleted; retry in a few seconds', true);
    }
    return error;
  }
}
