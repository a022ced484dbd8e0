import { handle } from 'hono/aws-lambda';
import { createAwsClients } from '../aws/clients.js';
import { readLambdaConfig } from '../aws/config.js';
import { createRepositories } from '../aws/repositories.js';
import { SecretReader } from '../aws/secrets.js';
import { CursorCodec } from '../core/pagination.js';
import { createApp } from './app.js';

/** API Gateway (HTTP API) → the same Hono app the local stack serves. */
const config = readLambdaConfig();
const clients = createAwsClients({ region: config.AWS_REGION });
const repositories = createRepositories(clients, { tableName: config.TABLE_NAME, bucketName: config.BUCKET_NAME });
const secrets = new SecretReader();
const cursorSecret = config.CURSOR_SECRET_ARN ? await secrets.read(config.CURSOR_SECRET_ARN) : undefined;
if (!cursorSecret) throw new Error('CURSOR_SECRET_ARN must name a secret with at least 16 characters');

const app = createApp({ ...repositories, cursors: new CursorCodec(cursorSecret) });

export const handler = handle(app);
