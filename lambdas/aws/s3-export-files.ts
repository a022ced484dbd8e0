import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ExportFileStore } from '../core/exports/ports.js';

/** 5 MiB parts (S3's minimum), two in flight: the 10,000-part limit allows 50 GB, and memory stays near 15 MB. */
const PART_BYTES = 5 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

/** Export files in the stack's bucket: streamed in with a multipart upload, handed out as presigned GETs. */
export class S3ExportFiles implements ExportFileStore {
  constructor(
    readonly client: S3Client,
    readonly bucket: string,
  ) {}

  async write(key: string, body: AsyncIterable<string>, file: { contentType: string; fileName: string }) {
    let bytes = 0;
    async function* encoded() {
      for await (const text of body) {
        const chunk = Buffer.from(text, 'utf8');
        bytes += chunk.length;
        yield chunk;
      }
    }
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: Readable.from(encoded()),
        ContentType: file.contentType,
        ContentDisposition: `attachment; filename="${file.fileName.replace(/["\\\r\n]/g, '_')}"`,
      },
      partSize: PART_BYTES,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    await upload.done();
    return bytes;
  }

  async exists(key: string) {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (error instanceof Error && (error.name === 'NotFound' || error.name === 'NoSuchKey')) return false;
      throw error;
    }
  }

  /**
   * SigV4 query signing. S3 refuses the link after X-Amz-Date (whole seconds) + X-Amz-Expires, and also once the
   * signing credentials expire: a Lambda role's session can end before a 24-hour link would, so `expiresAt`
   * reports whichever comes first.
   */
  async presign(key: string, expiresInSeconds: number, now: Date) {
    const url = await getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: expiresInSeconds,
      signingDate: now,
    });
    let expiresAt = Math.floor(now.getTime() / 1000) * 1000 + expiresInSeconds * 1000;
    const credentials = await this.client.config.credentials();
    if (credentials.expiration) expiresAt = Math.min(expiresAt, credentials.expiration.getTime());
    return { url, expiresAt: new Date(expiresAt) };
  }
}
