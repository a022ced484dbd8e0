import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Reads secrets once per container; a rotated secret is picked up by the next cold start. */
export class SecretReader {
  private readonly cache = new Map<string, Promise<string>>();
  constructor(private readonly client = new SecretsManagerClient({})) {}

  read(secretId: string): Promise<string> {
    let value = this.cache.get(secretId);
    if (!value) {
      value = this.client.send(new GetSecretValueCommand({ SecretId: secretId })).then((out) => out.SecretString ?? '');
      value.catch(() => this.cache.delete(secretId));
      this.cache.set(secretId, value);
    }
    return value;
  }
}
