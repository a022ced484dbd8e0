import { Readable } from 'node:stream';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ExportFileStore } from '../core/exports/ports.js';
import { presignGet } from './s3-presign.js';

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

  /** See `presignGet`: `expiresAt` may be earlier than asked when the signing credentials end first. */
  presign(key: string, expiresInSeconds: number, now: Date) {
    return presignGet(this.client, this.bucket, key, expiresInSeconds, now);
  }
}
