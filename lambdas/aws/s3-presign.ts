import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/**
 * A SigV4 query-signed GET of one object. S3 refuses the link after X-Amz-Date (whole seconds) + X-Amz-Expires,
 * and also once the signing credentials expire: a Lambda role's session can end before a 24-hour link would, so
 * `expiresAt` reports whichever comes first.
 */
export async function presignGet(client: S3Client, bucket: string, key: string, expiresInSeconds: number, now: Date) {
  const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), {
    expiresIn: expiresInSeconds,
    signingDate: now,
  });
  let expiresAt = Math.floor(now.getTime() / 1000) * 1000 + expiresInSeconds * 1000;
  const credentials = await client.config.credentials();
  if (credentials.expiration) expiresAt = Math.min(expiresAt, credentials.expiration.getTime());
  return { url, expiresAt: new Date(expiresAt) };
}
